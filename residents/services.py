"""Actions on the resident register: add, edit, anonymise, and the logged looks at personal data.

Each function checks the actor's role in the resident's community (DESIGN §4.2), writes in its own
transaction and, where personal data is shown or removed, an AccessLog row (DESIGN §6).

Who may anonymise: §4.2 does not name it. Anonymising removes a person's data for good, so it is
kept to those who may both edit residents and read the access log — supervisors and
administrators (`can_anonymise`).
"""

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from residents import addresses, idnumbers
from residents.models import AccessLog, Community, Resident, violates_id_number_unique
from residents.pinyin import name_readings
from residents.roles import Can
from residents.scoping import can, require
from residents.selectors import resident_with_id_number

ANONYMISED_NAME = "已匿名居民"

# The one list of a resident's editable fields: the resident form, the admin (with `community`) and
# the roster's columns all set these. Phone and ID number arrive normalised (phones.normalize_phone,
# idnumbers.normalize_id_number) under "phone" and "id_number". A key left out of `data` keeps its value.
EDITABLE_FIELDS = (
    "name",
    "grid",
    "contact_name",
    "contact_relation",
    "compound",
    "building",
    "unit",
    "room",
    "birth_date",
    "notes",
    *Resident.CONSENTS,
    *Resident.FLAGS,
)

# Everything anonymising rewrites; community and grid stay, so the figures per grid stay right.
ANONYMISED_FIELDS = [
    "name",
    "name_pinyin",
    "phone",
    "contact_name",
    "contact_relation",
    "compound",
    "building",
    "unit",
    "room",
    "id_number_encrypted",
    "id_number_hmac",
    "id_number_masked",
    "birth_date",
    "notes",
    *Resident.FLAGS,
    *Resident.CONSENTS,
    *(f"{consent}_at" for consent in Resident.CONSENTS),
    "anonymised_at",
    "updated_at",
]


class ResidentError(Exception):
    """An action the resident's state does not allow; the view shows the message, nothing changes."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def id_number_taken(other: Resident | None) -> ValidationError:
    """The error for an ID number `other` of the same community already has. It names that resident,
    whom the caller (allowed to edit this community's residents) may see anyway."""
    if other is None:  # removed since the database refused the write
        message = _("This ID number is already registered for another resident.")
    else:
        message = _("This ID number is already registered for %(name)s (%(address)s).") % {
            "name": other.name,
            "address": other.address or "—",
        }
    return ValidationError(message, code="duplicate")


def _id_number_refused(*, community_id: int, fingerprint: str, exclude_pk: int | None = None):
    """The ValidationError on `id_number` for a write ID_NUMBER_UNIQUE refused."""
    other = resident_with_id_number(community_id=community_id, fingerprint=fingerprint, exclude_pk=exclude_pk)
    return ValidationError({"id_number": id_number_taken(other)})


def can_anonymise(user, community_id: int) -> bool:
    return can(user, community_id, Can.EDIT_RESIDENTS) and can(user, community_id, Can.VIEW_ACCESS_LOG)


@dataclass(frozen=True)
class Prepared:
    """What writing a resident computes from a name and an ID number, done ahead of a bulk write
    (the roster import prepares it outside its one transaction)."""

    name_pinyin: str = ""
    id_fingerprint: str = ""
    id_encrypted: str = ""


def resident_prepare(data: dict[str, Any]) -> Prepared:
    id_number = data.get("id_number") or ""
    return Prepared(
        name_pinyin=name_readings(str(data.get("name") or "").strip()),
        id_fingerprint=idnumbers.fingerprint(id_number) if id_number else "",
        id_encrypted=idnumbers.encrypt(id_number) if id_number else "",
    )


def resident_apply(
    resident: Resident, data: dict[str, Any], *, now, prepared: Prepared | None = None
) -> list[str]:
    """Copy `data` onto the resident, unsaved; the names of the fields that changed.

    The one place for a resident's rules: the pinyin readings follow the name, a consent that
    changes is dated `now`, an ID number is stored encrypted with its HMAC and masked form (an empty
    one clears it), a grid must be of the resident's community. `grid` is a Grid; `grid_id` an id the
    caller found in the resident's community (the roster import, by the grid's name).
    """
    changed: list[str] = []
    community = data.get("community")
    if community is not None and community.pk != resident.community_id:  # the admin moves residents
        resident.community = community
        changed.append("community")
    grid = data.get("grid")
    if grid is not None and grid.community_id != resident.community_id:
        raise ValidationError({"grid": _("This grid belongs to another community.")})
    for field in EDITABLE_FIELDS:
        if field not in data:
            continue
        value = data[field]
        if isinstance(value, str):
            value = value.strip()
        if field in addresses.NORMALISERS:  # 9号楼, 9栋, 九号楼 → 9
            value = addresses.NORMALISERS[field](value)
        if field == "grid":
            if resident.grid_id != (value.pk if value else None):
                resident.grid = value
                changed.append("grid")
            continue
        if getattr(resident, field) != value:
            setattr(resident, field, value)
            changed.append(field)
            if field in Resident.CONSENTS:
                setattr(resident, f"{field}_at", now)
                changed.append(f"{field}_at")
    if "grid_id" in data and resident.grid_id != data["grid_id"]:
        resident.grid_id = data["grid_id"]
        changed.append("grid")
    if "name" in changed or (resident.name and not resident.name_pinyin):
        resident.name_pinyin = prepared.name_pinyin if prepared else name_readings(resident.name)
        changed.append("name_pinyin")
    if "phone" in data and (data["phone"] or "") != resident.phone:
        resident.phone = data["phone"] or ""
        changed.append("phone")
    if "id_number" in data:
        changed += _apply_id_number(resident, data["id_number"] or "", prepared)
    # "ID number to be completed" (an import whose ID numbers Excel had turned into numbers) until one is set
    pending = bool(data.get("id_number_pending")) and not resident.id_number_hmac
    if resident.id_number_pending != pending and ("id_number_pending" in data or resident.id_number_hmac):
        resident.id_number_pending = pending
        changed.append("id_number_pending")
    return list(dict.fromkeys(changed))


def _apply_id_number(resident: Resident, id_number: str, prepared: Prepared | None) -> list[str]:
    if not id_number:
        if not resident.id_number_hmac and not resident.id_number_encrypted:
            return []
        resident.set_id_number("")
        return ["id_number_encrypted", "id_number_hmac", "id_number_masked"]
    fingerprint = prepared.id_fingerprint if prepared else idnumbers.fingerprint(id_number)
    if fingerprint == resident.id_number_hmac:
        return []
    before = resident.birth_date
    resident.set_id_number(id_number, encrypted=prepared.id_encrypted if prepared else "")
    changed = ["id_number_encrypted", "id_number_hmac", "id_number_masked"]
    return [*changed, "birth_date"] if resident.birth_date != before else changed


def _create(resident: Resident, data: dict[str, Any], *, now) -> Resident:
    """Insert a new resident (`community`, `created_by` set) with `data`, in its own savepoint."""
    resident.created_at = now
    for consent in Resident.CONSENTS:  # a consent given at creation is a change from "not given"
        setattr(resident, consent, False)
    resident_apply(resident, {**data, "name": data.get("name", "")}, now=now)
    try:
        with transaction.atomic():  # its own savepoint: a caller's transaction survives a refusal
            resident.save(force_insert=True)
    except IntegrityError as error:
        if not violates_id_number_unique(error):
            raise
        raise _id_number_refused(
            community_id=resident.community_id, fingerprint=resident.id_number_hmac
        ) from None
    return resident


def _update(resident: Resident, data: dict[str, Any], *, now) -> Resident:
    """Lock the row, refuse an anonymised resident, write what changed (DESIGN §6)."""
    try:
        with transaction.atomic():
            locked = Resident.objects.select_for_update().get(pk=resident.pk)
            if locked.anonymised_at:
                raise ResidentError(_("This resident was anonymised and can no longer be changed."))
            changed = resident_apply(locked, data, now=now)
            if changed:
                locked.save(update_fields=[*changed, "updated_at"])
    except IntegrityError as error:  # the block rolled back whole: nothing of `data` was written
        if not violates_id_number_unique(error):
            raise
        community = data.get("community")
        new_id_number = data.get("id_number")
        raise _id_number_refused(
            community_id=community.pk if community else resident.community_id,
            fingerprint=idnumbers.fingerprint(new_id_number) if new_id_number else resident.id_number_hmac,
            exclude_pk=resident.pk,
        ) from None
    return locked


def resident_create(*, actor, community: Community, data: dict[str, Any]) -> Resident:
    """Add a resident to `community`; consents given now are dated now."""
    require(actor, community.pk, Can.EDIT_RESIDENTS)
    return _create(Resident(community=community, created_by=actor), data, now=timezone.now())


def resident_update(*, actor, resident: Resident, data: dict[str, Any]) -> Resident:
    """Change what `data` holds; a consent that changes gets today's date."""
    require(actor, resident.community_id, Can.EDIT_RESIDENTS)
    return _update(resident, data, now=timezone.now())


def resident_admin_save(*, actor, resident: Resident | None, data: dict[str, Any]) -> Resident:
    """The Django admin's add (`resident` None; `data` names the community) or change, which may
    also move a resident to another community. The admin's own permissions decide who gets here: an
    administrator of the site need not be a member of the community."""
    now = timezone.now()
    if resident is None:
        return _create(Resident(community=data["community"], created_by=actor), data, now=now)
    return _update(resident, data, now=now)


def resident_anonymise(*, actor, resident: Resident) -> Resident:
    """Replace name, phone, ID number, address, contact and notes (DESIGN §6); requests and figures stay."""
    require(actor, resident.community_id, Can.EDIT_RESIDENTS)  # 404 for a non-member
    if not can_anonymise(actor, resident.community_id):
        raise PermissionDenied
    now = timezone.now()
    with transaction.atomic():
        locked = Resident.objects.select_for_update().get(pk=resident.pk)
        if locked.anonymised_at:
            raise ResidentError(_("This resident is already anonymised."))
        locked.name = ANONYMISED_NAME
        locked.name_pinyin = ""
        locked.set_id_number("")
        for field in ("phone", "contact_name", "contact_relation", "compound", "building", "unit", "room"):
            setattr(locked, field, "")
        locked.notes = ""
        locked.birth_date = None
        for flag in Resident.FLAGS:
            setattr(locked, flag, False)
        for consent in Resident.CONSENTS:  # nothing can be sent to nobody
            if getattr(locked, consent):
                setattr(locked, consent, False)
                setattr(locked, f"{consent}_at", now)
        locked.anonymised_at = now
        locked.save(update_fields=ANONYMISED_FIELDS)
        AccessLog.objects.create(
            actor=actor,
            community_id=locked.community_id,
            resident=locked,
            action=AccessLog.Action.ANONYMISE,
            created_at=now,
        )
    return locked


def phone_reveal(*, actor, resident: Resident) -> str:
    """The full phone number (E.164), and a log row saying who saw whose, when."""
    require(actor, resident.community_id, Can.REVEAL_PHONE)
    if not resident.phone:
        return ""
    AccessLog.objects.create(
        actor=actor,
        community_id=resident.community_id,
        resident=resident,
        action=AccessLog.Action.REVEAL_PHONE,
    )
    return resident.phone


def id_number_view(*, actor, resident: Resident) -> str:
    """The full ID number, decrypted, and a log row saying who saw whose, when."""
    require(actor, resident.community_id, Can.VIEW_ID_NUMBER)
    if not resident.id_number_encrypted:
        return ""
    AccessLog.objects.create(
        actor=actor,
        community_id=resident.community_id,
        resident=resident,
        action=AccessLog.Action.VIEW_ID_NUMBER,
    )
    return resident.id_number()


def residents_withdraw_sms_consent(*, phone: str, now=None) -> list[Resident]:
    """An SMS "T" / "TD" / "退订" / "STOP" from `phone`: every resident with that number stops
    getting status SMS and announcements, dated now. Returns those whose consent changed."""
    now = now or timezone.now()
    changed = list(
        Resident.objects.select_for_update(of=("self",))
        .select_related("community")
        .filter(phone=phone, anonymised_at__isnull=True)
        .filter(Q(sms_consent=True) | Q(announcement_consent=True))
        .order_by("id")
    )
    if changed:
        Resident.objects.filter(pk__in=[r.pk for r in changed]).update(
            sms_consent=False, sms_consent_at=now, announcement_consent=False, announcement_consent_at=now
        )
    return changed
