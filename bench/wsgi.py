"""The WSGI application the benches serve through gunicorn: the project's, with the URLconf that
BENCH_URLCONF names (bench.intake_urls adds the bare one-INSERT view beside the project's URLs)."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402
from django.conf import settings  # noqa: E402

django.setup()
if os.environ.get("BENCH_URLCONF"):
    settings.ROOT_URLCONF = os.environ["BENCH_URLCONF"]

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()

from config.warmup import warm_and_freeze  # noqa: E402

warm_and_freeze()  # as config/wsgi.py does in production
