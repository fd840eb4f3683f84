"""The database itself refuses to change or remove ledger entries (SQLite and PostgreSQL triggers)."""

import pytest
from django.db import DatabaseError, connection, transaction

from caltrace.core.models import AuditEntry

from .conftest import sql

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(make_org):
    make_org()
    return AuditEntry.objects.get()


def refused(func):
    with pytest.raises(DatabaseError) as info:
        with transaction.atomic():
            func()
    assert "append-only" in str(info.value)


def test_orm_update_is_refused(entry):
    refused(lambda: AuditEntry.objects.filter(seq=entry.seq).update(actor="user:mallory"))
    entry.actor = "user:mallory"
    refused(lambda: entry.save())
    assert AuditEntry.objects.get().actor == "system"


def test_orm_delete_is_refused(entry):
    refused(lambda: AuditEntry.objects.all().delete())
    refused(lambda: entry.delete())
    assert AuditEntry.objects.count() == 1


def test_raw_sql_update_and_delete_are_refused(entry):
    refused(lambda: sql("UPDATE core_auditentry SET actor = 'x'"))
    refused(lambda: sql("DELETE FROM core_auditentry"))
    assert AuditEntry.objects.get().actor == "system"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE is PostgreSQL's")
def test_truncate_is_refused(entry):
    refused(lambda: sql("TRUNCATE core_auditentry"))


def test_appending_is_allowed(entry, make_org):
    make_org()
    assert AuditEntry.objects.count() == 2


def test_triggers_survive_the_migrations():
    """Altering the table on SQLite rebuilds it and drops its triggers; the migrations put them back."""
    if connection.vendor == "sqlite":
        names = {r[0] for r in sql("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                                   "AND tbl_name = 'core_auditentry'")}
        assert names == {"core_auditentry_no_update", "core_auditentry_no_delete"}
    else:
        names = {r[0] for r in sql("SELECT tgname FROM pg_trigger WHERE tgrelid = 'core_auditentry'::regclass "
                                   "AND NOT tgisinternal AND tgenabled <> 'D'")}
        assert names == {"core_auditentry_append_only", "core_auditentry_no_truncate"}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE is PostgreSQL's")
def test_truncate_of_an_empty_ledger_is_let_through(db):
    assert not AuditEntry.objects.exists()
    with transaction.atomic():
        sql("TRUNCATE core_auditentry")
