"""The request list's search, decomposed by what was typed so that each part is found through an
index at a million requests (one OR across request and resident columns could use none):

- a reference, exact or as typed (bx-2026-123, BX 2026 000123, ｂｘ２０２６…), or a 12345 hotline
  reference: the unique reference index and the hotline reference's;
- digits: the reference numbers they could be (this year's and the two before, in the user's
  communities), and from four digits on a resident's phone (the last 4 typed most often): the
  residents are found first (the phone's trigram index), then their requests (by resident);
- a name or pinyin (full, initials, or both mixed: zengxm): the residents first, through their
  trigram indexes, then their requests by resident;
- words of the description, only when asked (`descriptions`): the description's trigram index on
  PostgreSQL (0009), a scan on SQLite.

The residents are read in one query and passed as a list of ids, so the planner knows how many
requests to expect; past RESIDENTS_AS_LIST residents (a one-letter name) a subquery stands in.
"""

import re
import unicodedata

from django.db.models import Q, QuerySet

from requests import clock
from requests.request_models import ServiceRequest
from residents.scoping import places
from residents.selectors import residents_named, residents_with_phone_digits

RESIDENTS_AS_LIST = 2000
REFERENCE_YEARS = 3  # digits alone are looked up as this year's numbers and the two years' before
_SEPARATORS = re.compile(r"[\s\-_/()（）+.]")
# BX-2026-000123 typed any way: bx2026123, BX 2026 123, bx-2026-000123
_REFERENCE = re.compile(
    r"^(?P<code>[A-Za-z]{1,8})[\s\-_]*(?P<year>(?:19|20)\d\d)[\s\-_]*(?P<number>\d{1,7})$"
)
# 2026-123: a number of that year, in the user's communities
_YEAR_NUMBER = re.compile(r"^(?P<year>(?:19|20)\d\d)[\s\-_]+(?P<number>\d{1,7})$")


def normalise(text: str) -> str:
    """Full-width letters and digits as ASCII, spaces at the ends removed."""
    return unicodedata.normalize("NFKC", text or "").strip()


def reference_for(code: str, year: int | str, number: int | str) -> str:
    """The reference intake writes (requests/services/intake.py): BX-2026-000123."""
    return f"{code.upper()}-{int(year)}-{int(number):06d}"


def _codes(user) -> list[str]:
    return sorted({place.community_code for place in places(user).values() if place.community_code})


def reference_candidates(*, user, text: str) -> set[str]:
    """The references `text` may stand for, each looked up through the unique index."""
    text = normalise(text)
    one_word = bool(text) and text.isascii() and " " not in text
    found = {text, text.upper()} if one_word else set()
    match = _REFERENCE.match(text)
    if match:
        found.add(reference_for(match["code"], match["year"], match["number"]))
        return found
    codes = _codes(user)
    match = _YEAR_NUMBER.match(text)
    if match:
        return found | {reference_for(code, match["year"], match["number"]) for code in codes}
    digits = _SEPARATORS.sub("", text)
    if digits.isascii() and digits.isdigit():
        year = clock.local(clock.now()).year
        if len(digits) <= 7:
            years = range(year - REFERENCE_YEARS + 1, year + 1)
            found |= {reference_for(code, y, digits) for code in codes for y in years}
        elif len(digits) <= 11 and digits[:2] in ("19", "20"):  # 2026000123: year and number run together
            found |= {reference_for(code, digits[:4], digits[4:]) for code in codes}
    return found


def _by_residents(residents: QuerySet) -> Q:
    ids = list(residents.values_list("pk", flat=True)[: RESIDENTS_AS_LIST + 1])
    if len(ids) > RESIDENTS_AS_LIST:
        return Q(resident_id__in=residents.values("pk"))
    return Q(resident_id__in=ids)


def search_q(*, user, text: str, descriptions: bool = False) -> Q:
    """The requests `text` finds (see the module's docstring); the caller scopes and orders them."""
    text = normalise(text)
    q = Q(reference__in=sorted(reference_candidates(user=user, text=text)))
    if text.isascii() and " " not in text:
        q |= Q(hotline_reference=text)
    digits = _SEPARATORS.sub("", text)
    if digits.isascii() and digits.isdigit():
        if len(digits) >= 4:
            q |= _by_residents(residents_with_phone_digits(user=user, digits=digits))
    elif not _REFERENCE.match(text):
        q |= _by_residents(residents_named(user=user, text=text))
    if descriptions:
        q |= Q(description__contains=text)
    return q


def search_requests(rows: QuerySet[ServiceRequest], *, user, text: str, descriptions: bool = False):
    """`rows` narrowed to what `text` finds."""
    return rows.filter(search_q(user=user, text=text, descriptions=descriptions))
