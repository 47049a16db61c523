"""Roster import: check and write 10,000 rows in process (CSV and .xlsx preview, create, update).

Runs against the database DATABASE_URL names (migrate it first). Builds a 10,000-row roster with
Faker, then times the same services the pages and the Celery task call: the preview (read and
check every row, nothing written) for CSV and .xlsx, the run that creates every resident in one
transaction, and the run of the same file again, which updates every one of them.
"""

import random
import time
from datetime import date, timedelta

import django

COMMUNITY_CODE = "BENCHIMP"
SIZE = 10_000
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def _id_number(n: int) -> str:
    """A valid, unique ID number for row n: a birth date from n // 1000, a sequence number from n % 1000."""
    born = date(1940, 1, 1) + timedelta(days=(n // 1000) * 731)
    first = f"411102{born:%Y%m%d}{n % 1000:03d}"
    return first + "10X98765432"[sum(int(d) * w for d, w in zip(first, _WEIGHTS, strict=True)) % 11]


def _rows(size: int) -> list[dict]:
    from faker import Faker

    fake = Faker("zh_CN")
    fake.seed_instance(3)
    rng = random.Random(3)
    rows = []
    for n in range(size):
        rows.append(
            {
                "姓名": fake.name(),
                "手机号": f"13{rng.randint(0, 9)}{n:08d}",
                "小区": rng.choice(["冶金厂家属院", "滨河小区", "建设路小区", "老街南院"]),
                "楼栋": str(rng.randint(1, 12)),
                "单元": str(rng.randint(1, 4)),
                "房号": f"{rng.randint(1, 6)}0{rng.randint(1, 4)}",
                "网格": f"第{rng.randint(1, 6)}网格",
                "身份证号": _id_number(n) if n % 3 else "",
                "独居老人": rng.choice(["是", "否", ""]),
                "短信同意": rng.choice(["是", "否"]),
            }
        )
    return rows


def _csv(rows: list[dict]) -> bytes:
    import csv
    import io

    headers = list(rows[0])
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows([row[h] for h in headers] for row in rows)
    return buffer.getvalue().encode("utf-8-sig")


def _xlsx(rows: list[dict]) -> bytes:
    import io

    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    headers = list(rows[0])
    sheet.append(headers)
    for row in rows:
        sheet.append([row[h] for h in headers])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _rate(label: str, rows: int, seconds: float) -> str:
    return f"{label}: {seconds:.2f}s, {rows / seconds:,.0f} rows/s"


def run(args) -> list[str]:
    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection

    from residents.models import Community, Grid, Membership, Resident, RosterImport
    from residents.rosters.services import roster_preview, roster_run

    size = 1_000 if args.quick else SIZE
    community, _ = Community.objects.get_or_create(
        code=COMMUNITY_CODE,
        defaults={"name": "导入基准社区", "street_office": "老街街道", "district": "源汇区"},
    )
    user, _ = get_user_model().objects.get_or_create(username="bench-import")
    Membership.objects.get_or_create(user=user, community=community, defaults={"role": "supervisor"})
    for n in range(1, 7):
        Grid.objects.get_or_create(community=community, name=f"第{n}网格")
    RosterImport.objects.filter(community=community).delete()
    Resident.objects.filter(community=community).delete()

    rows = _rows(size)
    csv_content, xlsx_content = _csv(rows), _xlsx(rows)
    lines = [
        f"database: {connection.vendor}; roster: {size:,} rows, CSV {len(csv_content) / 1e6:.1f} MB, "
        f".xlsx {len(xlsx_content) / 1e6:.1f} MB"
    ]

    started = time.perf_counter()
    roster_preview(user=user, community=community, file_name="bench.xlsx", content=xlsx_content)
    lines.append(_rate("preview .xlsx (read + check, nothing written)", size, time.perf_counter() - started))

    for label in ("create", "update"):
        started = time.perf_counter()
        roster_import = roster_preview(
            user=user, community=community, file_name="bench.csv", content=csv_content
        )
        preview_seconds = time.perf_counter() - started
        assert roster_import.valid_rows == size, roster_import.report[:5]
        RosterImport.objects.filter(pk=roster_import.pk).update(status=RosterImport.Status.QUEUED)
        started = time.perf_counter()
        status = roster_run(roster_import_id=roster_import.pk)
        run_seconds = time.perf_counter() - started
        roster_import.refresh_from_db()
        assert status == "done", roster_import.error
        done = roster_import.created_count if label == "create" else roster_import.updated_count
        assert done == size, (roster_import.created_count, roster_import.updated_count)
        if label == "create":
            lines.append(_rate("preview CSV (read + check, nothing written)", size, preview_seconds))
        lines.append(
            _rate(f"import CSV, {label} all (check again + write in one transaction)", size, run_seconds)
        )
    lines.append(
        f"residents in the bench community: {Resident.objects.filter(community=community).count():,}"
    )
    return lines
