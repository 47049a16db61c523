"""Photos before and after (DESIGN §3): checked by their first bytes, stored through Django's storage."""

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from requests.request_models import Attachment, ServiceRequest

MAX_PHOTO_BYTES = 8 * 1024 * 1024
MAX_PHOTOS_AT_ONCE = 9
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}


def sniff_image_type(head: bytes) -> str | None:
    """The content type of a JPEG, PNG, WebP or HEIC file from its first 16 bytes, else None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        return "image/heic"
    return None


def validate_photo(file) -> str:
    """The photo's content type; ValidationError({"photos": ...}) if it is too big or not a photo."""
    if file.size > MAX_PHOTO_BYTES:
        raise ValidationError(
            {"photos": _("%(name)s is larger than 8 MB.") % {"name": file.name}}, code="too_big"
        )
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    content_type = sniff_image_type(head)
    if content_type is None:
        raise ValidationError(
            {"photos": _("%(name)s is not a JPEG, PNG, WebP or HEIC photo.") % {"name": file.name}},
            code="not_a_photo",
        )
    return content_type


def validate_photos(files: Sequence) -> list[str]:
    if len(files) > MAX_PHOTOS_AT_ONCE:
        raise ValidationError({"photos": _("At most 9 photos at a time.")}, code="too_many")
    return [validate_photo(f) for f in files]


def save_photos(sr: ServiceRequest, files: Sequence, content_types: list[str], *, kind, actor, at) -> list:
    """Store already validated files. A file written for a transaction that then rolls back stays
    behind in storage, unreferenced; the database never points to a missing file."""
    saved = []
    for file, content_type in zip(files, content_types, strict=True):
        attachment = Attachment(
            request=sr,
            kind=kind,
            content_type=content_type,
            size=file.size,
            uploaded_by=actor,
            uploaded_at=at,
        )
        attachment.file.save(file.name, file, save=False)
        attachment.save()
        saved.append(attachment)
    return saved
