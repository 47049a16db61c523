"""Reads of the resident register: search as desk staff type it, the directory, the access log.

Every function takes the user and returns rows of the user's communities only (scoping.py).
"""

import re
import unicodedata
from collections.abc import Iterable

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from residents.models import AccessLog, Grid, Resident
from residents.pinyin import ABBREVIATION
from residents.roles import Can
from residents.scoping import communities_where, scoped

# 3-501, 3-2-501: building-room, building-unit-room
_DASHED = re.compile(r"^(\d+)-(\d+)(?:-(\d+))?$")
# 3号楼, 3栋, 3号楼501, 3号楼2单元501室, 2单元, 501室 (at least one marker)
_MARKED = re.compile(
    r"^(?:(?P<building>\d+)(?:号楼|栋|幢|号))?(?:(?P<unit>\d+)单元)?(?:(?P<room>\d+)(?:室|号)?)?$"
)
# a compound name followed by an address: 冶金厂家属院3号楼
_COMPOUND_THEN_ADDRESS = re.compile(r"^(?P<compound>\D+?)(?P<address>\d.*)$")
_SEPARATORS = re.compile(r"[\s\-()（）+]")
_ADDRESS_NUMBER_SUFFIXES = ("", "号楼", "栋", "幢", "号")


def _is_digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


def _building(value: str) -> Q:
    return Q(building__in=[value + suffix for suffix in _ADDRESS_NUMBER_SUFFIXES])


def _unit(value: str) -> Q:
    return Q(unit__in=[value, f"{value}单元"])


def _room(value: str) -> Q:
    return Q(room__in=[value, f"{value}室"])


def _address_q(token: str) -> Q | None:
    """3-501, 3-2-501, 3号楼, 3号楼501, 2单元, 501室 → a filter on building / unit / room, or None."""
    dashed = _DASHED.match(token)
    if dashed:
        first, second, third = dashed.groups()
        if third:
            return _building(first) & _unit(second) & _room(third)
        return _building(first) & (_room(second) | _unit(second))
    marked = _MARKED.match(token)
    if marked and token and not _is_digits(token):
        parts = marked.groupdict()
        q = Q()
        if parts["building"]:
            q &= _building(parts["building"])
        if parts["unit"]:
            q &= _unit(parts["unit"])
        if parts["room"]:
            q &= _room(parts["room"])
        return q
    return None


def _digits_q(digits: str) -> Q:
    """A run of digits: part of the phone (last 4 typed most often), or a building / room number."""
    if len(digits) < 3:
        return _building(digits) | _unit(digits) | _room(digits)
    q = Q(phone__contains=digits) | _room(digits) | _building(digits)
    if digits.startswith("0") and len(digits) > 4:  # a landline typed with its trunk 0: 0395…
        q |= Q(phone__contains=digits[1:])
    return q


def _token_q(token: str) -> Q:
    compact = _SEPARATORS.sub("", token)
    if _is_digits(compact) and (len(compact) >= 7 or not _DASHED.match(token)):
        return _digits_q(compact)
    address = _address_q(token)
    if address is not None:
        return address
    if token.isascii():
        lowered = token.lower()
        # name_pinyin holds Latin names lower-cased too ("Anna" → "anna"); LIKE keeps the trigram indexes
        return Q(name_pinyin__contains=lowered) | Q(compound__contains=token)
    text = Q(name__contains=token) | Q(compound__contains=token) | Q(contact_name__contains=token)
    split = _COMPOUND_THEN_ADDRESS.match(token)
    if split:
        address = _address_q(split["address"])
        if address is not None:
            text |= Q(compound__contains=split["compound"]) & address
    return text


def _pinyin_word(word: str, *, marker: str = " ") -> Q:
    """name_pinyin holds `word` as a whole word after `marker` (" ": whole syllables; ":" an
    abbreviation, see residents/pinyin.py)."""
    q = Q(name_pinyin__contains=f"{marker}{word} ") | Q(name_pinyin__endswith=f"{marker}{word}")
    if marker == " ":
        q |= Q(name_pinyin=word) | Q(name_pinyin__startswith=f"{word} ")
    return q


def _rank(token: str) -> Case:
    """0: an exact hit (the whole name, a reading in whole syllables — the full name or the surname —,
    the phone's last digits), 1: initials typed whole (wyz, zengxm), 2: the start of a name or of a
    reading, 3: anything else that matched. So `wang` lists 王玉枝 (wang) before 万刚 (wan + g)."""
    compact = _SEPARATORS.sub("", token)
    if _is_digits(compact):
        ranks = {0: Q(phone__endswith=compact), 2: Q(room=compact) | Q(building=compact)}
    elif token.isascii():
        word = token.lower()
        ranks = {
            0: _pinyin_word(word),
            1: _pinyin_word(word, marker=ABBREVIATION),
            2: Q(name_pinyin__startswith=word)
            | Q(name_pinyin__contains=f" {word}")
            | Q(name_pinyin__contains=f"{ABBREVIATION}{word}"),
        }
    else:
        ranks = {0: Q(name=token), 2: Q(name__startswith=token)}
    return Case(
        *(When(q, then=Value(rank)) for rank, q in ranks.items()),
        default=Value(3),
        output_field=IntegerField(),
    )


def resident_search(
    *,
    user,
    q: str = "",
    grid_id: int | None = None,
    compound: str | None = None,
    flags: Iterable[str] = (),
    community_id: int | None = None,
    include_anonymised: bool = False,
) -> QuerySet[Resident]:
    """The user's residents matching what was typed, best matches first.

    `q` is split on spaces and every word must match one of: digits → phone (or building / room),
    3-501 / 3号楼 / 501室 → address, lower-case letters → any pinyin reading or the initials,
    other text → name, compound or contact person.
    """
    queryset = scoped(Resident.objects.select_related("grid", "community"), user)
    if not include_anonymised:
        queryset = queryset.filter(anonymised_at__isnull=True)
    if community_id:
        queryset = queryset.filter(community_id=community_id)
    if grid_id:
        queryset = queryset.filter(grid_id=grid_id)
    if compound:
        queryset = queryset.filter(compound=compound)
    for flag in flags:
        if flag in Resident.FLAGS:
            queryset = queryset.filter(**{flag: True})
    tokens = search_tokens(q)
    if not tokens:
        return queryset.order_by("name", "id")
    return (
        search_filter(queryset, tokens)
        .annotate(search_rank=_rank(tokens[0]))
        .order_by("search_rank", "name", "id")
    )


def search_tokens(q: str) -> list[str]:
    """The words of a search as the directory and the export read them (at most six)."""
    q = unicodedata.normalize("NFKC", q or "").strip()  # full-width digits and letters → ASCII
    compact = _SEPARATORS.sub("", q)
    # a phone typed with spaces or a country code (+86 138 1234 5678) is one run of digits
    return [compact] if _is_digits(compact) and len(compact) >= 7 else q.split()[:6]


def search_filter(queryset: QuerySet[Resident], q: str | list[str]) -> QuerySet[Resident]:
    """The residents matching every word of a search (see resident_search): one parser, so a search
    typed in the directory and the same words in the export choose the same residents."""
    for token in search_tokens(q) if isinstance(q, str) else q:
        queryset = queryset.filter(_token_q(token))
    return queryset


def residents_named(*, user, text: str) -> QuerySet[Resident]:
    """The user's residents (anonymised ones too) whose name or pinyin holds every word of `text`:
    Chinese text → part of the name, Latin letters → part of a pinyin reading or the initials
    (zengxm too). The request list looks requests up by these residents (the trigram indexes on
    name and name_pinyin serve the LIKE on PostgreSQL)."""
    queryset = scoped(Resident.objects.all(), user)
    words = unicodedata.normalize("NFKC", text or "").split()[:6]
    if not words:
        return queryset.none()
    for word in words:
        word = word.strip(ABBREVIATION)
        if not word:
            return queryset.none()
        queryset = (
            queryset.filter(name_pinyin__contains=word.lower())
            if word.isascii()
            else queryset.filter(name__contains=word)
        )
    return queryset


def residents_with_phone_digits(*, user, digits: str) -> QuerySet[Resident]:
    """The user's residents whose phone holds this run of digits (four or more: the last 4 typed most
    often); a landline typed with its trunk 0 (seven digits or more) without it too. The phone's
    trigram index serves the LIKE on PostgreSQL."""
    queryset = scoped(Resident.objects.all(), user)
    if len(digits) < 4 or not _is_digits(digits):
        return queryset.none()
    q = Q(phone__contains=digits)
    if digits.startswith("0") and len(digits) >= 7:  # a landline with its area code: 0395…
        q |= Q(phone__contains=digits[1:])
    return queryset.filter(q)


def residents_sharing_phone(*, user, phone: str, exclude_pk: int | None = None) -> list[Resident]:
    """Other residents of the user's communities who have this number (a family phone, or a duplicate)."""
    if not phone:
        return []
    queryset = scoped(Resident.objects.select_related("grid", "community"), user).filter(
        phone=phone, anonymised_at__isnull=True
    )
    if exclude_pk:
        queryset = queryset.exclude(pk=exclude_pk)
    return list(queryset.order_by("name", "id")[:10])


def resident_with_id_number(
    *, community_id: int, fingerprint: str, exclude_pk: int | None = None
) -> Resident | None:
    """The resident of this community already registered with this ID number (found by its HMAC)."""
    queryset = Resident.objects.filter(community_id=community_id, id_number_hmac=fingerprint)
    if exclude_pk:
        queryset = queryset.exclude(pk=exclude_pk)
    return queryset.first()


def directory_grids(*, user, community_id: int | None = None) -> QuerySet[Grid]:
    queryset = scoped(Grid.objects.select_related("community"), user)
    if community_id:
        queryset = queryset.filter(community_id=community_id)
    return queryset.order_by("community__name", "name")


def directory_compounds(*, user, community_id: int | None = None) -> list[str]:
    queryset = scoped(Resident.objects.all(), user).filter(anonymised_at__isnull=True).exclude(compound="")
    if community_id:
        queryset = queryset.filter(community_id=community_id)
    return list(queryset.order_by("compound").values_list("compound", flat=True).distinct())


def access_log_entries(*, user, action: str | None = None) -> QuerySet[AccessLog]:
    """The access log of the communities where the user may read it (supervisors, administrators)."""
    queryset = AccessLog.objects.filter(community_id__in=communities_where(user, Can.VIEW_ACCESS_LOG))
    if action:
        queryset = queryset.filter(action=action)
    return queryset.select_related("actor", "resident", "community").order_by("-created_at", "-id")
