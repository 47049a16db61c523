"""滨西社区 with one member per role, a handler, residents in gridded compounds, and helpers that
bring a request into any state through the services themselves."""

from datetime import datetime, timedelta
from itertools import count
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from requests import clock
from requests.models import Category
from requests.services import (
    request_accept,
    request_assign,
    request_extension_request,
    request_log,
    request_rate_by_sms,
    request_resolve,
    request_return_visit,
)
from tests.factories import GridFactory, ResidentFactory, member

SHANGHAI = ZoneInfo("Asia/Shanghai")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def shanghai(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


_row_numbers = count(1)


def summed_row(world, community=None, **fields):
    """A request as the services would have left it, with the times a dashboard test needs (the
    figures' read side only: no service runs)."""
    from requests.models import ServiceRequest

    community = community or world.binxi
    fields.setdefault("category", world.other)
    fields.setdefault("description", "测试")
    fields.setdefault("logged_at", shanghai(2026, 11, 2, 9, 0))
    status = fields.setdefault("status", "logged")
    if status in ("assigned", "in_progress", "resolved") or fields.get("accepted_at"):
        fields.setdefault("handler", world.handler)
    return ServiceRequest.objects.create(
        community=community, reference=f"{community.code}-T-{next(_row_numbers):06d}", **fields
    )


def png(name: str = "light.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    clock.clear_cache()
    yield
    clock.clear_cache()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def world(binxi, bindong, alice, bob, categories):
    grid = GridFactory(community=binxi, name="第一网格")
    gridworker = member(binxi, "grid_worker", username="gridworker")
    grid.grid_worker = gridworker
    grid.save()
    return SimpleNamespace(
        binxi=binxi,
        bindong=bindong,
        grid=grid,
        supervisor=alice,
        outsider=bob,
        volunteer=member(binxi, "volunteer", username="volunteer"),
        desk_staff=member(binxi, "desk_staff", username="deskstaff"),
        grid_worker=gridworker,
        administrator=member(binxi, "administrator", username="admin"),
        handler=member(binxi, "desk_staff", username="handler"),
        other_handler=member(binxi, "grid_worker", username="other"),
        health_staff=member(binxi, "desk_staff", username="nurse", health_permission=True),
        wang=ResidentFactory(
            community=binxi,
            grid=grid,
            name="王玉枝",
            phone="+8613912345678",
            compound="冶金厂家属院",
            building="3",
            unit="2",
            room="501",
        ),
        stranger=ResidentFactory(community=bindong, name="赵德柱"),
        other=Category.objects.get(code="other"),
        repair=Category.objects.get(code="repair"),
        urgent=Category.objects.get(code="urgent_repair"),
        subsidy=Category.objects.get(code="policy_childcare_subsidy"),
    )


def logged(world, **overrides):
    fields = {
        "actor": world.desk_staff,
        "community": world.binxi,
        "category": world.other,
        "description": "楼道灯不亮",
        "resident": world.wang,
    }
    fields.update(overrides)
    return request_log(**fields)


def in_state(world, state: str, *, extension: bool = False, review: bool = False):
    """A request brought to `state` through the services (handler: world.handler)."""
    sr = logged(world)
    if state == "logged":
        return sr
    sr = request_assign(actor=world.supervisor, request_id=sr.pk, handler=world.handler)
    if state == "assigned":
        return sr
    sr = request_accept(actor=world.handler, request_id=sr.pk)
    if state == "in_progress":
        if extension:
            later = sr.resolve_due_at + timedelta(days=30)
            sr = request_extension_request(
                actor=world.handler, request_id=sr.pk, new_due_at=later, reason="等配件"
            )
        return sr
    sr = request_resolve(actor=world.handler, request_id=sr.pk, result="已更换灯泡")
    if state == "resolved":
        if review:
            sr = request_rate_by_sms(request_id=sr.pk, reply="3")
        return sr
    assert state == "closed"
    return request_return_visit(actor=world.supervisor, request_id=sr.pk, rating="satisfied")
