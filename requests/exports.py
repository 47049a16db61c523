"""The filtered request list as .xlsx or .csv (DESIGN §6: phones masked, every export logged).

The rows are exactly the list's (the same selector and filters, a dashboard figure included), so
a download agrees with the screen; writing, file names and the access log are residents/tabular.py's.
"""

from collections import Counter

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from requests.request_models import ServiceRequest
from residents import tabular
from residents.people import person_name
from residents.phones import mask_phone


def columns() -> list[tabular.TableColumn]:
    return [
        tabular.TableColumn(_("reference"), 18, text=True),
        tabular.TableColumn(_("logged at"), 17),
        tabular.TableColumn(_("community"), 12),
        tabular.TableColumn(_("source"), 10),
        tabular.TableColumn(_("category"), 20),
        tabular.TableColumn(_("resident"), 10),
        tabular.TableColumn(_("mobile phone"), 14, text=True),
        tabular.TableColumn(_("grid"), 10),
        tabular.TableColumn(_("status"), 14),
        tabular.TableColumn(_("handler"), 10),
        tabular.TableColumn(_("accept by"), 17),
        tabular.TableColumn(_("resolve by"), 17),
        tabular.TableColumn(_("resolved at"), 17),
        tabular.TableColumn(_("rating"), 10),
    ]


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _person(user) -> str:
    return "" if user is None else person_name(user)


def rows(queryset: QuerySet[ServiceRequest]):
    """One line per request, phones masked, read in chunks (a database iterator)."""
    related = queryset.select_related(
        "community", "category", "category__parent", "resident", "grid", "handler"
    )
    for sr in related.iterator(chunk_size=2000):
        resident = sr.resident
        yield [
            sr.reference,
            _when(sr.logged_at),
            sr.community.name,
            sr.get_source_display(),
            sr.category.label,
            resident.name if resident else _("anonymous"),
            mask_phone(resident.phone) if resident else "",
            sr.grid.name if sr.grid else "",
            str(sr.state_label),
            _person(sr.handler),
            _when(sr.accept_due_at),
            _when(sr.resolve_due_at),
            _when(sr.resolved_at),
            sr.get_rating_display() if sr.rating else "",
        ]


def download(
    *, actor, queryset: QuerySet[ServiceRequest], file_format: str, filters: dict, community_name: str
):
    """Log the export (per community, with its row count), then answer the file."""
    chosen = tabular.FORMATS[file_format]
    counts = Counter(queryset.order_by().values_list("community_id", flat=True))
    tabular.log_export(
        actor=actor,
        counts=dict(counts),
        community_ids=sorted(counts) or [],
        detail=_("request list"),
        filters={key: tabular.masked_for_log(str(value)) for key, value in filters.items()},
    )
    name = tabular.export_filename(
        title=_("requests"), community_name=community_name, filtered=bool(filters), suffix=chosen.suffix
    )
    return tabular.download_response(
        columns(), rows(queryset), file_format=chosen, filename=name, sheet_title=_("requests")
    )
