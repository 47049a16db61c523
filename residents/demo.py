"""Demo data for seed_demo: 滨西社区 and its neighbour 滨东社区, grids, residents, one login per role.

Idempotent: a second run finds everything in place and adds nothing.
"""

import random
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone
from faker import Faker

from residents.models import Community, Grid, Membership, Resident
from residents.pinyin import name_readings
from residents.roles import Role

DEMO_PASSWORD = "doorstep-demo"

# username, family name, given name, {community code: role}, health permission
DEMO_USERS = [
    ("admin", "管", "理员", {"BX": Role.ADMINISTRATOR, "BD": Role.ADMINISTRATOR}, False),
    ("supervisor", "李", "书记", {"BX": Role.SUPERVISOR}, True),
    ("street", "周", "主任", {"BX": Role.SUPERVISOR, "BD": Role.SUPERVISOR}, True),
    ("deskstaff", "张", "敏", {"BX": Role.DESK_STAFF}, True),
    ("gridworker", "刘", "洋", {"BX": Role.GRID_WORKER}, False),
    ("volunteer", "陈", "静", {"BX": Role.VOLUNTEER}, True),  # takes blood pressure at the desk
    ("bindong", "吴", "芳", {"BD": Role.DESK_STAFF}, False),
]

COMMUNITIES = [
    # code, name, grids, compounds (with their street), residents
    (
        "BX",
        "滨西社区",
        ["第一网格", "第二网格", "第三网格", "第四网格", "第五网格", "第六网格"],
        ["冶金厂家属院", "滨河小区", "建设路小区", "老街南院", "供电局家属院", "纺织厂宿舍"],
        5400,
    ),
    ("BD", "滨东社区", ["东一网格", "东二网格"], ["滨东花园", "粮站家属院"], 600),
]

# Named residents the demo story uses (DESIGN's 滨西社区 story).
STORY_RESIDENTS = [
    ("王玉枝", "冶金厂家属院", "3", "2", "501", True),
    ("曾国强", "冶金厂家属院", "5", "1", "302", False),
    ("单秀英", "滨河小区", "2", "1", "101", True),
]


def _id_number(rng: random.Random, born: date) -> str:
    body = f"411102{born:%Y%m%d}{rng.randint(0, 999):03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]


def _users():
    User = get_user_model()
    users = {}
    for username, family, given, _roles, _health in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username, defaults={"last_name": family, "first_name": given}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.is_staff = user.is_superuser = username == "admin"
            user.save()
        users[username] = user
    return users


# Prefixes China's carriers use: numbers the app's own phone check accepts (140-149 mostly do not).
MOBILE_PREFIXES = [
    "133",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "153",
    "155",
    "158",
    "159",
    "166",
    "177",
    "180",
    "181",
    "182",
    "186",
    "187",
    "188",
    "189",
    "199",
]


def _residents(community: Community, grids: list[Grid], compounds: list[str], count: int, seed: int) -> None:
    if community.residents.exists():
        return
    rng = random.Random(seed)
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    now = timezone.now()
    rows = []
    for name, compound, building, unit, room, alone in STORY_RESIDENTS if community.code == "BX" else []:
        rows.append((name, compound, building, unit, room, alone))
    while len(rows) < count:
        compound = rng.choice(compounds)
        alone = rng.random() < 0.04
        rows.append(
            (
                fake.name(),
                compound,
                str(rng.randint(1, 12)),
                str(rng.randint(1, 4)),
                f"{rng.randint(1, 6)}0{rng.randint(1, 4)}",
                alone,
            )
        )
    residents = []
    id_numbers: set[str] = set()
    for index, (name, compound, building, unit, room, alone) in enumerate(rows):
        grid = grids[compounds.index(compound) % len(grids)]
        born = date(1935, 1, 1) + timedelta(days=rng.randint(0, 365 * 70))
        if alone:
            born = date(1935, 1, 1) + timedelta(days=rng.randint(0, 365 * 20))
        resident = Resident(
            community=community,
            grid=grid,
            name=name,
            name_pinyin=name_readings(name),
            phone=f"+86{rng.choice(MOBILE_PREFIXES)}{rng.randint(0, 99_999_999):08d}",
            compound=compound,
            building=building,
            unit=unit,
            room=room,
            birth_date=born,
            lives_alone=alone,
            limited_mobility=alone and rng.random() < 0.3,
            low_income=rng.random() < 0.02,
            sms_consent=rng.random() < 0.8,
            sms_consent_at=now,
            announcement_consent=rng.random() < 0.5,
            announcement_consent_at=now,
            health_consent=alone or rng.random() < 0.3,
            health_consent_at=now,
            created_at=now,
        )
        if alone and rng.random() < 0.5:
            resident.contact_name, resident.contact_relation = fake.name(), "子女"
        if index % 5 == 0:
            id_number = _id_number(rng, born)
            while id_number in id_numbers:  # one ID number per community, as the database requires
                id_number = _id_number(rng, born)
            id_numbers.add(id_number)
            resident.set_id_number(id_number)
        residents.append(resident)
    Resident.objects.bulk_create(residents, batch_size=1000)


def seed() -> list[tuple[str, str]]:
    users = _users()
    communities = {}
    for seed_no, (code, name, grid_names, compounds, count) in enumerate(COMMUNITIES):
        community, _ = Community.objects.get_or_create(
            code=code, defaults={"name": name, "street_office": "老街街道", "district": "源汇区"}
        )
        communities[code] = community
        grids = [Grid.objects.get_or_create(community=community, name=g)[0] for g in grid_names]
        if code == "BX" and grids[0].grid_worker_id is None:
            Grid.objects.filter(pk__in=[g.pk for g in grids[:3]]).update(grid_worker=users["gridworker"])
        _residents(community, grids, compounds, count, seed=seed_no + 1)
    logins = []
    for username, _family, _given, roles, health in DEMO_USERS:
        for code, role in roles.items():
            Membership.objects.get_or_create(
                user=users[username],
                community=communities[code],
                defaults={"role": role, "health_permission": health},
            )
        logins.append(
            (username, ", ".join(f"{communities[c].name} {Role(r).label}" for c, r in roles.items()))
        )
    return logins
