"""Thin Celery tasks for the SMS outbox: they take ids and call a service (STYLE.md)."""

from celery import shared_task

from residents.sms.services import deliver, sweep


@shared_task(name="residents.sms.deliver", soft_time_limit=60, time_limit=90)
def deliver_sms(message_id: int) -> str:
    return deliver(message_id=message_id)


@shared_task(name="residents.sms.sweep")
def sweep_sms() -> dict:
    return sweep()
