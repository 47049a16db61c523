"""gunicorn's settings for Doorstep: `gunicorn -c config/gunicorn.conf.py config.wsgi` (README, deploy/).

Anything here can still be given on the command line (--bind, --workers, --no-control-socket).
"""

import os

# The access log, with phone numbers and ID numbers masked (config/gunicorn_logging.py).
logger_class = "config.gunicorn_logging.MaskedLogger"
accesslog = "-"
# gunicorn, like Django, believes X-Forwarded-Proto / -For only from TRUSTED_PROXIES (none if unset).
forwarded_allow_ips = os.environ.get("TRUSTED_PROXIES", "")
