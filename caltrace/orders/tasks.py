"""Periodic work of the orders app."""

import datetime as dt

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from caltrace.core import audit


def send_recall_reminders(today: dt.date) -> int:
    """Mail the recall reminders due on ``today`` (DIG-7); returns the number of mails."""
    from . import reminders

    with audit.audit_context(actor="system:task:recall_reminders"):
        return reminders.send_recall_reminders(today)


@db_periodic_task(crontab(hour="7", minute="30"))
def daily_recall_reminders():
    """Every morning, remind customers of instruments falling due within 30 days."""
    from django.utils import timezone

    return send_recall_reminders(timezone.localdate())
