"""The request list's filters refuse what no date or id can be, next to the field (issue 12):
/requests/?date_to=9999-12-31, ?date_from=0001-01-01 and ?handler=<past 64 bits> answered 500."""

import pytest
from django.urls import reverse

from tests.requests.conftest import logged
from tests.requests.views_support import EN, as_user

__all__ = ["as_user"]  # fixtures

LIST = reverse("requests:list")


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"date_to": "9999-12-31"}, "date_to"),
        ({"date_from": "0001-01-01"}, "date_from"),
        ({"handler": "99999999999999999999"}, "handler"),
        ({"category": "-99999999999999999999"}, "category"),
        ({"grid": "NaN"}, "grid"),
        ({"session": "99999999999999999999"}, "session"),
        ({"status": "no-such-status"}, "status"),
    ],
)
def test_an_impossible_filter_is_refused_next_to_its_field(world, as_user, query, field):
    sr = logged(world)
    page = as_user(world.supervisor).get(LIST, query, **EN)
    assert page.status_code == 200
    html = page.content.decode()
    assert f'id="error-{field}"' in html, html[:3000]
    assert f'data-reference="{sr.reference}"' in html  # the other filters (none) still apply


def test_the_refusal_is_translated(world, as_user):
    html = as_user(world.supervisor).get(LIST, {"date_to": "9999-12-31"}).content.decode()
    assert "请输入 1900 至 2999 年之间的日期" in html
