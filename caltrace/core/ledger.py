"""Verifying the audit ledger and signing checkpoints of its head.

Every walk streams: the chain is read in ``seq`` order through a server-side cursor (PostgreSQL)
or in fetched batches (SQLite), and the comparison of live rows with the ledger goes a chunk of
primary keys at a time, so memory stays flat however long the ledger grows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Max, Subquery
from django.utils import timezone

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
    _verify_checkpoints(result, stop_at_first)
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


def _verify_checkpoints(result: VerifyResult, stop_at_first: bool = True) -> None:
    """A signed checkpoint pins the chain: a rewritten ledger cannot match an earlier signed head."""
    good_seq = 0  # the last checkpoint that matched: a rewrite found later lies after it
    certs = keys.certificates()
    for cp in AuditCheckpoint.objects.order_by("seq", "pk").iterator():
        problem = None
        if not keys.verify_signature(cp.statement().encode(), cp.signature, fingerprint=cp.key_fingerprint,
                                     certs=certs):
            problem = Problem("checkpoint", f"checkpoint at entry {cp.seq} has a bad signature "
                                            f"(or is signed by a key this lab does not hold)", seq=cp.seq)
        elif cp.seq > result.head_seq:
            problem = Problem("checkpoint", f"checkpoint at entry {cp.seq} is beyond the ledger head "
                                            f"{result.head_seq}: entries were removed", seq=result.head_seq + 1)
        elif cp.seq:
            head = AuditEntry.objects.filter(seq=cp.seq).values_list("hash", flat=True).first()
            if head != cp.head_hash:
                problem = Problem(
                    "checkpoint", f"entry {cp.seq} differs from the checkpoint signed at {cp.at.isoformat()}: "
                                  f"the ledger was rewritten between entries {good_seq + 1} and {cp.seq}",
                    seq=cp.seq)
        if problem is None:
            good_seq = max(good_seq, cp.seq)
            continue
        result.problems.append(problem)
        if stop_at_first:
            return


def _verify_rows(result: VerifyResult, progress, stop_at_first: bool) -> None:
    """Each live row equals its last ledger image; each object the ledger says exists, exists."""
    for model in audit.audited_models():
        checked = _verify_model_rows(result, model, stop_at_first)
        if result.problems and stop_at_first:
            return
        if progress:
            progress(audit.model_label(model), checked)


def _verify_model_rows(result: VerifyResult, model, stop_at_first: bool) -> int:
    """Walk the live rows in pk order, a chunk at a time, each against its last entry; then count
    the objects the ledger says exist, and look for the missing ones only if the counts differ."""
    label = audit.model_label(model)
    table = model._meta.db_table

    def problem(kind, pk, message):
        if _consistent_now(model, pk):
            return False  # written while this walk ran: the row and its new entry agree
        result.problems.append(Problem(kind, f"{table} pk={pk} {message}", table=table, pk=pk))
        return stop_at_first

    # 1. Live rows to ledger: changed, never recorded, or recorded as deleted.
    checked = with_head = 0
    rows = model._base_manager.order_by("pk")
    after_pk = None
    while True:
        live = audit.read_images_of((rows if after_pk is None else rows.filter(pk__gt=after_pk))[:CHUNK])
        if not live:
            break
        after_pk = model._meta.pk.to_python(next(reversed(live)))
        checked += len(live)
        last = _last_images(model, list(live))
        for key, row in live.items():
            action, image = last.get(key, (None, None))
            if action is None:
                stop = problem("row-unrecorded", key, "is not in the ledger (inserted outside the application)")
            elif action == audit.DELETE:
                stop = problem("row-changed", key, "exists but the ledger records its deletion")
            else:
                with_head += 1
                stop = False
                if row != image:
                    changed = sorted(k for k in row.keys() | image.keys() if row.get(k) != image.get(k))
                    stop = problem("row-changed", key,
                                   f"differs from its last ledger image (fields: {', '.join(changed)})")
            if stop:
                return checked

    # 2. Ledger to live rows: objects whose last entry is not a deletion, counted in the database.
    heads = AuditEntry.objects.filter(model=label).order_by().values("object_pk").annotate(last=Max("seq"))
    existing = (AuditEntry.objects.filter(seq__in=Subquery(heads.values("last"))).exclude(action=audit.DELETE)
                .count())
    if existing == with_head:
        return checked
    batch: list[int] = []

    def flush() -> bool:
        entries = list(AuditEntry.objects.filter(seq__in=batch).exclude(action=audit.DELETE)
                       .values_list("object_pk", flat=True))
        batch.clear()
        present = {audit.pk_key(model, pk) for pk in model._base_manager.filter(
            pk__in=[model._meta.pk.to_python(k) for k in entries]).values_list("pk", flat=True)}
        for key in entries:
            if key not in present and problem("row-missing", key, "was deleted outside the application"):
                return True
        return False

    for last in heads.values_list("last", flat=True).iterator(chunk_size=CHUNK):
        batch.append(last)
        if len(batch) >= CHUNK and flush():
            return checked
    if batch:
        flush()
    return checked


def _consistent_now(model, key: str) -> bool:
    """Whether the row and its last entry agree when read again (the walk reads them apart)."""
    last = _last_images(model, [key]).get(key)
    row = audit.read_images(model, [model._meta.pk.to_python(key)]).get(key)
    if last is None:
        return False
    action, image = last
    return row is None if action == audit.DELETE else row is not None and row == image


def make_checkpoint() -> AuditCheckpoint:
    """Sign the current head with the lab key and store it."""
    with transaction.atomic(savepoint=False):
        audit._lock_ledger()
        seq, head_hash = (AuditEntry.objects.order_by("-seq").values_list("seq", "hash").first()
                          or (0, audit.GENESIS_HASH))
        # The time is part of what is signed, so it is set here and stored as it is, instead of
        # letting the field's auto_now_add pick a later one (raw=True keeps the value given).
        now = timezone.now()
        statement = checkpoint_statement(seq, head_hash, now.isoformat())
        cp = AuditCheckpoint(seq=seq, head_hash=head_hash, at=now, signature=keys.sign(statement.encode()),
                             key_fingerprint=keys.fingerprint())
        cp.save_base(raw=True)
        return cp


def image_keys(model) -> set[str]:
    return {f.attname for f in audit.image_fields(model)} | {f.name for f in audit.image_m2m_fields(model)}


def _last_images(model, keys: list[str]) -> dict[str, tuple[str, dict | None]]:
    """The last entry of each object: its action and its ``after`` image, by pk text."""
    label = audit.model_label(model)
    lasts = (AuditEntry.objects.filter(model=label, object_pk__in=keys).order_by().values_list("object_pk")
             .annotate(last=Max("seq")).values_list("last", flat=True))
    return {pk: (action, json.loads(after) if after else None) for pk, action, after in
            AuditEntry.objects.filter(seq__in=list(lasts)).values_list("object_pk", "action", "after")}


def _shape_changed(model, keys_now: set[str]) -> bool:
    """Whether the oldest or the newest row's last image has other fields than the model now."""
    qs = model._base_manager.order_by("pk").values_list("pk", flat=True)
    sample = [pk for pk in (qs.first(), qs.last()) if pk is not None]
    for action, image in _last_images(model, [audit.pk_key(model, pk) for pk in sample]).values():
        if image is not None and set(image) != keys_now:
            return True
    return False


def rebaseline_schema_changes(*, actor: str = "system:migrate") -> int:
    """After migrations: give each row whose fields were added, removed or renamed an entry with
    its new image, so that ``verify`` compares like with like. Only the shape may differ: a row
    whose remaining fields differ from its last image is left alone, for ``verify`` to report.
    Returns the number of entries appended."""
    tables = set(connection.introspection.table_names())
    if AuditEntry._meta.db_table not in tables:
        return 0
    appended = 0
    for model in audit.audited_models():
        keys_now = image_keys(model)
        if model._meta.db_table not in tables or not _shape_changed(model, keys_now):
            continue
        with transaction.atomic():
            appended += _rebaseline_model(model, keys_now, actor)
    return appended


def _rebaseline_model(model, keys_now: set[str], actor: str) -> int:
    appended = 0
    after_pk = None
    live_pks = model._base_manager.order_by("pk").values_list("pk", flat=True)
    while True:
        chunk = list((live_pks if after_pk is None else live_pks.filter(pk__gt=after_pk))[:CHUNK])
        if not chunk:
            return appended
        after_pk = chunk[-1]
        live = audit.read_images(model, chunk)
        last = _last_images(model, list(live))
        by_reason: dict[str, list] = {}
        for key, row in live.items():
            action, image = last.get(key, (None, None))
            if image is None or set(image) == keys_now:
                continue
            common = set(image) & keys_now
            if any(image[k] != row[k] for k in common):
                continue
            added, removed = sorted(keys_now - set(image)), sorted(set(image) - keys_now)
            reason = f"schema change: added {', '.join(added) or '-'}; removed {', '.join(removed) or '-'}"
            by_reason.setdefault(reason, []).append((audit.UPDATE, model, key, image, row))
        for reason, items in by_reason.items():
            with audit.audit_context(actor=actor, reason=reason, request_id=""):
                appended += audit.append_many(items)
