"""What "a refused action changes nothing" compares: every row of the apps' tables, and the files.

Every model of residents, desks and requests is read, so a table a later issue adds (the SMS
outbox, say) is compared without anyone remembering to add it here.
"""

from pathlib import Path

from django.apps import apps

APPS = ("residents", "desks", "requests")


def everything(media: Path | None = None) -> dict[str, list]:
    rows: dict[str, list] = {}
    for label in APPS:
        for model in apps.get_app_config(label).get_models():
            rows[model._meta.label] = list(model.objects.order_by("pk").values())
    if media is not None:
        rows["files"] = files(media)
    return rows


def files(media: Path) -> list[str]:
    return sorted(str(path.relative_to(media)) for path in Path(media).rglob("*"))


def differences(before: dict[str, list], after: dict[str, list]) -> list[str]:
    """The tables (or "files") that differ, for a readable assertion message."""
    return sorted(name for name in before.keys() | after.keys() if before.get(name) != after.get(name))
