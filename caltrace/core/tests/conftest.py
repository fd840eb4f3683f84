"""Fixtures of the ledger tests: an attacker's hands on the database, the CLI, test-only models."""

from __future__ import annotations

import contextlib
import importlib
import io
import itertools
from contextlib import redirect_stderr, redirect_stdout

import pytest
from django.conf import settings
from django.db import connection

from caltrace.core import audit
from caltrace.core.models import AuditEntry

_append_only = importlib.import_module("caltrace.core.migrations.0002_ledger_append_only")
_serial = itertools.count(1)

LEDGERAPP = "caltrace.core.tests.ledgerapp"


# ---------------------------------------------------------------------------------------------
# Raw database access, as someone with the database password and no application would have it


def sql(statement: str, params=()):
    with connection.cursor() as cur:
        cur.execute(statement, params)
        try:
            return cur.fetchall()
        except Exception:  # statements without a result set
            return None


def drop_ledger_guard():
    if connection.vendor == "sqlite":
        for statement in _append_only.SQLITE_DOWN:
            sql(statement)
    else:
        sql("ALTER TABLE core_auditentry DISABLE TRIGGER USER")


def restore_ledger_guard():
    if connection.vendor == "sqlite":
        for statement in _append_only.SQLITE_DOWN + _append_only.SQLITE_UP:
            sql(statement)
    else:
        sql("ALTER TABLE core_auditentry ENABLE TRIGGER USER")


@contextlib.contextmanager
def ledger_unguarded():
    """The append-only triggers out of the way, as an attacker with database access would do."""
    drop_ledger_guard()
    try:
        yield
    finally:
        restore_ledger_guard()


def entry_row(seq: int) -> dict:
    cols = ["seq", "at", "actor", "action", "model", "object_pk", "before", "after", "reason", "request_id",
            "prev_hash", "hash"]
    (row,) = sql(f"SELECT {', '.join(cols)} FROM core_auditentry WHERE seq = %s", [seq])
    return dict(zip(cols, row))


def set_entry(seq: int, **values):
    assignments = ", ".join(f"{col} = %s" for col in values)
    sql(f"UPDATE core_auditentry SET {assignments} WHERE seq = %s", [*values.values(), seq])


def flip_one_byte(text: str) -> str:
    """``text`` with one character in its middle changed (an empty text gains one)."""
    if not text:
        return "x"
    i = len(text) // 2
    return text[:i] + ("0" if text[i] != "0" else "1") + text[i + 1:]


def rehash_from(seq: int):
    """Recompute every hash from ``seq`` to the head: a consistent rewrite of history."""
    rows = sql("SELECT seq FROM core_auditentry WHERE seq >= %s ORDER BY seq", [seq])
    prev = entry_row(seq - 1)["hash"] if seq > 1 else audit.GENESIS_HASH
    for (s,) in rows:
        row = entry_row(s)
        row["prev_hash"] = prev
        fields = {k: v for k, v in row.items() if k != "hash"}
        prev = audit.entry_hash(**fields)
        set_entry(s, prev_hash=row["prev_hash"], hash=prev)


def head_seq() -> int:
    return AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


# ---------------------------------------------------------------------------------------------
# The command line


class CliResult:
    def __init__(self, code, out, err):
        self.code, self.out, self.err = code, out, err

    def __repr__(self):
        return f"CliResult(code={self.code}, out={self.out!r}, err={self.err!r})"


def run_cli(*argv) -> CliResult:
    from caltrace.cli import main

    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(argv))
    return CliResult(code, out.getvalue(), err.getvalue())


# ---------------------------------------------------------------------------------------------
# Data


def credit_code(n: int) -> str:
    """A unique 18-character code (the ledger tests do not run the model validation)."""
    return f"91110000{n:09d}X"


@pytest.fixture
def make_org(db):
    from caltrace.customers.models import CustomerOrganisation

    def make(**fields):
        n = next(_serial)
        fields.setdefault("name", f"客户单位{n:04d}")
        fields.setdefault("credit_code", credit_code(n))
        return CustomerOrganisation.objects.create(**fields)

    return make


@pytest.fixture
def history(db, make_org, django_user_model):
    """A short history of creates, changes and deletes on several models."""
    from django.contrib.auth.models import Group

    from caltrace.customers.models import CustomerContact
    from caltrace.integrity.models import Finding

    with audit.audit_context(actor="user:setup", reason="fixture"):
        a = make_org(name="甲单位")
        b = make_org(name="乙单位")
        c = make_org(name="丙单位")
        user = django_user_model.objects.create_user("alice")  # unusable password: no slow hashing
        group = Group.objects.create(name="reception-test")
        user.groups.add(group)
        CustomerContact.objects.create(organisation=a, name="张三", phone="010-1")
        a.phone = "010-88888888"
        a.save()
        c.delete()
        Finding.objects.create(rule_id="PRH-6", event="test", message_zh="中", message_en="en",
                               objects_involved=[{"model": "x", "pk": "1"}])
        b.address = "北京市"
        b.save()
    return {"a": a, "b": b, "user": user, "group": group}


# ---------------------------------------------------------------------------------------------
# Test-only models


@pytest.fixture(scope="module")
def ledgerapp(django_db_setup, django_db_blocker):
    """Install the test-only app for one module and make its tables."""
    from django.test.utils import override_settings

    override = override_settings(INSTALLED_APPS=[*settings.INSTALLED_APPS, LEDGERAPP])
    override.enable()
    from .ledgerapp import models

    try:
        with django_db_blocker.unblock():
            with connection.schema_editor() as editor:
                for model in models.MODELS:
                    editor.create_model(model)
        yield models
    finally:
        with django_db_blocker.unblock():
            with connection.schema_editor() as editor:
                for model in reversed(models.MODELS):
                    editor.delete_model(model)
        override.disable()


# ---------------------------------------------------------------------------------------------
# Tests that commit


@pytest.fixture
def committed(request):
    """For tests marked ``django_db(transaction=True)``: their writes commit, so the ledger rows
    they leave are removed here, with the append-only triggers lifted, before pytest-django's
    flush (which an empty ledger lets through)."""
    assert request.node.get_closest_marker("django_db").kwargs.get("transaction"), "mark it transaction=True"
    try:
        yield
    finally:
        connection.close_if_unusable_or_obsolete()
        with ledger_unguarded():
            sql("DELETE FROM core_auditentry")
