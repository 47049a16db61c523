"""gunicorn's logger with phone numbers and ID numbers masked (DESIGN §6).

Search pages take their words in the URL (`/residents/?q=13912345678`), and gunicorn's access log
writes the URL, the referrer and any header the format names. This logger masks every text it
passes to the access-log format (percent-encoded or not) with the app's own masking
(residents/logfilter.py), and puts the masking filter on gunicorn's error-log handlers too.
Use it with `--logger-class config.gunicorn_logging.MaskedLogger` (config/gunicorn.conf.py does).
"""

from urllib.parse import unquote_plus

from gunicorn.glogging import Logger

from residents.logfilter import MaskPersonalData, mask_text


def mask_atom(value):
    if not isinstance(value, str):
        return value
    decoded = unquote_plus(value)  # ?q=%2B86%20139%201234%205678 is a phone too
    masked = mask_text(decoded)
    return masked if masked != decoded else value  # nothing to mask: the line as it was


class MaskedLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: mask_atom(value) for key, value in atoms.items()}

    def setup(self, cfg):
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                if not any(isinstance(f, MaskPersonalData) for f in handler.filters):
                    handler.addFilter(MaskPersonalData())
