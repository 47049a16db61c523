"""The admin lists stops, routes, sessions and screenings: no full phone, and no health readings."""

from django.urls import reverse

from tests.desks.factories import ScreeningFactory
from tests.factories import UserFactory


def test_admin_pages_mask_phones_and_hide_readings(client, desk, open_session):
    screening = ScreeningFactory(session=open_session, resident=desk.wang, systolic=163, diastolic=99)
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    pages = [
        reverse("admin:desks_stop_changelist"),
        reverse("admin:desks_stop_change", args=[desk.yejin.pk]),
        reverse("admin:desks_route_changelist"),
        reverse("admin:desks_route_change", args=[desk.route.pk]),
        reverse("admin:desks_desksession_changelist"),
        reverse("admin:desks_desksession_change", args=[open_session.pk]),
        reverse("admin:desks_screening_changelist"),
        reverse("admin:desks_screening_change", args=[screening.pk]),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert desk.wang.phone not in html and desk.wang.phone[3:] not in html, url
        assert "systolic" not in html and "收缩压" not in html and "163" not in html, url
    assert "王玉枝" in client.get(reverse("admin:desks_screening_changelist")).content.decode()
    assert client.get(reverse("admin:desks_screening_add")).status_code == 403
