"""The end-to-end browser tests share the request tests' world (滨西社区 with one member per role,
王玉枝 at 冶金厂家属院, the migrated categories) and their fresh working-day calendar."""

import pytest

from tests.requests.conftest import _fresh_calendar_cache, media, world
from tests.requests.views_support import db_cache

__all__ = ["_fresh_calendar_cache", "db_cache", "media", "world"]  # categories: tests/conftest.py


@pytest.fixture
def desktop_page(browser):
    """A supervisor's desktop browser, in Chinese."""
    context = browser.new_context(
        locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
