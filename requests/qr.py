"""QR codes drawn on the server with segno (no network, no script): an inline <svg> of paths with
presentation attributes only, which the Content-Security-Policy allows, and which prints sharp."""

import segno
from django.utils.safestring import SafeString, mark_safe


def qr_svg(text: str) -> SafeString:
    """`text` as a QR code (error correction M, the standard quiet zone of 4 modules), sized by CSS
    through its viewBox and the class `qr-code`."""
    code = segno.make(text, error="m", micro=False)
    # segno writes only numbers, paths and the colours given here: nothing of `text` as markup.
    return mark_safe(  # noqa: S308
        code.svg_inline(
            scale=1, border=4, omitsize=True, svgclass="qr-code", lineclass=None, dark="#000", light="#fff"
        )
    )
