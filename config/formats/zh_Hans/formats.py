"""Django's zh_Hans formats, but "1月5日" where Django writes "01月5日" (its comment says 9月5日)."""

from django.conf.locale.zh_Hans.formats import *  # noqa: F403 - the rest stays Django's

MONTH_DAY_FORMAT = "n月j日"
