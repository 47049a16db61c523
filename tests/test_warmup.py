"""A web worker loads its views and freezes what it loaded before its first request (config/wsgi.py)."""

import gc
import sys

from config.warmup import warm_and_freeze


def test_a_worker_loads_every_view_and_freezes_it():
    gc.unfreeze()
    try:
        warm_and_freeze()
        assert "requests.dashboard.views" in sys.modules and "desks.views" in sys.modules
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()
