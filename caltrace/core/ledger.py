"""Verifying the audit ledger and signing checkpoints of its head."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Max

from . import audit, keys
from .models import AuditCheckpoint, AuditEntry, checkpoint_statement

CHUNK = 2000


@dataclass
class Problem:
    kind: str  # chain | hash | gap | checkpoint | row-changed | row-missing | row-unrecorded
    message: str
    seq: int | None = None
    table: str | None = None
    pk: str | None = None


@dataclass
class VerifyResult:
    count: int = 0
    head_seq: int = 0
    head_hash: str = audit.GENESIS_HASH
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(*, rows: bool = True, progress=None, stop_at_first: bool = True) -> VerifyResult:
    """Recompute the hash chain, check signed checkpoints, and compare live rows with the ledger."""
    result = VerifyResult()
    _verify_chain(result, progress)
    if result.problems and stop_at_first:
        return result
    _verify_checkpoints(result)
    if rows and not (result.problems and stop_at_first):
        _verify_rows(result, progress, stop_at_first)
    return result


def _verify_chain(result: VerifyResult, progress) -> None:
    expected_seq, prev = 1, audit.GENESIS_HASH
    qs = AuditEntry.objects.order_by("seq").values_list(
        "seq", "at", "actor", "action", "model", "object_pk", "before", "after", "reason",
        "request_id", "prev_hash", "hash",
    )
    for row in qs.iterator(chunk_size=CHUNK):
        seq, at, actor, action, model, object_pk, before, after, reason, request_id, prev_hash, hash_ = row
        if seq != expected_seq:
            result.problems.append(Problem(
                "gap", f"entry {expected_seq} is missing (next present is {seq})", seq=expected_seq))
            return
        if prev_hash != prev:
            result.problems.append(Problem(
                "chain", f"entry {seq} does not follow entry {seq - 1} (previous hash differs)", seq=seq))
            return
        computed = audit.entry_hash(
            seq=seq, at=at, actor=actor, action=action, model=model, object_pk=object_pk, before=before,
            after=after, reason=reason, request_id=request_id, prev_hash=prev_hash,
        )
        if computed != hash_:
            result.problems.append(Problem("hash", f"entry {seq} was altered (its hash does not match)", seq=seq))
            return
        prev, expected_seq = hash_, seq + 1
        result.count += 1
        if progress and result.count % 50_000 == 0:
            progress("chain", result.count)
    result.head_seq, result.head_hash = expected_seq - 1, prev


def _verify_checkpoints(result: VerifyResult) -> None:
    """A signed checkpoint pins the chain: a rewritten ledger cannot match an earlier signed head."""
    hashes = None
    for cp in AuditCheckpoint.objects.order_by("seq").iterator():
        if not keys.verify_signature(cp.statement().encode(), cp.signature):
            result.problems.append(Problem("checkpoint", f"checkpoint at entry {cp.seq} has a bad signature",
                                           seq=cp.seq))
            continue
        if cp.seq > result.head_seq:
            result.problems.append(Problem(
                "checkpoint", f"checkpoint at entry {cp.seq} is beyond the ledger head {result.head_seq}",
                seq=cp.seq))
            continue
        if hashes is None:
            seqs = list(AuditCheckpoint.objects.values_list("seq", flat=True))
            hashes = dict(AuditEntry.objects.filter(seq__in=seqs).values_list("seq", "hash"))
        if cp.seq and hashes.get(cp.seq) != cp.head_hash:
            result.problems.append(Problem(
                "checkpoint", f"entry {cp.seq} differs from the signed checkpoint", seq=cp.seq))


def _verify_rows(result: VerifyResult, progress, stop_at_first: bool) -> None:
    """Each live row equals its last ledger image; each object the ledger says exists, exists."""
    for model in audit.audited_models():
        label = audit.model_label(model)
        table = model._meta.db_table
        # Latest entry per object of this model, walked in chunks of pks.
        heads = (
            AuditEntry.objects.filter(model=label).values("object_pk").annotate(last=Max("seq"))
            .order_by("object_pk")
        )
        seen: set[str] = set()
        batch: list[int] = []

        def flush():
            entries = AuditEntry.objects.filter(seq__in=batch).values_list("object_pk", "action", "after")
            by_pk = {pk: (action, after) for pk, action, after in entries}
            live = audit._read_images(model, [model._meta.pk.to_python(pk) for pk in by_pk])
            for pk, (action, after) in by_pk.items():
                seen.add(pk)
                row = live.get(pk)
                if action == audit.DELETE:
                    if row is not None:
                        result.problems.append(Problem(
                            "row-changed", f"{table} pk={pk} exists but the ledger records its deletion",
                            table=table, pk=pk))
                elif row is None:
                    result.problems.append(Problem(
                        "row-missing", f"{table} pk={pk} was deleted outside the application", table=table, pk=pk))
                elif row != json.loads(after):
                    changed = sorted(k for k in row if row.get(k) != json.loads(after).get(k))
                    result.problems.append(Problem(
                        "row-changed",
                        f"{table} pk={pk} differs from its last ledger image (fields: {', '.join(changed)})",
                        table=table, pk=pk))
            batch.clear()

        for head in heads.iterator(chunk_size=CHUNK):
            batch.append(head["last"])
            if len(batch) >= CHUNK:
                flush()
                if result.problems and stop_at_first:
                    return
        if batch:
            flush()
        if result.problems and stop_at_first:
            return
        # Rows the ledger never saw (inserted with raw SQL).
        live_pks = model._base_manager.values_list("pk", flat=True).order_by("pk")
        for pk in live_pks.iterator(chunk_size=CHUNK):
            if str(pk) not in seen:
                result.problems.append(Problem(
                    "row-unrecorded", f"{table} pk={pk} is not in the ledger (inserted outside the application)",
                    table=table, pk=str(pk)))
                if stop_at_first:
                    return
        if progress:
            progress(label, len(seen))


def make_checkpoint() -> AuditCheckpoint:
    """Sign the current head with the lab key and store it."""
    from django.utils import timezone

    with transaction.atomic():
        audit._lock_ledger()
        head = AuditEntry.objects.order_by("-seq").values_list("seq", "hash").first() or (0, audit.GENESIS_HASH)
        now = timezone.now()
        statement = checkpoint_statement(head[0], head[1], now.isoformat())
        cp = AuditCheckpoint(seq=head[0], head_hash=head[1], signature=keys.sign(statement.encode()),
                             key_fingerprint=keys.fingerprint())
        cp.save()
        # auto_now_add replaced `at`; store the time that was signed.
        AuditCheckpoint.objects.filter(pk=cp.pk).update(at=now)
        cp.at = now
        return cp
