"""Issued certificates shared by one test module: rendering and signing a PDF takes a second or
two, so each module issues its certificates once, inside a transaction rolled back afterwards."""

import contextlib

from django.db import transaction


@contextlib.contextmanager
def module_transaction(django_db_blocker):
    """Open a transaction for a module's shared rows; roll it back (rows and ledger entries) at the end."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
