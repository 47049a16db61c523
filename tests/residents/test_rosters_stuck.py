"""An import never stays stuck: a broker outage at confirm is no 500 and the sweep sends the import
again; an import whose worker died is failed by the sweep, with nothing written."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from residents.models import Resident, RosterImport
from residents.rosters import services
from residents.rosters.services import roster_imports_sweep, roster_run
from residents.tasks import import_roster
from tests.factories import GridFactory
from tests.residents.test_rosters_views import BAD, GOOD, preview

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture(autouse=True)
def grid(binxi):
    return GridFactory(community=binxi, name="第一网格")


@pytest.fixture
def sent(monkeypatch):
    """The imports sent to the broker, or an outage when `sent.broker_down` is set."""
    calls = []

    def delay(roster_import_id, language=""):
        if calls_state["broker_down"]:
            raise OperationalError("[Errno 111] Connection refused")
        calls.append(roster_import_id)

    calls_state = {"broker_down": False}
    monkeypatch.setattr(import_roster, "delay", delay)
    return type("Sent", (), {"calls": calls, "state": calls_state})


def test_a_broker_outage_at_confirm_is_no_500_and_the_sweep_sends_it_again(
    client, alice, binxi, sent, django_capture_on_commit_callbacks
):
    roster_import = preview(client, alice, binxi, GOOD + BAD)
    sent.state["broker_down"] = True
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("residents:roster_import_confirm", args=[roster_import.pk]))
    assert response.status_code == 302
    roster_import.refresh_from_db()
    assert roster_import.status == "queued" and sent.calls == []

    sent.state["broker_down"] = False
    assert roster_imports_sweep() == {"resent": 0, "failed": 0}  # too soon: a worker may be busy
    later = timezone.now() + dt.timedelta(minutes=3)
    assert roster_imports_sweep(now=later) == {"resent": 1, "failed": 0}
    assert sent.calls == [roster_import.pk]
    assert roster_imports_sweep(now=later) == {"resent": 0, "failed": 0}  # not again at once

    assert roster_run(roster_import_id=roster_import.pk) == "done"
    assert Resident.objects.filter(community=binxi).count() == 2


def test_an_import_whose_worker_died_is_failed_and_its_page_says_so(client, alice, binxi, sent):
    roster_import = preview(client, alice, binxi, GOOD)
    RosterImport.objects.filter(pk=roster_import.pk).update(status="queued")
    # The worker claims it, then dies before its one transaction commits: nothing is written.
    RosterImport.objects.filter(pk=roster_import.pk).update(
        status="running", status_changed_at=timezone.now()
    )
    assert roster_run(roster_import_id=roster_import.pk) == "skipped"  # the redelivered task

    assert roster_imports_sweep(now=timezone.now() + dt.timedelta(minutes=5))["failed"] == 0  # may be busy
    assert roster_imports_sweep(now=timezone.now() + dt.timedelta(minutes=16))["failed"] == 1
    roster_import.refresh_from_db()
    assert roster_import.status == "failed" and bytes(roster_import.content) == b""
    assert Resident.objects.filter(community=binxi).count() == 0
    page = client.get(reverse("residents:roster_import_detail", args=[roster_import.pk])).content.decode()
    assert "nothing was written" in page


def test_the_sweep_leaves_previews_and_finished_imports_alone(client, alice, binxi, sent):
    waiting = preview(client, alice, binxi, GOOD)
    done = preview(client, alice, binxi, GOOD)
    RosterImport.objects.filter(pk=done.pk).update(status="done", finished_at=timezone.now())
    assert roster_imports_sweep(now=timezone.now() + dt.timedelta(days=1)) == {"resent": 0, "failed": 0}
    assert set(RosterImport.objects.values_list("pk", "status")) == {
        (waiting.pk, "previewed"),
        (done.pk, "done"),
    }


def test_queueing_itself_survives_a_broker_outage(sent, caplog):
    sent.state["broker_down"] = True
    services._queue(12345, "zh-hans")  # logs and returns: the sweep will send it again
    assert "could not be queued" in caplog.text
