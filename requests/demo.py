"""Demo requests for 滨西社区: about three months of the closed loop, in every status and outcome.

Everything is written through the services, each call with the clock pinned to a moment in the
past (`clock.frozen`), so the timeline, deadlines, reminder steps and notices are exactly what
the services make; nothing is adjusted afterwards except one thing: the residents' SMS notices of
this invented history are marked dropped ("demo history"), so the SMS outbox never sends them.
Reminder steps of open requests stay pending: the reminder sweep has work to show.

Idempotent: when 滨西社区 has any request, it adds nothing. Needs residents.demo.seed() first.
"""

import random
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial

from django.contrib.auth import get_user_model

from requests import clock
from requests.models import Category, CategoryHandler, ServiceRequest, Source, Status
from requests.services import (
    request_accept,
    request_answer_on_the_spot,
    request_assign,
    request_escalate,
    request_extension_decide,
    request_extension_request,
    request_log,
    request_rate_by_sms,
    request_refer,
    request_reject,
    request_resolve,
    request_return,
    request_return_visit,
    request_review,
    request_withdraw,
)
from residents.models import Community, Resident
from residents.sms.models import SmsMessage

DAYS = 92
SEED = 20261128

# category code: (weight, descriptions, results)
STORIES = {
    "policy_medical_insurance": (
        10,
        ["医保卡异地就医怎么备案？", "城乡居民医保今年缴费标准是多少？", "门诊慢特病怎么申请？"],
        ["已告知线上备案流程，并帮助在手机上完成备案。", "已告知缴费标准和缴费渠道。"],
    ),
    "policy_pension": (
        8,
        ["城乡居民养老保险怎么选缴费档次？", "养老金资格认证怎么做？"],
        ["已讲解缴费档次和补贴标准。", "已帮助老人在手机上完成认证。"],
    ),
    "policy_childcare_subsidy": (
        9,
        ["二孩补贴怎么申请？要带什么材料？", "育儿补贴什么时候发放？"],
        ["孩子满三个月后，带户口本、出生医学证明到社区登记，当月审核。", "已告知发放时间和查询方式。"],
    ),
    "policy_other": (4, ["高龄津贴怎么申请？", "廉租房申请条件是什么？"], ["已告知申请条件和所需材料。"]),
    "repair": (
        10,
        ["单元门门禁坏了", "楼道扶手松动", "下水道堵塞", "楼顶漏水"],
        ["已联系维修人员修复。", "已更换配件，恢复正常。"],
    ),
    "urgent_repair": (4, ["楼道灯不亮，老人上下楼不方便", "水管爆裂"], ["已现场修复。"]),
    "environment": (8, ["楼下垃圾堆放无人清理", "绿化带杂草丛生", "小区内有积水"], ["已安排保洁清运。"]),
    "parking": (6, ["消防通道被私家车占用", "电动车乱停乱放"], ["已协调物业劝离并设置提示牌。"]),
    "dispute_mediation": (5, ["楼上漏水引发邻里纠纷", "噪音扰民"], ["经调解双方达成一致。"]),
    "errand": (6, ["帮独居老人代缴水电费", "代办老年证"], ["已代办完成，并送到老人家中。"]),
    "other": (3, ["想参加社区书法班", "咨询志愿者报名"], ["已登记并告知活动时间。"]),
}
ANSWERS = {
    "policy_medical_insurance": "在国家医保服务平台App上可直接办理异地备案，当场演示了操作。",
    "policy_pension": "缴费档次越高，政府补贴越多，建议按自身情况选择；当场讲解了标准。",
    "policy_childcare_subsidy": "孩子满三个月后，带户口本和出生医学证明到社区登记即可申请二孩补贴。",
    "policy_other": "已当场告知申请条件和所需材料。",
}


class _Cast:
    def __init__(self, users, community, residents, rng):
        self.supervisor, self.deskstaff = users["supervisor"], users["deskstaff"]
        self.gridworker, self.volunteer = users["gridworker"], users["volunteer"]
        self.handlers = [self.gridworker, self.deskstaff, self.gridworker, self.supervisor]
        self.intake = [self.deskstaff, self.deskstaff, self.gridworker, self.volunteer, self.supervisor]
        self.community, self.residents, self.rng = community, residents, rng

    def visitor(self, sr):
        return self.supervisor if sr.handler_id != self.supervisor.pk else self.deskstaff


def _at(when: datetime, service, **kwargs):
    with clock.frozen(when):
        return service(**kwargs)


def _staff_time(when: datetime) -> datetime:
    """Staff act in office hours: a moment outside them moves to the next working morning."""
    return clock.start_of_counting(when)


def _moments(rng: random.Random, now: datetime) -> list[datetime]:
    """Intake moments over the last DAYS days: desk hours on working days, a few evenings and weekends."""
    moments = []
    first = clock.local(now).date() - timedelta(days=DAYS)
    for offset in range(DAYS):
        day = first + timedelta(days=offset)
        count = rng.randint(2, 5) if clock.is_workday(day) else rng.randint(0, 1)
        for _ in range(count):
            if clock.is_workday(day) and rng.random() < 0.9:
                minutes = rng.randint(8 * 60 + 40, 16 * 60 + 50)
            else:
                minutes = rng.randint(7 * 60, 21 * 60)
            moment = datetime(day.year, day.month, day.day, minutes // 60, minutes % 60, tzinfo=clock.zone())
            if moment < now - timedelta(hours=1):
                moments.append(moment)
    return sorted(moments)


def _follow(cast: _Cast, sr: ServiceRequest, now: datetime) -> None:
    """Carry a logged request as far as its story goes before `now`."""
    rng = cast.rng
    t = sr.logged_at

    def later(minutes_low: int, minutes_high: int, staff: bool = True) -> datetime | None:
        nonlocal t
        moment = t + timedelta(minutes=rng.randint(minutes_low, minutes_high))
        moment = _staff_time(moment) if staff else moment
        if moment >= now:
            return None
        if staff and moment >= now - timedelta(days=4) and rng.random() < 0.3:
            return None  # recent work still waiting: requests stay logged, assigned, in progress
        t = moment
        return moment

    if sr.status == Status.LOGGED:
        if later(10, 300) is None:
            return
        if rng.random() < 0.03:
            _at(
                t,
                request_reject,
                actor=cast.supervisor,
                request_id=sr.pk,
                reason="属于法院诉讼受理范围，已告知居民途径。",
            )
            return
        sr = _at(
            t, request_assign, actor=cast.supervisor, request_id=sr.pk, handler=rng.choice(cast.handlers)
        )
    if rng.random() < 0.03 and later(5, 120):
        _at(t, request_withdraw, actor=cast.deskstaff, request_id=sr.pk, reason="居民表示问题已自行解决。")
        return
    if later(5, 360) is None:
        return
    if rng.random() < 0.03:
        _at(t, request_return, actor=sr.handler, request_id=sr.pk, reason="不属于本人负责网格。")
        if later(10, 120) is None:
            return
        sr = _at(t, request_assign, actor=cast.supervisor, request_id=sr.pk, handler=cast.deskstaff)
        if later(5, 120) is None:
            return
    sr = _at(t, request_accept, actor=sr.handler, request_id=sr.pk)
    if sr.category.code in ("parking", "environment", "repair") and rng.random() < 0.15 and later(30, 600):
        _at(
            t,
            request_refer,
            actor=sr.handler,
            request_id=sr.pk,
            unit="滨河物业",
            unit_reference=f"WY{sr.pk:05d}",
        )
    if rng.random() < 0.08 and later(60, 900):
        sr = _at(
            t,
            request_extension_request,
            actor=sr.handler,
            request_id=sr.pk,
            new_due_at=clock.add_working_days(sr.resolve_due_at, 3),
            reason="需等待配件到货。",
        )
        if later(30, 600) is None:
            return
        sr = _at(
            t, request_extension_decide, actor=cast.supervisor, request_id=sr.pk, approve=rng.random() < 0.8
        )
    # Mostly on time; one in eight late.
    span = max(sr.resolve_due_at - t, timedelta(minutes=30))
    resolve_at = t + span * rng.uniform(0.1, 0.9)
    if rng.random() < 0.125:
        resolve_at = sr.resolve_due_at + timedelta(days=rng.randint(1, 4))
    resolve_at = _staff_time(resolve_at)
    if resolve_at >= now:
        overdue_since = clock.add_working_days(sr.resolve_due_at, 1)
        if overdue_since < now:
            _at(
                overdue_since,
                request_escalate,
                actor=cast.supervisor,
                request_id=sr.pk,
                note="已超期，请加快办理。",
            )
        return
    t = resolve_at
    result = rng.choice(STORIES[sr.category.code][2])
    sr = _at(t, request_resolve, actor=sr.handler, request_id=sr.pk, result=result)
    _close(cast, sr, later)


def _close(cast: _Cast, sr: ServiceRequest, later) -> None:
    """After resolving: the resident's SMS reply (and a review of a 3), or return visits by phone."""
    rng = cast.rng
    if sr.resident_id and sr.category.sms_enabled and rng.random() < 0.85:
        moment = later(20, 1200, staff=False)
        if moment is None:
            return
        reply = rng.choices(["1", "2", "3"], weights=[78, 15, 7])[0]
        _at(moment, request_rate_by_sms, request_id=sr.pk, reply=reply)
        if reply == "3" and rng.random() < 0.6 and (moment := later(120, 1800)):
            reason = "已电话解释，居民表示理解。"
            _at(moment, request_review, actor=cast.supervisor, request_id=sr.pk, reopen=False, reason=reason)
        return
    visitor = cast.visitor(sr)
    tries = 3 if rng.random() < 0.2 else 0
    for _ in range(tries):
        if (moment := later(60, 1500)) is None:
            return
        _at(moment, request_return_visit, actor=visitor, request_id=sr.pk, rating=None, note="电话无人接听。")
    if (moment := later(60, 1500)) is None:
        return
    rating = "unreachable" if tries else rng.choices(["satisfied", "fairly_satisfied"], weights=[85, 15])[0]
    _at(moment, request_return_visit, actor=visitor, request_id=sr.pk, rating=rating, note="电话回访。")


def _random_request(cast: _Cast, categories: dict, moment: datetime, now: datetime) -> None:
    rng = cast.rng
    code = rng.choices(list(STORIES), weights=[w for w, _d, _r in STORIES.values()])[0]
    category = categories[code]
    resident = rng.choice(cast.residents) if rng.random() < 0.92 else None
    actor = rng.choice(cast.intake)
    description = rng.choice(STORIES[code][1])
    common = {"actor": actor, "community": cast.community, "category": category, "description": description}
    if code in ANSWERS and rng.random() < 0.7:
        _at(moment, request_answer_on_the_spot, **common, answer=ANSWERS[code], resident=resident)
        return
    source = rng.choices(
        [Source.DESK, Source.PHONE, Source.WALK_IN, Source.GRID_PATROL], weights=[60, 15, 10, 15]
    )[0]
    if not clock.in_office_hours(moment):
        source = Source.PHONE
    sr = _at(moment, request_log, **common, resident=resident, source=source)
    _follow(cast, sr, now)


def _stories(cast: _Cast, categories: dict, now: datetime) -> list[tuple[datetime, Callable[[], None]]]:
    """The requests DESIGN's story names, as (intake moment, what happens) to run in time order."""
    local_now = clock.local(now)
    base = clock.office_opens(clock.previous_workday(local_now.date() - timedelta(days=9)))
    common = {"community": cast.community}

    def corridor_light(t):  # 王玉枝's: fixed within half an hour, rated 满意 by SMS
        sr = _at(
            t,
            request_log,
            **common,
            actor=cast.deskstaff,
            category=categories["urgent_repair"],
            description="3号楼2单元楼道灯不亮，晚上上下楼看不见。",
            resident=cast.residents[0],
            handler=cast.gridworker,
        )
        _at(t + timedelta(minutes=5), request_accept, actor=cast.gridworker, request_id=sr.pk)
        result = "已更换楼道灯泡，灯已亮。"
        _at(
            t + timedelta(minutes=30), request_resolve, actor=cast.gridworker, request_id=sr.pk, result=result
        )
        _at(t + timedelta(minutes=55), request_rate_by_sms, request_id=sr.pk, reply="1")

    def subsidy_question(t, index):  # answered on the spot
        _at(
            t,
            request_answer_on_the_spot,
            **common,
            actor=cast.volunteer if index % 2 else cast.deskstaff,
            category=categories["policy_childcare_subsidy"],
            description="二孩补贴怎么申请？",
            answer=ANSWERS["policy_childcare_subsidy"],
            resident=cast.residents[1 + index],
        )

    def hotline_order(t):  # keeps the hotline's reference and deadline
        sr = _at(
            t,
            request_log,
            **common,
            actor=cast.supervisor,
            category=categories["environment"],
            description="12345转办：滨河小区门口占道经营，影响通行。",
            source=Source.HOTLINE,
            hotline_reference=f"12345-{clock.local(t):%Y%m%d}0123",
            hotline_due_at=clock.add_working_days(t, 3),
            handler=cast.gridworker,
        )
        _at(t + timedelta(minutes=40), request_accept, actor=cast.gridworker, request_id=sr.pk)
        result = "已联合城管劝离占道摊点，恢复通行。"
        _at(
            clock.add_working_days(t, 1),
            request_resolve,
            actor=cast.gridworker,
            request_id=sr.pk,
            result=result,
        )

    def parking_referred(t):
        sr = _at(
            t,
            request_log,
            **common,
            actor=cast.deskstaff,
            category=categories["parking"],
            description="消防通道长期被私家车占用。",
            resident=cast.residents[5],
            handler=cast.deskstaff,
        )
        _at(t + timedelta(minutes=30), request_accept, actor=cast.deskstaff, request_id=sr.pk)
        reference = "WY-2026-1107"
        _at(
            t + timedelta(hours=1),
            request_refer,
            actor=cast.deskstaff,
            request_id=sr.pk,
            unit="滨河物业",
            unit_reference=reference,
        )

    def overdue_environment(t):  # left overdue, and escalated
        sr = _at(
            t,
            request_log,
            **common,
            actor=cast.gridworker,
            category=categories["environment"],
            description="老街南院垃圾房周边污水横流。",
            resident=cast.residents[6],
            source=Source.GRID_PATROL,
        )
        # A grid worker does not choose the handler at intake (DESIGN §4.1): the supervisor assigns.
        if sr.handler_id != cast.gridworker.pk:
            _at(
                t + timedelta(minutes=10),
                request_assign,
                actor=cast.supervisor,
                request_id=sr.pk,
                handler=cast.gridworker,
            )
        sr = _at(t + timedelta(hours=1), request_accept, actor=cast.gridworker, request_id=sr.pk)
        note = "已超期，请今天给出处理方案。"
        escalate_at = clock.add_working_days(sr.resolve_due_at, 1)
        _at(escalate_at, request_escalate, actor=cast.supervisor, request_id=sr.pk, note=note)

    def waiting(t, *, code, description, resident, **handler):  # logged at the desk, nothing since
        _at(
            t,
            request_log,
            **common,
            actor=cast.deskstaff,
            category=categories[code],
            description=description,
            resident=resident,
            **handler,
        )

    # The desk cleared the handler: a supervisor has yet to choose one.
    waiting_to_assign = partial(
        waiting,
        code="dispute_mediation",
        description="楼上漏水，两家协商不成，需社区出面调解。",
        resident=cast.residents[5],
        leave_unassigned=True,
    )
    # Assigned at the desk; the grid worker has not accepted it yet.
    waiting_to_accept = partial(
        waiting,
        code="errand",
        description="独居老人托社区代办老年证，照片已拍好。",
        resident=cast.residents[7],
        handler=cast.gridworker,
    )

    jobs = [(base + timedelta(hours=1, minutes=10), corridor_light)]
    # The last working day's afternoon, always before now: whatever the day, the demo has requests
    # waiting at the first two steps (the random history may have none).
    last_workday = clock.previous_workday(local_now.date())
    jobs.append((clock.office_opens(last_workday) + timedelta(hours=5), waiting_to_assign))
    jobs.append((clock.office_opens(last_workday) + timedelta(hours=5, minutes=30), waiting_to_accept))
    jobs += [(base + timedelta(minutes=20 + 15 * i), partial(subsidy_question, index=i)) for i in range(4)]
    jobs.append((clock.add_working_days(base, 2) + timedelta(hours=2), hotline_order))
    jobs.append(
        (clock.office_opens(clock.previous_workday(local_now.date() - timedelta(days=3))), parking_referred)
    )
    overdue_day = clock.previous_workday(local_now.date() - timedelta(days=14))
    jobs.append((clock.office_opens(overdue_day) + timedelta(hours=2), overdue_environment))
    return [(moment, partial(job, moment)) for moment, job in jobs]


def _wang_yuzhi(community: Community) -> Resident:
    wang = community.residents.filter(name="王玉枝").first()
    if wang is None:
        from residents.pinyin import name_readings

        grid = community.grids.order_by("id").first()
        wang = Resident.objects.create(
            community=community,
            grid=grid,
            name="王玉枝",
            name_pinyin=name_readings("王玉枝"),
            phone="+8613912345678",
            compound="冶金厂家属院",
            building="3",
            unit="2",
            room="501",
            lives_alone=True,
            sms_consent=True,
        )
    return wang


def seed() -> int:
    """Add the demo requests of 滨西社区; how many were added (0 when they are there already)."""
    community = Community.objects.filter(code="BX").first()
    if community is None or ServiceRequest.objects.filter(community=community).exists():
        return 0
    users = {
        u.username: u
        for u in get_user_model().objects.filter(
            username__in=["supervisor", "deskstaff", "gridworker", "volunteer"]
        )
    }
    if len(users) < 4:
        return 0
    rng = random.Random(SEED)
    wang = _wang_yuzhi(community)
    others = list(
        community.residents.filter(anonymised_at__isnull=True).exclude(pk=wang.pk).order_by("id")[:400]
    )
    cast = _Cast(users, community, [wang, *others], rng)
    categories = {c.code: c for c in Category.objects.all()}
    # A flagged screening's follow-up goes to 张敏 (desk staff with the health permission).
    if "health_follow_up" in categories:
        CategoryHandler.objects.get_or_create(
            category=categories["health_follow_up"], community=community, defaults={"user": cast.deskstaff}
        )
    now = clock.now()
    jobs = [(m, partial(_random_request, cast, categories, m, now)) for m in _moments(rng, now)]
    jobs += _stories(cast, categories, now)
    for _moment, job in sorted(jobs, key=lambda job: job[0]):  # references follow the intake times
        job()
    # The history is invented: its SMS were never owed to anyone.
    SmsMessage.objects.filter(community=community, state__in=["pending", "held"]).delete()
    return ServiceRequest.objects.filter(community=community).count()
