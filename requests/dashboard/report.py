"""The monthly report handed to the street office (DESIGN §5) and the dashboard's chart data.

Both are built from requests/dashboard/selectors.py, the same reads the dashboard shows, so a
report cell equals the figure on the screen and the count of the list behind it.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import replace

from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from requests import clock
from requests.dashboard import selectors
from requests.dashboard.figures import RATES, Period
from residents.models import Community

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def chart_data(context: dict) -> dict:
    """What the dashboard's charts draw (the same numbers its tables show)."""
    return {
        "per_day": {
            "labels": [row["label"] for row in context["per_day"]],
            "logged": [row["logged"] for row in context["per_day"]],
            "closed": [row["closed"] for row in context["per_day"]],
            "names": [_("logged"), _("closed")],
        },
        "by_category": {
            "labels": [row["name"] for row in context["by_category"]],
            "values": [row["numbers"]["logged"].value for row in context["by_category"]],
        },
        "by_grid": {
            "labels": [row["name"] for row in context["by_grid"]],
            "values": [row["numbers"]["logged"].value for row in context["by_grid"]],
        },
        "status_now": {
            "labels": [str(row["label"]) for row in context["status_now"]],
            "values": [row["n"] for row in context["status_now"]],
        },
        "workload": {
            "labels": [row["name"] for row in context["workload"]],
            "open": [row["open"] for row in context["workload"]],
            "due_soon": [row["due_soon"] for row in context["workload"]],
            "overdue": [row["overdue"] for row in context["workload"]],
            "names": [_("open"), _("due soon"), _("overdue")],
        },
    }


def monthly(scope: selectors.Scope, period: Period, at: dt.datetime) -> list[dict]:
    """Per community of the scope: totals, per category group, per grid, and the desk's work."""
    sections = []
    communities = Community.objects.filter(pk__in=scope.community_ids).order_by("name")
    for community in communities:
        one = replace(scope, community_ids=(community.pk,))
        totals = selectors.figures(one, period, at)
        sections.append(
            {
                "community": community,
                "totals": totals,
                "by_category": selectors.by_group(one, period, at, "category"),
                "by_grid": selectors.by_group(one, period, at, "grid"),
                "desk": selectors.desk_work(one, period),
                "households": selectors.households(one, period, clock.local(at).date()),
            }
        )
    return sections


def _rate(number) -> str:
    return "—" if number.value is None else f"{number.value * 100:.1f}%"


def columns() -> list[str]:
    return [
        _("Group"),
        pgettext("report column", "Logged"),
        _("Answered on the spot"),
        pgettext("report column", "Resolved"),
        _("On time"),
        _("Response rate"),
        _("On-time resolution rate"),
        _("Satisfaction rate"),
    ]


def row_cells(name: str, numbers: dict, resolved: int) -> list:
    return [
        name,
        numbers["logged"].value,
        numbers["first_contact"].hit,
        resolved,
        numbers["on_time"].hit,
        *[_rate(numbers[rate]) for rate in RATES if rate != "first_contact"],
    ]


def monthly_xlsx(sections: list[dict], first: dt.date, last: dt.date) -> HttpResponse:
    """A sheet per community, formatted for printing: a title, bold frozen header, column widths."""
    book = Workbook()
    book.remove(book.active)
    for section in sections:
        sheet = book.create_sheet(title=section["community"].name[:31])
        sheet.append(
            [
                _("Monthly report · %(community)s · %(first)s – %(last)s")
                % {"community": section["community"].name, "first": first, "last": last}
            ]
        )
        sheet["A1"].font = Font(bold=True, size=13)
        sheet.append(columns())
        for cell in sheet[2]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.freeze_panes = "A3"
        totals = section["totals"]
        sheet.append(row_cells(_("All requests"), totals, _resolved_total(section)))
        sheet.append([_("By category")])
        for row in section["by_category"]:
            sheet.append(row_cells(row["name"], row["numbers"], row["resolved"]))
        sheet.append([_("By grid")])
        for row in section["by_grid"]:
            sheet.append(row_cells(row["name"], row["numbers"], row["resolved"]))
        desk = section["desk"]
        sheet.append([])
        sheet.append([_("Desk sessions held"), desk["held"]])
        sheet.append([_("Residents served"), desk["served"]])
        sheet.append([_("Health screenings"), desk["screenings"]])
        sheet.append([_("Flagged readings"), desk["flagged"]])
        households = section["households"]
        sheet.append([_("Households linked"), households["linked"]])
        sheet.append(
            [
                _("Households not visited within %(days)s days") % {"days": households["days"]},
                households["not_visited"],
            ]
        )
        sheet.append([_("Household visits"), households["visits"]])
        sheet.append([_("Requests brought in by visits"), households["requests"]])
        sheet.append([_("Volunteer hours"), float(households["hours"])])
        for index, width in enumerate([22, 10, 14, 10, 10, 14, 16, 14], start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.fitToWidth = 1
        sheet.print_title_rows = "2:2"
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    name = f"monthly-report-{first:%Y%m%d}-{last:%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _resolved_total(section: dict) -> int:
    return sum(row["resolved"] for row in section["by_category"])
