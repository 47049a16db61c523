"""SMS to residents and staff (DESIGN §4.5): the outbox, its templates, the providers, the webhooks.

models.py    the outbox row (SmsMessage), the templates, the inbound log
text.py      rendering a template with the community's 【signature】 and counting segments
services.py  queue_message / queue_staff_sms (write rows in the caller's transaction),
             deliver (claim, send, record), sweep (release holds, expire leases, queue)
backends.py  one class per provider, chosen by SMS_BACKEND
tasks.py     thin Celery tasks
selectors.py the messages and kept replies about one subject, for a request's timeline
"""
