"""党员联户 and 志愿服务 pages: my households, the supervisor's links, volunteer hours.

Recording a visit (optionally with a request in the same step) is a `requests` page, which may
call desks (DESIGN §3); these pages link to it by URL name only.
"""

import datetime as dt
import io

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from openpyxl import Workbook
from openpyxl.styles import Font

from desks import household_selectors as selectors
from desks.household_forms import EndLinkForm, HoursCorrectionForm, HoursFilterForm, LinkForm
from desks.household_models import HouseholdLink
from desks.models import DeskSession
from desks.services import households as services
from desks.services.common import DeskError
from desks.views.common import community_for, parse_int, reverse_or_none, today
from residents.models import Community, Resident
from residents.people import person_name
from residents.roles import Can
from residents.scoping import get_scoped_or_404, places, require

VISIT_URL = "requests:visit_create"  # ?resident=<pk>


def _community(request: HttpRequest, capability: Can, title: str):
    """The community of the page; 404 for one the user does not belong to."""
    wanted = parse_int(request.GET.get("community") or request.POST.get("community"))
    if wanted is not None and wanted not in places(request.user):
        raise Http404
    community, choices = community_for(request, capability)
    if community is None:
        return None, render(request, "desks/choose_community.html", {"choices": choices, "title": title})
    return community, None


@require_GET
def my_households(request: HttpRequest) -> HttpResponse:
    """The households I look after, each with its last visit; those due a visit first."""
    community, chooser = _community(request, Can.LOG_REQUESTS, _("My households"))
    if chooser:
        return chooser
    day = today()
    days = selectors.visit_days()
    rows = selectors.households(community_id=community.pk, member_id=request.user.pk, today=day)
    for household in rows:
        household.is_due = household.due(day, days)
    due = [h for h in rows if h.is_due]
    return render(
        request,
        "desks/households.html",
        {
            "community": community,
            "households": sorted(rows, key=lambda h: (not h.is_due, h.address)),
            "due_count": len(due),
            "days": days,
            "today": day,
            "visit_url": reverse_or_none(VISIT_URL),
        },
    )


@require_http_methods(["GET", "POST"])
def household_links(request: HttpRequest) -> HttpResponse:
    """The supervisor links households (a building, a unit, named residents) to members."""
    community, chooser = _community(request, Can.SUPERVISE, _("Household links"))
    if chooser:
        return chooser
    members = selectors.volunteers(community_id=community.pk)
    form = LinkForm(request.POST or None, community=community, members=members)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            link = services.link_create(
                by=request.user,
                community=community,
                member=data["member"],
                kind=data["kind"],
                compound=data["compound"],
                building=data["building"],
                unit=data["unit"],
                residents=list(data["residents"]),
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        except DeskError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Linked: %(link)s.") % {"link": link})
            return redirect(f"{request.path}?community={community.pk}")
    links = (
        HouseholdLink.objects.filter(community=community)
        .select_related("member")
        .prefetch_related("residents")
        .order_by("-starts_on", "-id")
    )
    return render(
        request,
        "desks/household_links.html",
        {"community": community, "form": form, "links": links, "today": today()},
    )


@require_POST
def household_link_end(request: HttpRequest, pk: int) -> HttpResponse:
    link = get_scoped_or_404(HouseholdLink.objects.all(), request.user, pk=pk)
    require(request.user, link.community_id, Can.SUPERVISE)
    form = EndLinkForm(request.POST)
    if form.is_valid():
        try:
            services.link_end(by=request.user, link=link, ends_on=form.cleaned_data["ends_on"])
            messages.success(request, _("The link ends on %(day)s.") % {"day": form.cleaned_data["ends_on"]})
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect(f"/desks/households/links/?community={link.community_id}")


@require_GET
def resident_households(request: HttpRequest, pk: int) -> HttpResponse:
    """Who looks after a resident's household and the last visits (a fragment for the resident page)."""
    resident = get_scoped_or_404(Resident.objects.all(), request.user, pk=pk)
    return render(
        request,
        "desks/_resident_households.html",
        {
            "resident": resident,
            "links": selectors.looked_after_by(resident=resident, today=today()),
            "visits": selectors.visits_of(resident=resident),
            "visit_url": reverse_or_none(VISIT_URL),
        },
    )


def _year(request) -> int:
    return HoursFilterForm(request.GET).year_or_this()


@require_GET
def my_hours(request: HttpRequest) -> HttpResponse:
    """My volunteer hours for a year; ?print=1 is the one-page yearly record."""
    community, chooser = _community(request, Can.VIEW_RESIDENTS, _("My volunteer hours"))
    if chooser:
        return chooser
    year = _year(request)
    lines = selectors.hours_lines(
        community_id=community.pk,
        member_ids=[request.user.pk],
        first=dt.date(year, 1, 1),
        last=dt.date(year, 12, 31),
    ).get(request.user.pk, [])
    template = "desks/hours_print.html" if request.GET.get("print") else "desks/hours.html"
    return render(
        request,
        template,
        {
            "community": community,
            "year": year,
            "lines": lines,
            "total": selectors.total(lines),
            "person": request.user,
        },
    )


def _team_table(community: Community, year: int):
    members = selectors.volunteers(community_id=community.pk)
    lines = selectors.hours_lines(
        community_id=community.pk,
        member_ids=[m.pk for m in members],
        first=dt.date(year, 1, 1),
        last=dt.date(year, 12, 31),
    )
    rows = []
    for member in members:
        months = [0] * 12
        for line in lines.get(member.pk, []):
            months[line.day.month - 1] += line.hours
        rows.append({"member": member, "months": months, "total": sum(months)})
    return rows


@require_GET
def team_hours(request: HttpRequest) -> HttpResponse:
    """Hours per volunteer per month for the supervisor; ?format=xlsx downloads them."""
    community, chooser = _community(request, Can.SUPERVISE, _("Volunteer hours"))
    if chooser:
        return chooser
    year = _year(request)
    rows = _team_table(community, year)
    if request.GET.get("format") == "xlsx":
        return _hours_xlsx(community, year, rows)
    return render(request, "desks/team_hours.html", {"community": community, "year": year, "rows": rows})


def _hours_xlsx(community: Community, year: int, rows) -> HttpResponse:
    book = Workbook()
    sheet = book.active
    sheet.title = str(year)
    sheet.append([_("member"), *[_("%(month)s月") % {"month": m} for m in range(1, 13)], _("total")])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for row in rows:
        sheet.append([person_name(row["member"]), *[float(h) for h in row["months"]], float(row["total"])])
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="volunteer-hours-{community.code}-{year}.xlsx"'
    return response


@require_http_methods(["GET", "POST"])
def session_hours(request: HttpRequest, pk: int) -> HttpResponse:
    """A closed session's team with their hours; the supervisor corrects one with a reason."""
    session = get_scoped_or_404(DeskSession.objects.select_related("stop"), request.user, pk=pk)
    require(request.user, session.community_id, Can.SUPERVISE)
    form = HoursCorrectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        member = get_object_or_404(session.team.all(), pk=form.cleaned_data["member"])
        try:
            services.hours_correct(
                by=request.user,
                session=session,
                member=member,
                hours=form.cleaned_data["hours"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        except DeskError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Hours corrected for %(name)s.") % {"name": person_name(member)})
            return redirect(request.path)
    team = list(session.team.order_by("last_name", "first_name", "id"))
    lines = selectors.hours_lines(
        community_id=session.community_id,
        member_ids=[m.pk for m in team],
        first=session.date,
        last=session.date,
    )
    rows = []
    for member in team:
        mine = [line for line in lines.get(member.pk, []) if line.session and line.session.pk == session.pk]
        rows.append({"member": member, "line": mine[0] if mine else None})
    return render(request, "desks/session_hours.html", {"session": session, "rows": rows, "form": form})
