"""Periodic work of the core app."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import audit, ledger


@db_periodic_task(crontab(hour="2", minute="15"))
def daily_ledger_checkpoint():
    """Sign the ledger head every night, so a rewrite of history is caught against it."""
    with audit.audit_context(actor="system:task:daily_ledger_checkpoint"):
        return ledger.make_checkpoint().seq
