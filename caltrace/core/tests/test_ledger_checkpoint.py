"""Signed checkpoints of the ledger head, and the lab key that signs them."""

import json
import shutil

import pytest
from django.conf import settings

from caltrace.core import keys, ledger
from caltrace.core.models import AuditCheckpoint, AuditEntry, checkpoint_statement

from .conftest import entry_row, flip_one_byte, head_seq, ledger_unguarded, rehash_from, run_cli, set_entry, sql

pytestmark = pytest.mark.django_db


def test_checkpoint_prints_stores_and_signs_the_head(history):
    result = run_cli("audit", "checkpoint", "--format", "json")
    assert result.code == 0, result
    out = json.loads(result.out)
    head = AuditEntry.objects.order_by("-seq").first()
    assert (out["seq"], out["head_hash"]) == (head.seq, head.hash)
    cp = AuditCheckpoint.objects.get()
    assert (cp.seq, cp.head_hash, cp.signature, cp.key_fingerprint) == (
        head.seq, head.hash, out["signature"], keys.fingerprint())
    assert cp.at.isoformat() == out["at"]  # the stored time is the signed time
    assert out["statement"] == checkpoint_statement(cp.seq, cp.head_hash, out["at"]) == cp.statement()
    assert keys.verify_signature(cp.statement().encode(), cp.signature, fingerprint=cp.key_fingerprint)
    assert run_cli("audit", "verify").code == 0


def test_checkpoint_text_output_and_certificate(history, tmp_path):
    cert = tmp_path / "lab.pem"
    result = run_cli("audit", "checkpoint", "--cert", str(cert))
    assert result.code == 0
    head = AuditEntry.objects.order_by("-seq").first()
    assert result.out.splitlines()[0] == f"checkpoint seq {head.seq} head {head.hash}"
    assert cert.read_text().startswith("-----BEGIN CERTIFICATE-----")


def test_checkpoint_of_an_empty_ledger(db):
    cp = ledger.make_checkpoint()
    assert (cp.seq, cp.head_hash) == (0, "0" * 64)
    assert ledger.verify().ok


def test_consistent_rewrite_after_a_checkpoint_is_caught(history):
    """Change an entry, recompute every hash after it and the business row to match:
    the chain and the rows agree again, but the signed head does not."""
    ledger.make_checkpoint()
    org = history["b"]
    last = AuditEntry.objects.filter(model="customers.CustomerOrganisation", object_pk=str(org.pk)).last()
    with ledger_unguarded():
        set_entry(last.seq, after=last.after.replace('"address":"北京市"', '"address":"上海市"'))
        rehash_from(last.seq)
    sql("UPDATE customers_customerorganisation SET address = %s WHERE id = %s", ["上海市", org.pk])
    assert ledger.verify(rows=True, stop_at_first=False).problems[0].kind == "checkpoint"
    result = run_cli("audit", "verify")
    assert result.code == 1
    assert result.out.startswith(f"LEDGER BROKEN at seq {last.seq}: "), result.out
    assert "rewritten" in result.out


def test_rewrite_before_an_older_checkpoint_names_the_range(history, make_org):
    ledger.make_checkpoint()
    first_cp = head_seq()
    make_org()
    make_org()
    ledger.make_checkpoint()
    with ledger_unguarded():
        set_entry(first_cp + 1, actor="user:mallory")
        rehash_from(first_cp + 1)
    result = run_cli("audit", "verify")
    assert result.code == 1
    assert f"between entries {first_cp + 1} and {head_seq()}" in result.out


def test_forged_checkpoint_signature_is_caught(history):
    cp = ledger.make_checkpoint()
    sql("UPDATE core_auditcheckpoint SET signature = %s WHERE id = %s", [flip_one_byte(cp.signature), cp.pk])
    result = run_cli("audit", "verify")
    assert result.code == 1
    assert result.out.startswith(f"LEDGER BROKEN at seq {cp.seq}: checkpoint at entry {cp.seq} has a bad signature")


def test_forged_checkpoint_head_is_caught(history):
    """An attacker who rewrites the ledger and moves the checkpoint's head along cannot sign it."""
    cp = ledger.make_checkpoint()
    with ledger_unguarded():
        set_entry(2, actor="user:mallory")
        rehash_from(2)
    sql("UPDATE core_auditcheckpoint SET head_hash = %s WHERE id = %s", [entry_row(cp.seq)["hash"], cp.pk])
    result = run_cli("audit", "verify")
    assert result.code == 1 and "bad signature" in result.out


def test_checkpoint_signed_by_another_key_is_caught(history, tmp_path):
    from cryptography.hazmat.primitives.asymmetric import ec

    cp = ledger.make_checkpoint()
    other = ec.generate_private_key(ec.SECP256R1())
    import base64

    from cryptography.hazmat.primitives import hashes

    forged = base64.b64encode(other.sign(cp.statement().encode(), ec.ECDSA(hashes.SHA256()))).decode()
    sql("UPDATE core_auditcheckpoint SET signature = %s WHERE id = %s", [forged, cp.pk])
    assert run_cli("audit", "verify").code == 1


def test_truncated_ledger_is_caught_by_a_checkpoint(history):
    cp = ledger.make_checkpoint()
    with ledger_unguarded():
        sql("DELETE FROM core_auditentry WHERE seq = %s", [cp.seq])
    # the row check would find it too; the checkpoint names the first missing entry
    result = ledger.verify(rows=False)
    assert [p.kind for p in result.problems] == ["checkpoint"]
    assert result.problems[0].seq == cp.seq


def test_checkpoints_stay_valid_after_the_lab_key_is_replaced(history):
    ledger.make_checkpoint()
    key_dir = settings.KEY_DIR
    backup = key_dir.parent / "keys-backup"
    shutil.copytree(key_dir, backup)
    try:
        retired = key_dir / keys.RETIRED_DIR
        retired.mkdir(exist_ok=True)
        (key_dir / keys.CERT_FILE).rename(retired / "2025.pem")
        (key_dir / keys.KEY_FILE).unlink()
        keys.ensure_lab_key()  # the new pair
        ledger.make_checkpoint()
        assert AuditCheckpoint.objects.values("key_fingerprint").distinct().count() == 2
        assert run_cli("audit", "verify").code == 0
        shutil.rmtree(retired)  # without the old certificate, the old checkpoint cannot be trusted
        result = run_cli("audit", "verify")
        assert result.code == 1 and "key this lab does not hold" in result.out
    finally:
        shutil.rmtree(key_dir)
        shutil.copytree(backup, key_dir)
        shutil.rmtree(backup)


def test_key_creation_is_one_pair_under_concurrent_first_use(tmp_path, settings):
    import threading

    settings.KEY_DIR = tmp_path / "keys"
    barrier = threading.Barrier(6)
    errors = []

    def first_use():
        try:
            barrier.wait()
            keys.ensure_lab_key()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=first_use) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    signature = keys.sign(b"x")
    assert keys.verify_signature(b"x", signature)
    assert (settings.KEY_DIR / keys.KEY_FILE).stat().st_mode & 0o077 == 0
    assert sorted(p.name for p in settings.KEY_DIR.iterdir()) == [keys.CERT_FILE, keys.KEY_FILE]


def test_mismatched_key_and_certificate_refuse_to_sign(tmp_path, settings):
    settings.KEY_DIR = tmp_path / "a"
    keys.ensure_lab_key()
    settings.KEY_DIR = tmp_path / "b"
    keys.ensure_lab_key()
    shutil.copy(tmp_path / "a" / keys.CERT_FILE, tmp_path / "b" / keys.CERT_FILE)
    with pytest.raises(RuntimeError):
        keys.sign(b"x")


def test_checkpoint_is_taken_under_the_ledger_lock(history, django_assert_num_queries):
    from django.db import connection

    pg = connection.vendor == "postgresql"
    # [lock], read the head, INSERT the checkpoint
    with django_assert_num_queries(2 + pg):
        ledger.make_checkpoint()
