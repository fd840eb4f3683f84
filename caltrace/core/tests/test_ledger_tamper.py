"""REC-4, EQP-6, CND-2: `caltrace audit verify` finds every kind of tampering, done with raw SQL."""

import re

import pytest

from caltrace.core.models import AuditEntry

from .conftest import (
    entry_row, flip_one_byte, head_seq, ledger_unguarded, rehash_from, run_cli, set_entry, sql,
)

pytestmark = pytest.mark.django_db

INTACT = re.compile(r"^ledger intact: (\d+) entries, head ([0-9a-f]{64}) \(seq (\d+)\)$")


def broken_at_seq(result, seq):
    assert result.code == 1, result
    first = result.out.splitlines()[0]
    assert first.startswith(f"LEDGER BROKEN at seq {seq}: "), result.out
    return first


def broken_at_row(result, table, pk):
    assert result.code == 1, result
    first = result.out.splitlines()[0]
    assert first.startswith(f"LEDGER BROKEN at table {table} pk {pk}: "), result.out
    return first


def test_intact_ledger_exits_0_with_count_and_head(history):
    result = run_cli("audit", "verify")
    assert result.code == 0, result
    m = INTACT.match(result.out.strip())
    assert m, result.out
    head = AuditEntry.objects.order_by("-seq").first()
    assert int(m.group(1)) == AuditEntry.objects.count() == head.seq == int(m.group(3))
    assert m.group(2) == head.hash


def test_empty_ledger_is_intact(db):
    assert AuditEntry.objects.count() == 0
    result = run_cli("audit", "verify")
    assert result.code == 0
    assert result.out.startswith("ledger intact: 0 entries, head " + "0" * 64)


@pytest.mark.parametrize("column", ["before", "after", "actor", "reason", "at", "model", "object_pk", "action",
                                    "request_id", "hash"])
@pytest.mark.parametrize("where", ["middle", "last"])
def test_changed_byte_in_an_entry(history, column, where):
    seq = head_seq() // 2 if where == "middle" else head_seq()
    if column == "before" and not entry_row(seq)["before"]:
        seq = AuditEntry.objects.exclude(before="").filter(seq__gte=seq).order_by("seq").first().seq
    with ledger_unguarded():
        set_entry(seq, **{column: flip_one_byte(entry_row(seq)[column])})
    line = broken_at_seq(run_cli("audit", "verify"), seq)
    assert "altered" in line


def test_changed_previous_hash(history):
    seq = head_seq() // 2
    with ledger_unguarded():
        set_entry(seq, prev_hash=flip_one_byte(entry_row(seq)["prev_hash"]))
    broken_at_seq(run_cli("audit", "verify"), seq)


def test_deleted_entry_in_the_middle(history):
    seq = head_seq() // 2
    with ledger_unguarded():
        sql("DELETE FROM core_auditentry WHERE seq = %s", [seq])
    line = broken_at_seq(run_cli("audit", "verify"), seq)
    assert "missing" in line


def test_deleted_last_entry_leaves_a_row_that_differs(history):
    last = AuditEntry.objects.order_by("-seq").first()
    assert last.model == "customers.CustomerOrganisation" and last.action == "update"
    with ledger_unguarded():
        sql("DELETE FROM core_auditentry WHERE seq = %s", [last.seq])
    broken_at_row(run_cli("audit", "verify"), "customers_customerorganisation", last.object_pk)


def test_inserted_entry(history):
    """An entry slipped into the middle: the ones after it are renumbered, which breaks their hashes."""
    seq = head_seq() // 2
    with ledger_unguarded():
        for s in range(head_seq(), seq - 1, -1):
            sql("UPDATE core_auditentry SET seq = %s WHERE seq = %s", [s + 1, s])
        forged = entry_row(seq + 1) | {"seq": seq, "actor": "user:mallory", "prev_hash": entry_row(seq - 1)["hash"]}
        from caltrace.core import audit

        forged["hash"] = audit.entry_hash(**{k: v for k, v in forged.items() if k != "hash"})
        cols = list(forged)
        sql(f"INSERT INTO core_auditentry ({', '.join(cols)}) VALUES ({', '.join(['%s'] * len(cols))})",
            list(forged.values()))
    broken_at_seq(run_cli("audit", "verify"), seq + 1)


def test_inserted_entry_at_the_head_with_a_wrong_hash(history):
    head = entry_row(head_seq())
    forged = head | {"seq": head["seq"] + 1, "prev_hash": head["hash"], "actor": "user:mallory"}
    with ledger_unguarded():
        cols = list(forged)
        sql(f"INSERT INTO core_auditentry ({', '.join(cols)}) VALUES ({', '.join(['%s'] * len(cols))})",
            list(forged.values()))
    broken_at_seq(run_cli("audit", "verify"), head["seq"] + 1)


def test_two_swapped_entries(history):
    seq = head_seq() // 2
    a, b = entry_row(seq), entry_row(seq + 1)
    with ledger_unguarded():
        set_entry(seq, **{k: v for k, v in b.items() if k != "seq"})
        set_entry(seq + 1, **{k: v for k, v in a.items() if k != "seq"})
    broken_at_seq(run_cli("audit", "verify"), seq)


def test_two_entries_swapped_by_seq(history):
    seq = head_seq() // 2
    with ledger_unguarded():
        sql("UPDATE core_auditentry SET seq = -1 WHERE seq = %s", [seq])
        sql("UPDATE core_auditentry SET seq = %s WHERE seq = %s", [seq, seq + 1])
        sql("UPDATE core_auditentry SET seq = %s WHERE seq = -1", [seq + 1])
    broken_at_seq(run_cli("audit", "verify"), seq)


# ---------------------------------------------------------------------------------------------
# Business rows changed behind the application's back


def test_business_row_changed_with_raw_sql(history):
    org = history["b"]
    sql("UPDATE customers_customerorganisation SET phone = %s WHERE id = %s", ["999", org.pk])
    line = broken_at_row(run_cli("audit", "verify"), "customers_customerorganisation", org.pk)
    assert "phone" in line


def test_business_row_inserted_with_raw_sql(history):
    sql("INSERT INTO customers_customerorganisation (name, name_en, credit_code, address, phone, created_at, "
        "updated_at) VALUES (%s, '', %s, '', '', %s, %s)",
        ["幽灵单位", "91110000999999999X", "2025-01-01 00:00:00", "2025-01-01 00:00:00"])
    (pk,) = sql("SELECT id FROM customers_customerorganisation WHERE name = %s", ["幽灵单位"])[0]
    line = broken_at_row(run_cli("audit", "verify"), "customers_customerorganisation", pk)
    assert "not in the ledger" in line


def test_business_row_deleted_with_raw_sql(history):
    org = history["b"]
    sql("DELETE FROM customers_customerorganisation WHERE id = %s", [org.pk])
    line = broken_at_row(run_cli("audit", "verify"), "customers_customerorganisation", org.pk)
    assert "deleted outside" in line


def test_deleted_business_row_put_back_with_raw_sql(history):
    (row,) = AuditEntry.objects.filter(model="customers.CustomerOrganisation", action="delete")
    sql("INSERT INTO customers_customerorganisation (id, name, name_en, credit_code, address, phone, created_at, "
        "updated_at) VALUES (%s, 'x', '', '91110000888888888X', '', '', %s, %s)",
        [int(row.object_pk), "2025-01-01 00:00:00", "2025-01-01 00:00:00"])
    line = broken_at_row(run_cli("audit", "verify"), "customers_customerorganisation", row.object_pk)
    assert "records its deletion" in line


def test_user_row_changed_with_raw_sql(history):
    user = history["user"]
    sql("UPDATE auth_user SET is_superuser = %s WHERE id = %s", [True, user.pk])
    line = broken_at_row(run_cli("audit", "verify"), "auth_user", user.pk)
    assert "is_superuser" in line


def test_user_password_changed_with_raw_sql(history):
    user = history["user"]
    sql("UPDATE auth_user SET password = %s WHERE id = %s", ["pbkdf2_sha256$1$x$y", user.pk])
    line = broken_at_row(run_cli("audit", "verify"), "auth_user", user.pk)
    assert "password" in line
    assert "pbkdf2" not in AuditEntry.objects.filter(model="auth.User").values_list("after", flat=True)[0]


def test_group_membership_added_with_raw_sql(history, db):
    from django.contrib.auth.models import Group

    user = history["user"]
    other = Group.objects.create(name="lab_manager-test")
    sql("INSERT INTO auth_user_groups (user_id, group_id) VALUES (%s, %s)", [user.pk, other.pk])
    line = broken_at_row(run_cli("audit", "verify"), "auth_user", user.pk)
    assert "groups" in line


def test_group_membership_removed_with_raw_sql(history):
    user = history["user"]
    sql("DELETE FROM auth_user_groups WHERE user_id = %s", [user.pk])
    broken_at_row(run_cli("audit", "verify"), "auth_user", user.pk)


def test_json_field_changed_with_raw_sql(history):
    from caltrace.integrity.models import Finding

    finding = Finding.objects.get()
    sql("UPDATE integrity_finding SET objects_involved = %s WHERE id = %s", ['[{"model": "y", "pk": "1"}]',
                                                                             finding.pk])
    broken_at_row(run_cli("audit", "verify"), "integrity_finding", finding.pk)


def test_raw_change_laundered_into_the_ledger_is_still_caught_at_its_seq(history):
    """Changing a row and rewriting its last entry to match breaks that entry's hash."""
    org = history["b"]
    sql("UPDATE customers_customerorganisation SET phone = %s WHERE id = %s", ["999", org.pk])
    last = AuditEntry.objects.filter(model="customers.CustomerOrganisation", object_pk=str(org.pk)).last()
    with ledger_unguarded():
        set_entry(last.seq, after=last.after.replace('"phone":""', '"phone":"999"'))
    broken_at_seq(run_cli("audit", "verify"), last.seq)


def test_consistent_rewrite_without_checkpoint_needs_the_row_to_match(history):
    """Without a checkpoint a full rewrite of the chain is not detectable by the chain alone,
    which is why the checkpoint exists (see test_ledger_checkpoint); the row check still holds."""
    org = history["b"]
    last = AuditEntry.objects.filter(model="customers.CustomerOrganisation", object_pk=str(org.pk)).last()
    with ledger_unguarded():
        set_entry(last.seq, after=last.after.replace('"phone":""', '"phone":"999"'))
        rehash_from(last.seq)
    broken_at_row(run_cli("audit", "verify"), "customers_customerorganisation", org.pk)


def test_all_flag_lists_every_problem(history):
    a, b = history["a"], history["b"]
    sql("UPDATE customers_customerorganisation SET phone = %s WHERE id IN (%s, %s)", ["1", a.pk, b.pk])
    result = run_cli("audit", "verify", "--all")
    assert result.code == 1
    lines = result.out.splitlines()
    assert len(lines) == 2
    assert all(line.startswith("LEDGER BROKEN at table customers_customerorganisation pk ") for line in lines)


def test_chain_only_skips_rows(history):
    sql("UPDATE customers_customerorganisation SET phone = %s WHERE id = %s", ["1", history["a"].pk])
    assert run_cli("audit", "verify", "--chain-only").code == 0
    assert run_cli("audit", "verify").code == 1


def test_verify_reports_in_small_chunks(history, monkeypatch):
    """The row walk is chunked; a chunk size of 1 gives the same answers."""
    from caltrace.core import ledger

    monkeypatch.setattr(ledger, "CHUNK", 1)
    assert run_cli("audit", "verify").code == 0
    sql("UPDATE customers_customerorganisation SET phone = %s WHERE id = %s", ["1", history["b"].pk])
    broken_at_row(run_cli("audit", "verify"), "customers_customerorganisation", history["b"].pk)


def test_a_row_written_while_verify_runs_is_not_a_problem(history, monkeypatch):
    """The walk reads an object's last entry and its row apart; a write in between is no tampering."""
    from caltrace.core import audit, ledger

    org = history["b"]
    real = audit.read_images_of
    calls = {"n": 0}

    def read_then_someone_writes(queryset, **kwargs):
        images = real(queryset, **kwargs)
        if queryset.model._meta.label == "customers.CustomerOrganisation" and not calls["n"]:
            calls["n"] += 1
            org.phone = "written meanwhile"
            org.save()
        return images

    monkeypatch.setattr(audit, "read_images_of", read_then_someone_writes)
    result = ledger.verify()
    assert calls["n"] == 1
    assert result.ok, result.problems
