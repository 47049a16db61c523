"""The import page speaks the reader's language, whichever language the process started in."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_upload_help_follows_the_language(client, alice):
    client.force_login(alice)
    url = reverse("residents:roster_import")
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    chinese = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert ".xlsx or .csv (UTF-8 or GB18030)" in english and "编码" not in english
    assert "（UTF-8 或 GB18030 编码）" in chinese
