"""A double tap really at once: two POSTs of the same intake form in two threads (two database
connections) still make one request — and one new resident when the form adds one."""

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from requests.models import ServiceRequest
from residents.models import Resident
from tests.requests.views_support import intake_data

pytestmark = pytest.mark.django_db(transaction=True)


def post_twice_at_once(user, data) -> list:
    barrier = threading.Barrier(2)
    answers = [None, None]

    def tap(index):
        client = Client()
        client.force_login(user)
        barrier.wait()
        try:
            answers[index] = client.post(reverse("requests:create"), data)
        finally:
            connection.close()

    threads = [threading.Thread(target=tap, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return answers


@pytest.mark.parametrize("new_resident", [False, True])
def test_two_taps_at_once_make_one_request(world, new_resident):
    client = Client()
    client.force_login(world.desk_staff)
    extra = {"resident": "", "new_name": "李秀英", "new_phone": "13803956789"} if new_resident else {}
    data = intake_data(world, client, **extra)
    answers = post_twice_at_once(world.desk_staff, data)
    assert [a.status_code for a in answers] == [302, 302]
    assert answers[0]["Location"] == answers[1]["Location"]
    assert ServiceRequest.objects.count() == 1
    if new_resident:
        assert Resident.objects.filter(name="李秀英").count() == 1
        assert ServiceRequest.objects.get().resident.name == "李秀英"
