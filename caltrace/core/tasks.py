"""Periodic work of the core app."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import audit, ledger


@db_periodic_task(crontab(hour="2", minute="15"))
def daily_ledger_checkpoint():
    """Sign the ledger head every night, so a rewrite of history is caught against it."""
    with audit.audit_context(actor="system:task:daily_ledger_checkpoint"):
        return ledger.make_checkpoint().seq


@db_periodic_task(crontab(hour="7", minute="0"))
def daily_reminders():
    """Mail each responsible person what falls due within the lab's warning period."""
    from django.conf import settings
    from django.utils import timezone

    from . import reminders

    with audit.audit_context(actor="system:task:daily_reminders"):
        return reminders.send_daily_digests(timezone.localdate(), settings.CALTRACE["DUE_SOON_DAYS"])
