"""The import's report: what was found in which row, stored so that each reader sees it in their own
language, and grouped by kind on the preview.

An entry is {row, column, reason, message, params, kind, level, resident?}: `message` is the English
text (the translation's key) and `params` its values, so `reason_text` says it in the reader's
language; `reason` is the text as the checking process said it (reports stored before kept only it).
`level` is "error" (the row is skipped) or "warning" (the row is imported, and this is said).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from residents.rosters.columns import FORMULA, ID_AS_NUMBER

ERROR, WARNING = "error", "warning"

# Kinds the preview explains once for all their rows, instead of row by row.
SHARED_PHONE = "shared_phone"
POSSIBLE_DUPLICATE = "possible_duplicate"
PHONE_UNVERIFIED = "phone_unverified"
UNKNOWN_COLUMN = "unknown_column"

EXPLANATIONS = {
    ID_AS_NUMBER: _(
        "Excel stored this column's ID numbers as numbers. A number keeps only 15 digits, so the last "
        "digits of an 18-digit ID number are lost and cannot be recovered from this file. To export them "
        "as text: in the system you exported from, choose “text” for the ID column; in Excel, format the "
        "column as Text (右键 → 设置单元格格式 → 文本) before typing or pasting the numbers, then save as "
        ".xlsx. Or import these rows now without their ID numbers: they are marked “ID number to be "
        "completed” so the office can add them later."
    ),
    FORMULA: _(
        "These cells hold a formula whose result was never saved in the file (it was written by a "
        "program, not by Excel). Open the file in Excel, save it, and upload it again."
    ),
    SHARED_PHONE: _(
        "A family often shares one phone: these rows are imported, with the number shared. Check that "
        "the number is right."
    ),
    POSSIBLE_DUPLICATE: _(
        "A resident with the same name is already registered, with another phone and no matching ID "
        "number. The row is imported as a new resident; if it is the same person, edit the existing one "
        "instead and leave the row out."
    ),
}


def _english(message) -> str:
    with translation.override("en"):
        return str(message)


def entry(
    row: int,
    column: str,
    message,
    params: dict | None = None,
    *,
    kind: str = "",
    level: str = ERROR,
    resident: int | None = None,
) -> dict:
    """A report entry; `message` a (lazy) translatable text with %(name)s placeholders for `params`."""
    found = {
        "row": row,
        "column": column,
        "reason": str(message) % params if params else str(message),
        "message": _english(message),
        "kind": kind,
        "level": level,
    }
    if params:
        found["params"] = {key: str(value) for key, value in params.items()}
    if resident:
        found["resident"] = resident
    return found


def from_validation_error(row: int, column: str, error: ValidationError, *, kind: str = "") -> list[dict]:
    return [
        entry(row, column, item.message, item.params, kind=kind or (item.code or ""))
        for item in error.error_list
    ]


def reason_text(found: dict) -> str:
    """The reason in the reader's language."""
    if "message" not in found:
        return found.get("reason", "")
    text = gettext(found["message"])
    params = found.get("params")
    if params:
        try:
            return text % params
        except (KeyError, TypeError, ValueError):
            return found.get("reason", "")
    return text


def is_error(found: dict) -> bool:
    return found.get("level", ERROR) == ERROR


def error_rows(report: Iterable[dict], header_row: int | None = None) -> set[int]:
    return {found["row"] for found in report if is_error(found) and found["row"] != header_row}


def rescuable_rows(report: Iterable[dict]) -> set[int]:
    """Rows whose only errors are an ID number Excel stored as a number: importable without it."""
    by_row: dict[int, set[str]] = {}
    for found in report:
        if is_error(found):
            by_row.setdefault(found["row"], set()).add(found.get("kind", ""))
    return {row for row, kinds in by_row.items() if kinds == {ID_AS_NUMBER}}


def _group_title(found: dict) -> str:
    """The reason shared by a group: its values (a grid's name, a row) shown as …."""
    if "message" not in found or not found.get("params"):
        return reason_text(found)
    try:
        return gettext(found["message"]) % dict.fromkeys(found["params"], "…")
    except (KeyError, TypeError, ValueError):
        return reason_text(found)


@dataclass
class Group:
    kind: str
    level: str
    title: str  # the reason, in the reader's language, shared by the group's rows
    explanation: str = ""
    entries: list[dict] = field(default_factory=list)
    rows: set[int] = field(default_factory=set)

    @property
    def count(self) -> int:
        return len(self.rows)


def grouped(report: Iterable[dict], *, shown_per_group: int = 200) -> list[Group]:
    """The problems by kind, errors first: one group per kind the preview explains once, else one
    per reason; each with its rows (at most `shown_per_group` entries listed)."""
    groups: dict[tuple, Group] = {}
    for found in report:
        kind = found.get("kind", "")
        level = found.get("level", ERROR)
        explained = kind in EXPLANATIONS
        key = (level, kind) if explained else (level, found.get("message") or found.get("reason", ""))
        group = groups.get(key)
        if group is None:
            group = groups[key] = Group(
                kind=kind, level=level, title=str(EXPLANATIONS[kind]) if explained else _group_title(found)
            )
        group.rows.add(found["row"])
        if len(group.entries) < shown_per_group:
            group.entries.append({**found, "text": reason_text(found)})
    return sorted(groups.values(), key=lambda group: (group.level != ERROR, -group.count))
