"""The audit ledger (审计账本): one hash-chained, append-only entry per create, change and delete.

Every model that subclasses :class:`caltrace.core.models.BusinessModel` (and the few framework
models listed in ``EXTRA_AUDITED``) is audited whatever the entry point: ``save()`` and
``delete()`` through signals, and the bulk paths (``QuerySet.update``, ``bulk_create``,
``bulk_update``) through :class:`AuditedQuerySet`. Who acted and why comes from
:func:`audit_context`, which the web middleware, the API auth, the CLI and tasks set.

An entry's image of a row is canonical JSON of its concrete fields (and many-to-many pk lists),
normalised through each field's ``to_python`` so that the image of an in-memory object equals
the image of the same row read back from either database.
"""

from __future__ import annotations

import base64
import contextlib
import contextvars
import datetime as dt
import decimal
import hashlib
import json
import uuid
from dataclasses import dataclass

from django.apps import apps
from django.db import connection, models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.utils import timezone

GENESIS_HASH = "0" * 64
CREATE, UPDATE, DELETE = "create", "update", "delete"

# Framework models whose changes are business changes too (who may do what).
EXTRA_AUDITED = ("auth.User", "auth.Group")
# Fields left out of an image: volatile or secret, and not business data.
EXCLUDED_FIELDS = {"auth.User": {"password", "last_login"}}


@dataclass(frozen=True)
class AuditContext:
    actor: str = "system"
    reason: str = ""
    request_id: str = ""


_context: contextvars.ContextVar[AuditContext] = contextvars.ContextVar(
    "caltrace_audit_context", default=AuditContext()
)


@contextlib.contextmanager
def audit_context(actor: str | None = None, reason: str | None = None, request_id: str | None = None):
    """Name who acts (``user:alice``, ``system:cli``, ``system:mqtt-ingest``) and why, for a block."""
    current = _context.get()
    token = _context.set(
        AuditContext(
            actor=actor if actor is not None else current.actor,
            reason=reason if reason is not None else current.reason,
            request_id=request_id if request_id is not None else current.request_id,
        )
    )
    try:
        yield
    finally:
        _context.reset(token)


def current_context() -> AuditContext:
    return _context.get()


def actor_for_user(user) -> str:
    if user is None or not getattr(user, "is_authenticated", False):
        return "anonymous"
    return f"user:{user.get_username()}"


# ---------------------------------------------------------------------------------------------
# Canonical images


def canonical_json(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _normalise(field, value):
    if value is None:
        return None
    if isinstance(field, models.ForeignKey):
        field = field.target_field
    if isinstance(field, models.JSONField):
        return json.loads(canonical_json(value))
    if isinstance(field, models.FileField):
        return str(value.name if hasattr(value, "name") else value)
    try:
        value = field.to_python(value)
    except Exception:  # an unsaveable value never reaches the DB; keep its text
        return str(value)
    if isinstance(value, dt.datetime):
        if timezone.is_naive(value):
            value = timezone.make_aware(value, dt.timezone.utc)
        return value.astimezone(dt.timezone.utc).isoformat(timespec="microseconds")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, decimal.Decimal):
        if isinstance(field, models.DecimalField) and field.decimal_places is not None:
            value = value.quantize(decimal.Decimal(1).scaleb(-field.decimal_places))
        return str(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (bytes, memoryview)):
        return base64.b64encode(bytes(value)).decode()
    if isinstance(value, float):
        return repr(value)
    return value


def model_label(model) -> str:
    return model._meta.label


def image_fields(model):
    excluded = EXCLUDED_FIELDS.get(model_label(model), set())
    return [f for f in model._meta.concrete_fields if f.name not in excluded]


def image_of(instance, m2m: dict | None = None) -> dict:
    """The canonical image of a model instance (concrete fields by attname, m2m as sorted pks)."""
    data = {f.attname: _normalise(f, getattr(instance, f.attname)) for f in image_fields(type(instance))}
    for f in type(instance)._meta.many_to_many:
        if m2m is not None and f.name in m2m:
            data[f.name] = m2m[f.name]
        elif instance.pk is not None:
            data[f.name] = sorted(str(pk) for pk in getattr(instance, f.name).values_list("pk", flat=True))
        else:
            data[f.name] = []
    return data


def is_audited(model) -> bool:
    from .models import BusinessModel

    if model._meta.abstract or model._meta.proxy and not is_audited(model._meta.concrete_model):
        return False
    return issubclass(model, BusinessModel) or model_label(model._meta.concrete_model) in EXTRA_AUDITED


def audited_models():
    return sorted((m for m in apps.get_models() if is_audited(m) and not m._meta.proxy), key=model_label)


# ---------------------------------------------------------------------------------------------
# Appending


def entry_hash(*, seq, at, actor, action, model, object_pk, before, after, reason, request_id, prev_hash) -> str:
    payload = canonical_json(
        [seq, at, actor, action, model, object_pk, before, after, reason, request_id, prev_hash]
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _lock_ledger():
    """Serialise appends: on PostgreSQL a transaction-scoped advisory lock; SQLite has one writer."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [0x6361_6C74])  # 'calt'


def append(action: str, model, object_pk, before: dict | None, after: dict | None) -> None:
    """Append one ledger entry in the current transaction (opening one if needed)."""
    from .models import AuditEntry

    ctx = current_context()
    label = model_label(model._meta.concrete_model)
    with transaction.atomic():
        _lock_ledger()
        last = AuditEntry.objects.order_by("-seq").values_list("seq", "hash").first()
        seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS_HASH)
        at = timezone.now().astimezone(dt.timezone.utc).isoformat(timespec="microseconds")
        fields = dict(
            seq=seq,
            at=at,
            actor=ctx.actor,
            action=action,
            model=label,
            object_pk=str(object_pk),
            before=canonical_json(before) if before is not None else "",
            after=canonical_json(after) if after is not None else "",
            reason=ctx.reason,
            request_id=ctx.request_id,
            prev_hash=prev,
        )
        AuditEntry.objects.create(hash=entry_hash(**fields), **fields)


def _read_images(model, pks) -> dict[str, dict]:
    """Images of rows as they are in the database now, by pk text."""
    qs = model._base_manager.filter(pk__in=list(pks))
    m2m = [f.name for f in model._meta.many_to_many]
    if m2m:
        qs = qs.prefetch_related(*m2m)
    out = {}
    for obj in qs:
        m = {name: sorted(str(o.pk) for o in getattr(obj, name).all()) for name in m2m}
        out[str(obj.pk)] = image_of(obj, m2m=m)
    return out


# ---------------------------------------------------------------------------------------------
# Signal receivers: save(), delete(), many-to-many changes


def _pre_save(sender, instance, raw=False, **kwargs):
    if raw or not is_audited(sender):
        return
    instance._audit_before = None
    if instance.pk is not None and not instance._state.adding:
        instance._audit_before = _read_images(sender, [instance.pk]).get(str(instance.pk))


def _post_save(sender, instance, created, raw=False, update_fields=None, **kwargs):
    if raw or not is_audited(sender):
        return
    before = None if created else getattr(instance, "_audit_before", None)
    m2m_now = {f.name: (before or {}).get(f.name, []) for f in sender._meta.many_to_many}
    fresh = image_of(instance, m2m=m2m_now)
    if update_fields is not None and before is not None:
        # Only these columns were written; the rest of the row is what the database holds.
        written = {sender._meta.get_field(name).attname for name in update_fields}
        after = {k: (fresh[k] if k in written else v) for k, v in before.items()}
    else:
        after = fresh
    if before == after:
        return  # a save that changed nothing is not a change
    append(CREATE if created or before is None else UPDATE, sender, instance.pk, before, after)


def _pre_delete(sender, instance, **kwargs):
    if is_audited(sender):
        instance._audit_before = _read_images(sender, [instance.pk]).get(str(instance.pk))


def _post_delete(sender, instance, **kwargs):
    if is_audited(sender):
        append(DELETE, sender, instance.pk, getattr(instance, "_audit_before", None), None)


def _m2m_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    if action not in {"pre_add", "pre_remove", "pre_clear", "post_add", "post_remove", "post_clear"}:
        return
    # The change is recorded on whichever side(s) are audited: the forward side holds the field.
    owners = [instance] if not reverse else list(model._base_manager.filter(pk__in=pk_set or []))
    if reverse and action == "pre_clear":
        field = next(f for f in model._meta.many_to_many if f.remote_field.through is sender)
        instance._audit_reverse_clear = list(getattr(instance, field.related_query_name()).all())
    if reverse and action == "post_clear":
        owners = getattr(instance, "_audit_reverse_clear", [])
    for owner in owners:
        owner_model = type(owner)
        if not is_audited(owner_model):
            continue
        if action.startswith("pre_"):
            owner._audit_m2m_before = _read_images(owner_model, [owner.pk]).get(str(owner.pk))
        else:
            after = _read_images(owner_model, [owner.pk]).get(str(owner.pk))
            before = getattr(owner, "_audit_m2m_before", None)
            if before != after:
                append(UPDATE, owner_model, owner.pk, before, after)


def connect_signals():
    pre_save.connect(_pre_save, dispatch_uid="caltrace_audit_pre_save")
    post_save.connect(_post_save, dispatch_uid="caltrace_audit_post_save")
    pre_delete.connect(_pre_delete, dispatch_uid="caltrace_audit_pre_delete")
    post_delete.connect(_post_delete, dispatch_uid="caltrace_audit_post_delete")
    m2m_changed.connect(_m2m_changed, dispatch_uid="caltrace_audit_m2m")


# ---------------------------------------------------------------------------------------------
# Bulk paths


class AuditedQuerySet(models.QuerySet):
    """A QuerySet whose bulk writes land in the ledger like single ones."""

    def update(self, **kwargs):
        model = self.model
        with transaction.atomic():
            pks = list(self.values_list("pk", flat=True))
            if not pks:
                return 0
            before = _read_images(model, pks)
            count = super().update(**kwargs)
            after = _read_images(model, pks)
            for pk in pks:
                key = str(pk)
                if before.get(key) != after.get(key):
                    append(UPDATE, model, pk, before.get(key), after.get(key))
            return count

    update.alters_data = True

    def bulk_create(self, objs, *args, **kwargs):
        with transaction.atomic():
            created = super().bulk_create(objs, *args, **kwargs)
            missing = [o for o in created if o.pk is None]
            if missing:
                raise RuntimeError("bulk_create returned objects without primary keys; cannot audit them")
            for obj in created:
                append(CREATE, self.model, obj.pk, None, image_of(obj, m2m={f.name: [] for f in self.model._meta.many_to_many}))
            return created

    def bulk_update(self, objs, fields, *args, **kwargs):
        objs = list(objs)
        with transaction.atomic():
            pks = [o.pk for o in objs]
            before = _read_images(self.model, pks)
            count = super().bulk_update(objs, fields, *args, **kwargs)
            after = _read_images(self.model, pks)
            for pk in pks:
                key = str(pk)
                if before.get(key) != after.get(key):
                    append(UPDATE, self.model, pk, before.get(key), after.get(key))
            return count

    bulk_update.alters_data = True


class AuditedManager(models.Manager.from_queryset(AuditedQuerySet)):
    pass
