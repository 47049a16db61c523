"""The staff inbox: the badge, the page (newest first, each item to its request, read when opened),
mark all read, the supervisors' escalations; another community's item answers 404."""

import re
from datetime import timedelta

from django.urls import reverse

from requests import clock
from requests.models import InboxItem, ServiceRequest
from requests.notifications import notify_staff
from requests.services import request_escalate
from requests.services.sweep import reminders_sweep
from tests.factories import member
from tests.requests.conftest import in_state, logged
from tests.requests.views_support import EN, as_user, count_queries

__all__ = ["as_user"]  # fixture


def reminded(world, count=1):
    """`count` requests assigned to world.handler, each with its accept reminder in the inbox."""
    srs = [logged(world, handler=world.handler) for _ in range(count)]
    reminders_sweep()
    return srs


def test_the_badge_counts_unread_items_on_every_page(world, as_user):
    reminded(world, 3)
    client = as_user(world.handler)
    html = client.get(reverse("home")).content.decode()
    assert 'id="inbox-badge">3<' in html
    html = client.get(reverse("requests:list")).content.decode()
    assert 'id="inbox-badge">3<' in html
    assert 'id="inbox-badge"' not in as_user(world.desk_staff).get(reverse("home")).content.decode()


def test_the_inbox_lists_newest_first_and_opening_one_reads_it(world, as_user):
    first, second = reminded(world, 2)
    InboxItem.objects.filter(request=first).update(created_at=clock.now() - timedelta(hours=1))
    client = as_user(world.handler)
    html = client.get(reverse("requests:inbox"), headers={"Accept-Language": "en"}).content.decode()
    assert html.index(second.reference) < html.index(first.reference)
    item = InboxItem.objects.get(request=first)
    response = client.get(reverse("requests:inbox_open", args=[item.pk]))
    assert response.status_code == 302 and response["Location"] == reverse(
        "requests:detail", args=[first.reference]
    )
    item.refresh_from_db()
    assert item.read_at is not None
    assert InboxItem.objects.get(request=second).read_at is None
    assert 'id="inbox-badge">1<' in client.get(reverse("home")).content.decode()


def test_mark_all_read(world, as_user):
    reminded(world, 2)
    client = as_user(world.handler)
    response = client.post(reverse("requests:inbox_read_all"), **EN)
    assert response.status_code == 302
    assert not InboxItem.objects.filter(user=world.handler, read_at__isnull=True).exists()
    assert 'id="inbox-badge"' not in client.get(reverse("requests:inbox")).content.decode()
    assert client.get(reverse("requests:inbox_read_all")).status_code == 405


def test_another_communitys_item_is_404(world, as_user):
    (sr,) = reminded(world)
    item = InboxItem.objects.get(request=sr)
    # Bob supervises 滨东社区: neither his inbox nor the item's link shows him 滨西's request.
    client = as_user(world.outsider)
    assert client.get(reverse("requests:inbox_open", args=[item.pk])).status_code == 404
    assert sr.reference not in client.get(reverse("requests:inbox")).content.decode()
    # An item of his own about a 滨西 request (he was a member once) is not shown either.
    stale = InboxItem.objects.create(user=world.outsider, request=sr, kind="accept")
    assert client.get(reverse("requests:inbox_open", args=[stale.pk])).status_code == 404
    assert 'id="inbox-badge"' not in client.get(reverse("home")).content.decode()
    # Another user of the same community cannot open the handler's item.
    assert as_user(world.desk_staff).get(reverse("requests:inbox_open", args=[item.pk])).status_code == 404
    assert InboxItem.objects.get(pk=item.pk).read_at is None


def test_supervisors_see_the_escalations_of_their_communities(world, as_user):
    sr = in_state(world, "in_progress")
    request_escalate(actor=world.supervisor, request_id=sr.pk, note="请今天处理")
    (item,) = InboxItem.objects.filter(user=world.handler, kind="escalation")
    assert item.text == "请今天处理"
    handler_page = as_user(world.handler).get(reverse("requests:inbox")).content.decode()
    assert "请今天处理" in handler_page and 'id="escalated"' not in handler_page
    html = as_user(world.supervisor).get(reverse("requests:inbox")).content.decode()
    assert 'id="escalated"' in html and sr.reference in html
    # A supervisor of both communities sees 滨西's escalation beside 滨东's.
    both = member(world.bindong, "supervisor", username="street")
    from residents.models import Membership

    Membership.objects.create(user=both, community=world.binxi, role="supervisor")
    assert sr.reference in as_user(both).get(reverse("requests:inbox")).content.decode()
    assert sr.reference not in as_user(world.outsider).get(reverse("requests:inbox")).content.decode()


def test_the_inbox_costs_the_same_queries_for_one_item_or_twenty_five(world, client):
    reminded(world, 1)
    client.force_login(world.handler)
    one = count_queries(client, reverse("requests:inbox"))
    for _ in range(24):
        notify_staff([world.handler], logged(world, handler=world.handler), "accept")
    assert InboxItem.objects.filter(user=world.handler).count() >= 25
    assert count_queries(client, reverse("requests:inbox")) == one


def test_escalating_by_hand_from_the_overdue_list(world, as_user):
    sr = in_state(world, "in_progress")
    ServiceRequest.objects.filter(pk=sr.pk).update(resolve_due_at=clock.now() - timedelta(days=2))
    client = as_user(world.supervisor)
    html = client.get(reverse("requests:list"), {"overdue": "on"}).content.decode()
    escalate = f"{reverse('requests:detail', args=[sr.reference])}?open=escalate#actions"
    assert escalate in html and "?open=assign#actions" in html
    page = client.get(escalate.split("#")[0]).content.decode()
    assert re.search(r'<details class="action-form[^"]*" data-action="escalate" open>', page)
    act = reverse("requests:act", args=[sr.reference, "escalate"])
    response = client.post(act, {"escalate-note": "今天必须办结"})
    assert response.status_code == 302
    (item,) = InboxItem.objects.filter(user=world.handler, kind="escalation")
    assert item.text == "今天必须办结"
    event = sr.events.get(action="escalate")
    assert (event.actor, event.note) == (world.supervisor, "今天必须办结")
    # The handler's own overdue list offers neither.
    html = as_user(world.handler).get(reverse("requests:list"), {"overdue": "on"}).content.decode()
    assert sr.reference in html and "?open=escalate" not in html
