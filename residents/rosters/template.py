"""The roster template (.xlsx): the headers, and the phone, ID and address columns formatted as text."""

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from residents.rosters.columns import COLUMNS, TEXT_FORMAT_FIELDS

TEXT_ROWS = 2000  # rows pre-formatted as text, so a typed phone or ID is never turned into a number


def template_workbook() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "居民名册"
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        cell = sheet.cell(row=1, column=index, value=column.header)
        cell.font, cell.fill, cell.number_format = bold, fill, "@"
        sheet.column_dimensions[letter].width = column.width
        if column.field in TEXT_FORMAT_FIELDS:
            for row in range(2, TEXT_ROWS + 2):
                sheet.cell(row=row, column=index).number_format = "@"
    sheet.freeze_panes = "A2"

    notes = workbook.create_sheet(_("How to fill in"))
    notes.column_dimensions["A"].width = 14
    notes.column_dimensions["B"].width = 80
    lines = [
        ("姓名", _("Required.")),
        ("手机号", _("11-digit mobile or a landline with its area code. Keep the column formatted as text.")),
        ("联系人", _("Whose phone it is, when it is not the resident's own; 与居民关系: e.g. 女儿.")),
        ("小区 楼栋 单元 房号", _("The address, e.g. 冶金厂家属院, 3, 2, 501.")),
        ("网格", _("The grid's name exactly as in Doorstep; leave empty if unknown.")),
        ("身份证号", _("18 characters. Keep the column formatted as text, or Excel loses the last digits.")),
        ("独居老人 行动不便 残疾 低保", _("是 or 否; empty means 否.")),
        ("短信同意", _("是 only if the resident agreed to receive status SMS.")),
        ("备注", _("Anything else staff should know.")),
        (
            "",
            _(
                "Only the first sheet is imported. A row with the same ID number, or the same name and "
                "phone, as a resident already registered updates that resident; an empty phone or ID cell "
                "keeps what is stored."
            ),
        ),
    ]
    for row, (header, text) in enumerate(lines, start=1):
        notes.cell(row=row, column=1, value=header).font = bold
        cell = notes.cell(row=row, column=2, value=str(text))
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
