"""Every handler the settings configure masks phones and ID numbers (DESIGN §6)."""

import io
import logging
from contextlib import contextmanager

from django.core.servers.basehttp import WSGIRequestHandler

from residents.logfilter import MaskPersonalData


def handlers_reached_from(name: str) -> list[logging.Handler]:
    """The handlers a record logged on `name` is written by, as logging walks up to root."""
    found, logger = [], logging.getLogger(name)
    while logger:
        # Leave out pytest's capture and the NullHandlers that write nothing.
        found += [
            h
            for h in logger.handlers
            if type(h).__module__ != "_pytest.logging" and not isinstance(h, logging.NullHandler)
        ]
        logger = logger.parent if logger.propagate else None
    return found


@contextmanager
def output_of(name: str):
    stream = io.StringIO()
    handlers = [h for h in handlers_reached_from(name) if isinstance(h, logging.StreamHandler)]
    old = [h.setStream(stream) for h in handlers]
    try:
        yield stream
    finally:
        for handler, previous in zip(handlers, old, strict=True):
            handler.setStream(previous)


def test_no_configured_handler_writes_unmasked():
    for name in ("django.request", "django.server", "django.db.backends", "residents", "celery", "axes"):
        handlers = handlers_reached_from(name)
        assert handlers, f"{name} logs somewhere"
        for handler in handlers:
            assert any(isinstance(f, MaskPersonalData) for f in handler.filters), f"{name} → {handler}"


def test_runserver_access_lines_are_masked_and_keep_their_format():
    """A GET with a phone in its query string, logged the way runserver logs every request."""
    request = WSGIRequestHandler.__new__(WSGIRequestHandler)  # only what log_request reads
    request.request = None
    request.requestline = "GET /residents/search/?q=13912345678 HTTP/1.1"

    with output_of("django.server") as output:
        request.log_request(200, 5120)

    line = output.getvalue().strip()
    assert line.endswith('"GET /residents/search/?q=139****5678 HTTP/1.1" 200 5120'), line
    assert line.startswith("[")  # [28/Nov/2026 08:30:00], as Django prints it


def test_a_not_found_page_is_logged_once_and_masked(settings):
    """Django's own console handler printed django.* records a second time, unmasked, under DEBUG."""
    settings.DEBUG = True
    with output_of("django.request") as output:
        logging.getLogger("django.request").warning("Not Found: %s", "/residents/13912345678/")

    assert output.getvalue().count("Not Found: /residents/139****5678/") == 1
    assert "13912345678" not in output.getvalue()
