"""Roster import and export pages: parse the request, call a service or selector, render (thin views).

Only supervisors and administrators (Can.IMPORT_EXPORT) reach them: another community's import
answers 404, a member without the capability 403.
"""

import csv
import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from residents import exports, tabular
from residents.models import RosterImport
from residents.roles import Can
from residents.rosters import selectors
from residents.rosters.forms import RosterExportForm, RosterUploadForm
from residents.rosters.reading import RosterFileError
from residents.rosters.report import reason_text
from residents.rosters.services import (
    RosterActionError,
    RosterChanged,
    roster_confirm,
    roster_discard,
    roster_preview,
)
from residents.rosters.template import template_workbook
from residents.scoping import communities_where, get_scoped_or_404, places, require


def _import_export_communities(user) -> list[int]:
    """The communities where the user may import and export: 403 for a member who may not, else 404."""
    community_ids = communities_where(user, Can.IMPORT_EXPORT)
    if not community_ids:
        if places(user):
            raise PermissionDenied
        raise Http404
    return sorted(community_ids)


def _roster_import(request, pk: int, *, with_report: bool = True) -> RosterImport:
    queryset = selectors.roster_import_for_page(RosterImport.objects.all(), with_report=with_report)
    roster_import = get_scoped_or_404(queryset, request.user, pk=pk)
    require(request.user, roster_import.community_id, Can.IMPORT_EXPORT)
    return roster_import


def roster_import(request):
    community_ids = _import_export_communities(request.user)
    posted = request.method == "POST"
    form = RosterUploadForm(
        request.POST if posted else None, request.FILES if posted else None, community_ids=community_ids
    )
    if posted and form.is_valid():
        community = form.cleaned_data["community"]
        require(request.user, community.pk, Can.IMPORT_EXPORT)
        upload = form.cleaned_data["file"]
        try:
            created = roster_preview(
                user=request.user, community=community, file_name=upload.name, content=upload.read()
            )
        except RosterFileError as exc:
            form.add_error("file", exc.message)
        else:
            return redirect("residents:roster_import_detail", pk=created.pk)
    context = {"form": form, "imports": selectors.recent_imports(user=request.user)}
    return render(request, "residents/roster_import.html", context)


@require_GET
def roster_import_detail(request, pk: int):
    roster_import = _roster_import(request, pk, with_report=not request.htmx)  # the bar polls every second
    progress = selectors.roster_progress(roster_import)
    context = {"roster_import": roster_import, "progress": progress}
    if request.htmx:
        response = render(request, "residents/roster_progress.html", context)
        if not progress.polling:
            response["HX-Refresh"] = "true"  # show the final report
        return response
    groups, rescuable = selectors.report_page(roster_import)
    context.update(
        groups=groups,
        rescuable=rescuable,
        sample=selectors.preview_sample(roster_import=roster_import),
        invalid_rows=roster_import.total_rows - roster_import.valid_rows,
        may_act=roster_import.uploaded_by_id == request.user.pk,
    )
    return render(request, "residents/roster_import_detail.html", context)


@require_POST
def roster_import_confirm(request, pk: int):
    roster_import = _roster_import(request, pk, with_report=False)
    try:
        queued = roster_confirm(
            user=request.user,
            roster_import=roster_import,
            language=get_language(),
            ids_pending=request.POST.get("ids_pending") == "1",
        )
    except RosterChanged as exc:
        messages.warning(request, exc.message)
    except RosterActionError as exc:
        messages.error(request, exc.message)
    else:
        if queued:
            messages.success(request, _("The import is queued. This page shows its progress."))
        else:
            messages.info(request, _("This roster was already confirmed; it is imported only once."))
    return redirect("residents:roster_import_detail", pk=roster_import.pk)


@require_POST
def roster_import_discard(request, pk: int):
    roster_import = _roster_import(request, pk, with_report=False)
    try:
        roster_discard(user=request.user, roster_import=roster_import)
    except RosterActionError as exc:
        messages.error(request, exc.message)
        return redirect("residents:roster_import_detail", pk=roster_import.pk)
    messages.success(request, _("The uploaded file was discarded. Nothing was imported."))
    return redirect("residents:roster_import")


@require_GET
def roster_import_report(request, pk: int):
    """The whole report as CSV (row, column, reason): reasons only, no personal data."""
    roster_import = _roster_import(request, pk)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_("Row"), _("Column"), _("Reason")])
    for entry in roster_import.report or []:
        writer.writerow([entry.get("row"), entry.get("column"), reason_text(entry)])
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    name = _("report") + f"-{roster_import.file_name.rsplit('.', 1)[0]}.csv"
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=name)
    return response


@require_GET
def roster_template(request):
    _import_export_communities(request.user)
    response = HttpResponse(template_workbook(), content_type=tabular.XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename="居民名册模板.xlsx"
    )
    return response


@require_GET
def roster_export(request):
    """Without `download`, the filters and how many residents match; with it, the file (logged)."""
    community_ids = _import_export_communities(request.user)
    form = RosterExportForm(request.GET or None, community_ids=community_ids)
    if not form.is_bound:
        form = RosterExportForm(community_ids=community_ids)
        filters = exports.ExportFilters()
    elif form.is_valid():
        filters = form.filters()
        file_format = form.cleaned_data.get("download")
        if file_format:
            return _download(request, form, file_format)
    else:
        return render(request, "residents/roster_export.html", {"form": form, "count": None}, status=200)
    count = exports.export_queryset(user=request.user, filters=filters).count()
    return render(request, "residents/roster_export.html", {"form": form, "count": count})


def _download(request, form: RosterExportForm, file_format: str):
    filters = form.filters()
    community = form.cleaned_data.get("community")
    if community:
        require(request.user, community.pk, Can.IMPORT_EXPORT)
    exports.log_export(user=request.user, filters=filters, file_format=file_format)
    queryset = exports.export_queryset(user=request.user, filters=filters)
    allowed = communities_where(request.user, Can.IMPORT_EXPORT)
    if community is not None:
        community_name = community.name
    elif len(allowed) == 1:  # the one community they export from, not "all"
        community_name = places(request.user)[allowed[0]].community_name
    else:
        community_name = _("all")
    name = exports.export_filename(community_name=community_name, filters=filters, file_format=file_format)
    return tabular.download_response(
        exports.TABLE,
        exports.rows(queryset),
        file_format=tabular.FORMATS[file_format],
        filename=name,
        sheet_title=exports.SHEET_TITLE,
    )
