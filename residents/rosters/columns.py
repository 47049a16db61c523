"""The columns of a roster: canonical Chinese headers, accepted aliases, and how cells become values."""

import re
from dataclasses import dataclass
from datetime import date, datetime, time

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Column:
    field: str  # a Resident field, or "grid" / "community" / "id_number"
    header: str  # what the template and exports write
    aliases: tuple[str, ...]
    kind: str  # text, phone, id_number, flag, grid, community
    max_length: int = 0
    width: int = 12  # characters, in the template and the .xlsx export


COMMUNITY = Column("community", "社区", ("社区", "社区名称", "community"), "community", width=14)

COLUMNS: tuple[Column, ...] = (
    Column("name", "姓名", ("姓名", "名字", "居民姓名", "name", "residentname"), "text", 50, 10),
    Column(
        "phone",
        "手机号",
        ("手机号", "手机号码", "手机", "联系电话", "电话", "phone", "mobile", "mobilephone"),
        "phone",
        width=15,
    ),
    Column("contact_name", "联系人", ("联系人", "contact", "contactname", "contactperson"), "text", 50, 10),
    Column(
        "contact_relation",
        "与居民关系",
        ("与居民关系", "关系", "联系人关系", "relation", "contactrelation", "relationtotheresident"),
        "text",
        20,
        10,
    ),
    Column("compound", "小区", ("小区", "小区名称", "compound"), "text", 60, 16),
    Column("building", "楼栋", ("楼栋", "楼号", "楼", "栋", "building"), "text", 20, 8),
    Column("unit", "单元", ("单元", "unit"), "text", 20, 8),
    Column("room", "房号", ("房号", "门牌号", "室", "room"), "text", 20, 8),
    Column("grid", "网格", ("网格", "所属网格", "grid"), "grid", width=12),
    Column(
        "id_number",
        "身份证号",
        ("身份证号", "身份证号码", "身份证", "公民身份号码", "idnumber", "id"),
        "id_number",
        width=22,
    ),
    Column(
        "lives_alone", "独居老人", ("独居老人", "独居", "livesalone", "elderlylivingalone"), "flag", width=9
    ),
    Column("limited_mobility", "行动不便", ("行动不便", "limitedmobility"), "flag", width=9),
    Column("disability", "残疾", ("残疾", "残疾人", "disability"), "flag", width=7),
    Column("low_income", "低保", ("低保", "低保户", "lowincome", "minimumlivingallowance"), "flag", width=7),
    Column(
        "sms_consent",
        "短信同意",
        ("短信同意", "同意短信", "smsconsent", "agreestostatussms"),
        "flag",
        width=9,
    ),
    Column("notes", "备注", ("备注", "notes", "note", "remarks"), "text", 2000, 24),
)

BY_FIELD = {column.field: column for column in (COMMUNITY, *COLUMNS)}
TEXT_FORMAT_FIELDS = {"phone", "id_number", "building", "unit", "room"}  # Excel must keep these as text

_HEADER_NOTE = re.compile(r"[(（【\[][^)）】\]]*[)）】\]]")
_HEADER_NOISE = re.compile(r"[\s*＊:：()（）\[\]【】_\-]")


def header_key(text) -> str:
    """'手机号 *', '手机号（必填）', 'Mobile phone', 'ID_number' → a lookup key."""
    return _HEADER_NOISE.sub("", _HEADER_NOTE.sub("", str(text or ""))).lower()


ALIASES: dict[str, Column] = {
    header_key(alias): column
    for column in (COMMUNITY, *COLUMNS)
    for alias in (*column.aliases, column.header)
}

YES = {"是", "有", "y", "yes", "true", "1", "√", "✓", "✔", "同意"}
NO = {"", "否", "无", "n", "no", "false", "0", "×", "✗", "不同意", "-"}

_FULL_WIDTH = str.maketrans("０１２３４５６７８９Ｘｘ＋－（）　", "0123456789Xx+-() ")
_EXCEL_TEXT_FORMULA = re.compile(r'^="(.*)"$')
SCIENTIFIC = re.compile(r"^\d(\.\d+)?[eE]\+?\d+$")


class CellError(ValueError):
    """A cell that cannot be read; the message says why, in words a supervisor can act on."""

    def __init__(self, message, kind: str = ""):
        super().__init__(message)
        self.kind = kind


class FormulaWithoutValue:
    """An .xlsx cell holding a formula whose result was never saved (a program wrote the file and
    Excel never calculated it): reading it gives nothing, which is not the same as an empty cell."""

    def __str__(self) -> str:
        return "="

    def __repr__(self) -> str:
        return "FormulaWithoutValue()"


FORMULA_WITHOUT_VALUE = FormulaWithoutValue()
ID_AS_NUMBER = "id_number_as_number"
FORMULA = "formula_without_value"


def _refuse_formula(value) -> None:
    if isinstance(value, FormulaWithoutValue):
        raise CellError(
            _(
                "This cell holds a formula with no saved value. Open the file in Excel, save it, "
                "and upload it again."
            ),
            FORMULA,
        )


def clean_text(value) -> str:
    """A cell as text: full-width digits made plain, Excel's ="0501" and '0501 tricks undone."""
    if value is None:
        return ""
    _refuse_formula(value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime | date | time):
        raise CellError(_("Excel turned this cell into a date. Format the column as text and type it again."))
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    text = str(value).translate(_FULL_WIDTH).strip()
    match = _EXCEL_TEXT_FORMULA.match(text)
    if match:
        text = match.group(1).strip()
    if text.startswith("'"):
        text = text[1:].strip()
    return text


def phone_text(value) -> str:
    """A phone cell: a number Excel stored as a number is still whole (11 digits fit), a decimal is not."""
    if isinstance(value, float) and not value.is_integer():
        raise CellError(_("This phone number was stored as a decimal number. Format the column as text."))
    text = clean_text(value)
    if "*" in text:
        raise CellError(
            _("This phone number is masked, as exports show it. An import needs the full number.")
        )
    if SCIENTIFIC.match(text):
        raise CellError(
            _(
                "This phone number was written in scientific notation and its last digits are lost. "
                "Format the column as text and type the number again."
            )
        )
    return text


def id_number_text(value) -> str:
    """An ID cell must be text: Excel keeps 15 digits of a number, so an 18-digit ID loses its last 3."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise CellError(
            _(
                "This ID number was stored as a number, and Excel keeps only 15 digits, so its last digits "
                "are lost. Format the column as text and type the ID number again."
            ),
            ID_AS_NUMBER,
        )
    text = clean_text(value).replace(" ", "")
    if "*" in text:
        raise CellError(_("This ID number is masked, as exports show it. An import needs the full number."))
    if SCIENTIFIC.match(text):
        raise CellError(
            _(
                "This ID number was written in scientific notation and its last digits are lost. "
                "Format the column as text and type the ID number again."
            ),
            ID_AS_NUMBER,
        )
    return text


def flag_value(value) -> bool:
    if isinstance(value, bool):
        return value
    text = clean_text(value).lower()
    if text in YES:
        return True
    if text in NO:
        return False
    raise CellError(_("Write 是 (yes) or 否 (no), or leave the cell empty."))
