"""gunicorn's access log masks phone numbers and ID numbers in URLs, referrers and headers."""

from datetime import timedelta
from types import SimpleNamespace

from gunicorn.config import Config

from config.gunicorn_logging import MaskedLogger

ID_NUMBER = "11010519491231002X"


def access_line(tmp_path, uri: str, referer: str = "-") -> str:
    cfg = Config()
    cfg.set("accesslog", str(tmp_path / "access.log"))
    cfg.set("access_log_format", '%(h)s "%(r)s" %(s)s "%(f)s" %(U)s %(q)s')
    logger = MaskedLogger(cfg)
    path, _, query = uri.partition("?")
    environ = {
        "REMOTE_ADDR": "127.0.0.1",
        "REQUEST_METHOD": "GET",
        "RAW_URI": uri,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_REFERER": referer,
    }
    response = SimpleNamespace(status="200 OK", sent=512, headers=[("Content-Type", "text/html")])
    request = SimpleNamespace(headers=[("REFERER", referer)])
    logger.access(response, request, environ, timedelta(milliseconds=12))
    for handler in logger.access_log.handlers:
        handler.flush()
    return (tmp_path / "access.log").read_text()


def test_a_phone_searched_in_the_url_is_masked(tmp_path):
    line = access_line(tmp_path, "/residents/?q=13912345678")
    assert "13912345678" not in line
    assert "139****5678" in line
    assert '"GET /residents/?q=139****5678 HTTP/1.1" 200' in line


def test_percent_encoded_phones_and_id_numbers_are_masked_too(tmp_path):
    line = access_line(
        tmp_path,
        f"/requests/?q=%2B86%20139%201234%205678&id={ID_NUMBER}",
        referer="https://doorstep.example.org/residents/search/?q=15187654321",
    )
    assert "1234" not in line and "%201234%20" not in line
    assert ID_NUMBER not in line and "110***********002X" in line
    assert "15187654321" not in line and "151****4321" in line


def test_a_line_without_personal_data_is_left_as_it_was(tmp_path):
    line = access_line(tmp_path, "/requests/?status=open&page=2")
    assert '"GET /requests/?status=open&page=2 HTTP/1.1" 200' in line
