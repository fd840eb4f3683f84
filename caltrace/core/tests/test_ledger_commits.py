"""The ledger under real commits: a row and its entry commit together, and concurrent writers
get one gap-free chain."""

import threading

import pytest
from django.db import connection, connections

from caltrace.core import audit, ledger
from caltrace.core.models import AuditEntry
from caltrace.customers.models import CustomerOrganisation

pytestmark = pytest.mark.django_db(transaction=True)
IN_MEMORY = connection.vendor == "sqlite" and (
    connection.settings_dict["NAME"] == ":memory:" or "mode=memory" in str(connection.settings_dict["NAME"])
    or not connection.settings_dict.get("TEST", {}).get("NAME"))


def test_a_row_change_and_its_entry_commit_together(committed, monkeypatch):
    org = CustomerOrganisation.objects.create(name="甲", credit_code="91110000000000001X")
    assert not connection.in_atomic_block  # autocommit: save() opens its own transaction

    def broken(items):
        raise RuntimeError("the ledger is unavailable")

    monkeypatch.setattr(audit, "append_many", broken)
    org.phone = "010-1"
    with pytest.raises(RuntimeError):
        org.save()
    with pytest.raises(RuntimeError):
        CustomerOrganisation.objects.create(name="乙", credit_code="91110000000000002X")
    with pytest.raises(RuntimeError):
        CustomerOrganisation.objects.filter(pk=org.pk).update(phone="010-2")
    with pytest.raises(RuntimeError):
        org.delete()
    monkeypatch.undo()
    assert list(CustomerOrganisation.objects.values_list("name", "phone")) == [("甲", "")]
    assert AuditEntry.objects.count() == 1
    assert ledger.verify().ok


def test_m2m_change_and_its_entry_commit_together(committed, monkeypatch, django_user_model):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user("m")
    group = Group.objects.create(name="g")
    monkeypatch.setattr(audit, "append_many", lambda items: (_ for _ in ()).throw(RuntimeError("down")))
    with pytest.raises(RuntimeError):
        user.groups.add(group)
    monkeypatch.undo()
    assert not user.groups.exists()
    assert ledger.verify().ok


@pytest.mark.skipif(IN_MEMORY, reason="SQLite's shared in-memory test database locks tables instead of waiting; "
                                       "run with CALTRACE_TEST_DB_NAME=<file> to use a database file")
def test_concurrent_writers_make_one_gapless_chain(committed):
    writers, per_writer = 4, 15
    errors = []
    barrier = threading.Barrier(writers)

    def write(n):
        try:
            barrier.wait()
            with audit.audit_context(actor=f"system:writer-{n}"):
                for i in range(per_writer):
                    org = CustomerOrganisation.objects.create(name=f"w{n}-{i}", credit_code=f"W{n:02d}{i:06d}")
                    org.phone = str(i)
                    org.save()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    seqs = list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, writers * per_writer * 2 + 1))
    result = ledger.verify()
    assert result.ok, result.problems


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks and the advisory lock are PostgreSQL's")
def test_no_deadlock_between_a_row_lock_and_the_ledger_lock(committed):
    """T2 has appended (and holds the ledger lock to its commit) and then writes row A; T1 writes
    row A meanwhile. Had T1 locked A before waiting for the ledger, each would wait for the other."""
    a = CustomerOrganisation.objects.create(name="A", credit_code="91110000000000001X")
    b = CustomerOrganisation.objects.create(name="B", credit_code="91110000000000002X")
    t2_appended, t1_started = threading.Event(), threading.Event()
    errors = []

    def t2():
        from django.db import transaction

        try:
            with transaction.atomic():
                CustomerOrganisation.objects.filter(pk=b.pk).update(phone="t2")
                t2_appended.set()
                t1_started.wait(5)
                import time

                time.sleep(0.3)  # T1 is now blocked on the ledger (or, before, on nothing)
                CustomerOrganisation.objects.filter(pk=a.pk).update(phone="t2")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    def t1():
        from django.db import transaction

        try:
            t2_appended.wait(5)
            with transaction.atomic():
                t1_started.set()
                org = CustomerOrganisation.objects.get(pk=a.pk)
                org.phone = "t1"
                org.save()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=t2), threading.Thread(target=t1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert CustomerOrganisation.objects.get(pk=a.pk).phone == "t1"  # T1 ran after T2 committed
    assert ledger.verify().ok
