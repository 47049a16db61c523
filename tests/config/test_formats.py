"""Dates read as Chinese staff write them."""

import datetime as dt

from django.utils import formats, translation


def test_month_and_day_without_a_leading_zero():
    with translation.override("zh-hans"):
        assert formats.date_format(dt.date(2027, 1, 5), "MONTH_DAY_FORMAT") == "1月5日"
        assert formats.date_format(dt.date(2027, 1, 5), "DATE_FORMAT") == "2027年1月5日"  # Django's, kept
