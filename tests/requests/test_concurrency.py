"""Intakes at the same moment: distinct, contiguous references, and one request per double tap.

Real threads on real connections (transactional_db). On PostgreSQL they contend for the counter
row's lock (and race to create it); on SQLite, IMMEDIATE transactions queue them on the file.
"""

import threading

import pytest
from django.db import connection

from requests import clock
from requests.models import ReferenceCounter, RequestEvent, ServiceRequest
from residents.scoping import places
from tests.requests.conftest import logged, shanghai

# No serialized_rollback: after another transactional test's flush recreated the content types,
# reloading the saved rows clashes with them (UNIQUE django_content_type). The data migration's
# categories that a flush removes come back through the `categories` fixture (`world`).
pytestmark = pytest.mark.django_db(transaction=True)
THREADS = 20


def run_together(count: int, work) -> tuple[list, list]:
    barrier = threading.Barrier(count)
    results, errors = [], []
    lock = threading.Lock()

    def worker(index: int):
        try:
            barrier.wait(timeout=30)
            result = work(index)
            with lock:
                results.append(result)
        except Exception as exc:  # noqa: BLE001 - collected and asserted on below
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return results, errors


def test_twenty_intakes_at_once_get_distinct_contiguous_references(world):
    places(world.desk_staff)  # read the membership once, outside the threads
    assert not ReferenceCounter.objects.exists()  # the first intakes also race to create the counter

    def log(index):
        # Each thread pins its own clock (frozen() is per thread): the reference's year is fixed.
        with clock.frozen(shanghai(2026, 11, 24, 9, 0)):
            return logged(world, description=f"诉求 {index}").reference

    results, errors = run_together(THREADS, log)
    assert errors == []
    assert sorted(results) == [f"BX-2026-{n:06d}" for n in range(1, THREADS + 1)]
    assert ServiceRequest.objects.count() == RequestEvent.objects.count() == THREADS
    assert ReferenceCounter.objects.get().last == THREADS


def test_a_double_tap_racing_itself_makes_one_request(world):
    places(world.desk_staff)
    results, errors = run_together(5, lambda i: logged(world, idempotency_token="same-tap").pk)
    assert errors == []
    assert len(set(results)) == 1
    assert ServiceRequest.objects.count() == 1 and ReferenceCounter.objects.get().last == 1
