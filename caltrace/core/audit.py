"""The audit ledger (审计账本): one hash-chained, append-only entry per create, change and delete.

Every model that subclasses :class:`caltrace.core.models.BusinessModel` (and the few framework
models listed in ``EXTRA_AUDITED``) is audited whatever the entry point: ``save()`` and
``delete()`` (cascades included) through signals, many-to-many changes from either side through
``m2m_changed``, and the bulk paths (``QuerySet.update``, ``bulk_create``, and ``bulk_update``,
which Django runs as ``update()`` calls) through :class:`AuditedQuerySet`; ``auth.User`` and
``auth.Group`` get the same queryset and atomic saves from :func:`connect_signals`. Who acted and
why comes from :func:`audit_context`, which the web middleware, the API auth, the CLI and tasks set.

Data migrations are audited too (historical models stand for the real ones), and after
``migrate`` rows whose fields were added or removed get a ``system:migrate`` entry with their
new image (:func:`caltrace.core.ledger.rebaseline_schema_changes`).

An entry's image of a row is canonical JSON of its concrete fields (and the sorted pk lists of
its many-to-many fields with an auto-created through table). Images are always read back from
the database, never taken from the object in memory, so that the ledger holds what the row is
and a later comparison with the live row (``caltrace audit verify``) is exact on either database.

A row change and its ledger entry commit together: audited ``save()`` runs in a transaction, as
``delete()``, the related managers and the bulk paths already do. One limit: the parent row of a
multi-table-inheritance child is recorded under the child only (``verify`` would call it
unrecorded), so business models do not use multi-table inheritance.
"""

from __future__ import annotations

import base64
import contextlib
import contextvars
import datetime as dt
import decimal
import functools
import hashlib
import json
import uuid
from dataclasses import dataclass

from django.apps import apps
from django.db import connection, models, router, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.utils import timezone

GENESIS_HASH = "0" * 64
CREATE, UPDATE, DELETE = "create", "update", "delete"

# Framework models whose changes are business changes too (who may do what).
EXTRA_AUDITED = ("auth.User", "auth.Group")
# Fields left out of an image: volatile, and not business data.
EXCLUDED_FIELDS = {"auth.User": {"last_login"}}
# Secret fields: the image holds a digest, so a change is recorded (and a raw-SQL change found)
# without the secret itself entering the ledger.
DIGESTED_FIELDS = {"auth.User": {"password"}}
# Rows read per query; keeps pk lists under every backend's parameter limit.
READ_CHUNK = 500


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


def _digest(value) -> str | None:
    if value is None:
        return None
    return "sha256:" + hashlib.sha256(str(value).encode("utf-8")).hexdigest()


def model_label(model) -> str:
    return model._meta.label


def image_fields(model):
    label = model_label(model._meta.concrete_model)
    excluded = EXCLUDED_FIELDS.get(label, set())
    # An auto_now stamp moves on every save; the entry's own time says when a change was made,
    # and a save that changes nothing else is not a change.
    return [f for f in model._meta.concrete_fields if f.name not in excluded and not getattr(f, "auto_now", False)]


def image_m2m_fields(model):
    """Many-to-many fields held in the image: those with an auto-created through table.

    A custom through model is a model of its own (audited when it is a business model); its
    rows are recorded there, not as a list on either side.
    """
    return [f for f in model._meta.many_to_many if f.remote_field.through._meta.auto_created]


def _image_value(model, field, value):
    if field.name in DIGESTED_FIELDS.get(model_label(model._meta.concrete_model), ()):
        return _digest(value)
    return _normalise(field, value)


def pk_key(model, pk) -> str:
    """The text of a primary key as the ledger holds it (``object_pk``)."""
    return str(model._meta.pk.to_python(pk))


def image_of(instance, m2m: dict | None = None) -> dict:
    """The canonical image of an in-memory instance (concrete fields by attname, m2m as sorted pks).

    The ledger itself never uses this: it reads rows back (:func:`read_images`). Tests use it to
    show that the two agree.
    """
    model = type(instance)
    data = {f.attname: _image_value(model, f, getattr(instance, f.attname)) for f in image_fields(model)}
    for f in image_m2m_fields(model):
        if m2m is not None and f.name in m2m:
            data[f.name] = m2m[f.name]
        elif instance.pk is not None:
            data[f.name] = sorted(str(pk) for pk in getattr(instance, f.name).values_list("pk", flat=True))
        else:
            data[f.name] = []
    return data


@functools.lru_cache(maxsize=None)
def _is_audited(model) -> bool:
    from .models import BusinessModel

    if model._meta.abstract:
        return False
    if model._meta.proxy:
        return _is_audited(model._meta.concrete_model)
    if model._meta.apps is not apps:
        # A historical model (a data migration's RunPython): audited if the model it stands for is.
        try:
            return _is_audited(apps.get_model(model_label(model)))
        except LookupError:
            return False
    return issubclass(model, BusinessModel) or model_label(model) in EXTRA_AUDITED


def is_audited(model) -> bool:
    return _is_audited(model)


def audited_models():
    return sorted((m for m in apps.get_models() if is_audited(m) and not m._meta.proxy), key=model_label)


def _chunks(seq, size=READ_CHUNK):
    seq = list(seq)
    for i in range(0, len(seq), size):
        yield seq[i:i + size]


def read_images(model, pks, *, m2m: bool = True) -> dict[str, dict]:
    """Images of rows as they are in the database now, by pk text. Rows that do not exist are absent.

    With ``m2m=False`` the many-to-many lists are left out (the caller knows them).
    """
    model = model._meta.concrete_model
    out: dict[str, dict] = {}
    for chunk in _chunks(pks):
        out.update(read_images_of(model._base_manager.filter(pk__in=chunk).order_by(), m2m=m2m))
    return out


def read_images_of(queryset, *, m2m: bool = True) -> dict[str, dict]:
    """Images of the rows a queryset selects (in its order), by pk text."""
    model = queryset.model._meta.concrete_model
    fields = image_fields(model)
    found = {}
    for row in queryset.values_list("pk", *[f.attname for f in fields]):
        found[row[0]] = {f.attname: _image_value(model, f, v) for f, v in zip(fields, row[1:])}
    for f in image_m2m_fields(model) if m2m and found else ():
        for img in found.values():
            img[f.name] = []
        through = f.remote_field.through
        src = through._meta.get_field(f.m2m_field_name())
        dst = through._meta.get_field(f.m2m_reverse_field_name())
        pairs = (through._base_manager.filter(**{f"{src.attname}__in": list(found)}).order_by()
                 .values_list(src.attname, dst.attname))
        for owner, target in pairs:
            if owner in found:
                found[owner][f.name].append(str(target))
        for img in found.values():
            img[f.name].sort()
    return {pk_key(model, pk): img for pk, img in found.items()}


# ---------------------------------------------------------------------------------------------
# Appending


def entry_hash(*, seq, at, actor, action, model, object_pk, before, after, reason, request_id, prev_hash) -> str:
    payload = canonical_json(
        [seq, at, actor, action, model, object_pk, before, after, reason, request_id, prev_hash]
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


LOCK_KEY = 0x6361_6C74  # 'calt'


def _lock_ledger():
    """Serialise appends, to the end of the transaction.

    PostgreSQL: a transaction-scoped advisory lock. It is taken before an audited row is locked
    (before its save, delete, m2m change, bulk write, or ``select_for_update``), never after: a
    transaction holding a row's lock and waiting for the ledger while another holds the ledger
    and waits for that row would deadlock. SQLite: every write transaction already holds the
    database's one write lock from BEGIN (``transaction_mode`` IMMEDIATE in settings).
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


ENTRY_COLUMNS = ("seq", "at", "actor", "action", "model", "object_pk", "before", "after", "reason", "request_id",
                 "prev_hash", "hash")


def append_many(items) -> int:
    """Append entries ``(action, model, pk, before, after)`` in order, in the current transaction."""
    items = list(items)
    if not items:
        return 0
    ctx = current_context()
    # Plain SQL for the two statements every write pays for: the ORM's query building was a
    # quarter of the cost of an audited save.
    with transaction.atomic(savepoint=False), connection.cursor() as cur:
        _lock_ledger()
        cur.execute("SELECT seq, hash FROM core_auditentry ORDER BY seq DESC LIMIT 1")
        last = cur.fetchone()
        seq, prev = (int(last[0]), last[1]) if last else (0, GENESIS_HASH)
        at = timezone.now().astimezone(dt.timezone.utc).isoformat(timespec="microseconds")
        rows = []
        for action, model, object_pk, before, after in items:
            seq += 1
            fields = dict(
                seq=seq,
                at=at,
                actor=ctx.actor,
                action=action,
                model=model_label(model._meta.concrete_model),
                object_pk=pk_key(model, object_pk),
                before=canonical_json(before) if before is not None else "",
                after=canonical_json(after) if after is not None else "",
                reason=ctx.reason,
                request_id=ctx.request_id,
                prev_hash=prev,
            )
            prev = entry_hash(**fields)
            rows.append([*fields.values(), prev])
        insert = (f"INSERT INTO core_auditentry ({', '.join(ENTRY_COLUMNS)}) "
                  f"VALUES ({', '.join(['%s'] * len(ENTRY_COLUMNS))})")
        if len(rows) == 1:
            cur.execute(insert, rows[0])
        else:
            cur.executemany(insert, rows)
    return len(rows)


def append(action: str, model, object_pk, before: dict | None, after: dict | None) -> None:
    """Append one ledger entry in the current transaction (opening one if needed)."""
    append_many([(action, model, object_pk, before, after)])


def _changes(model, pks, before: dict, after: dict):
    """Entries for the rows whose image differs between two reads."""
    out = []
    for pk in pks:
        key = pk_key(model, pk)
        b, a = before.get(key), after.get(key)
        if b == a:
            continue
        action = CREATE if b is None else DELETE if a is None else UPDATE
        out.append((action, model, pk, b, a))
    return out


# ---------------------------------------------------------------------------------------------
# Signal receivers: save(), delete(), many-to-many changes


def _pre_save(sender, instance, **kwargs):
    if not is_audited(sender):
        return
    _lock_ledger()  # before the row's lock: see _lock_ledger
    before = None
    if instance.pk is not None:  # an update, or a create with a preset pk (which may exist already)
        before = read_images(sender, [instance.pk]).get(pk_key(sender, instance.pk))
    instance.__dict__["_audit_before"] = before


def _post_save(sender, instance, created, **kwargs):
    if not is_audited(sender):
        return
    before = instance.__dict__.pop("_audit_before", None)
    key = pk_key(sender, instance.pk)
    # Read back what the database holds: defaults it computed, rounding it applied, and with
    # save(update_fields=...) the columns this (possibly stale) instance did not write.
    after = read_images(sender, [instance.pk], m2m=False).get(key)
    if after is None:  # pragma: no cover - the row was just written
        return
    for f in image_m2m_fields(sender):  # save() never changes many-to-many rows
        after[f.name] = before[f.name] if before is not None else []
    if before == after:
        return  # a save that changed nothing is not a change
    append(CREATE if before is None else UPDATE, sender, instance.pk, before, after)


def _m2m_owner_relations(model):
    """Many-to-many fields of audited models that point at ``model`` (auto-created through tables)."""
    out = []
    for rel in model._meta.related_objects:
        field = rel.field
        if rel.many_to_many and field.model is not None and is_audited(field.model) \
                and field.remote_field.through._meta.auto_created:
            out.append(field)
    return out


def _cascade_pending(origin, instance) -> dict:
    """Rows of other models that one delete (with its cascade) changes, by (model, pk)."""
    holder = origin if origin is not None else instance
    return holder.__dict__.setdefault("_audit_cascade", {})


def _pre_delete(sender, instance, origin=None, **kwargs):
    # Deleting a row removes it from the m2m lists of the audited rows that point at it
    # (deleting a group changes its members' images): remember those rows as they are, once
    # per cascade (deleting a content type removes many permissions from the same group).
    pending = _cascade_pending(origin, instance)
    owners = _m2m_owner_relations(sender)
    if owners or is_audited(sender):
        _lock_ledger()
    for field in owners:
        owner = field.model._meta.concrete_model
        pks = [pk for pk in owner._base_manager.filter(**{field.name: instance.pk}).values_list("pk", flat=True)
               if (owner, pk_key(owner, pk)) not in pending]
        for key, image in read_images(owner, pks).items():
            pending[(owner, key)] = image
    if is_audited(sender):
        instance.__dict__["_audit_before"] = read_images(sender, [instance.pk]).get(pk_key(sender, instance.pk))


def _post_delete(sender, instance, origin=None, **kwargs):
    if is_audited(sender):
        before = instance.__dict__.pop("_audit_before", None)
        append(DELETE, sender, instance.pk, before, None)
    pending = _cascade_pending(origin, instance)
    if not pending:
        return
    # Django deletes the m2m rows before the rows they point at, so the first post_delete of
    # the cascade already sees the owners' final lists.
    by_model: dict = {}
    for (owner, key), image in pending.items():
        by_model.setdefault(owner, {})[key] = image
    pending.clear()
    for owner, before in by_model.items():
        after = read_images(owner, list(before))
        # An owner deleted in the same cascade has its own delete entry.
        append_many([c for c in _changes(owner, list(before), before, after) if c[0] == UPDATE])


def _m2m_field(owner_model, through):
    return next(f for f in owner_model._meta.many_to_many if f.remote_field.through is through)


def _m2m_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    if action not in {"pre_add", "pre_remove", "pre_clear", "post_add", "post_remove", "post_clear"}:
        return
    if not sender._meta.auto_created:
        return  # a custom through model is audited (or not) as a model of its own
    pending = instance.__dict__.setdefault("_audit_m2m_pending", {})
    if action.startswith("post_"):
        stashed = pending.pop(sender, None)
        if stashed is None:
            return
        owner, pks, before, mirrored = stashed
        after = read_images(owner, pks)
        if mirrored and action == "post_add":
            # Django inserts the mirror rows of a symmetrical add after this signal, in the same
            # transaction and without a signal of its own: the other side's lists are as they
            # will be once it has.
            name, me = mirrored
            for pk in pks:
                key = pk_key(owner, pk)
                if key != me and key in after:
                    after[key][name] = sorted(set(after[key][name]) | {me})
        append_many(_changes(owner, pks, before, after))
        return
    # The field lives on the "owner" side; its rows' images change.
    owner = type(instance) if not reverse else model
    if not is_audited(owner):
        return
    field = _m2m_field(owner, sender)
    src = sender._meta.get_field(field.m2m_field_name()).attname
    dst = sender._meta.get_field(field.m2m_reverse_field_name()).attname
    through = sender._base_manager
    mirrored = None
    if not reverse:
        pks = [instance.pk]
        if field.remote_field.symmetrical and \
                field.remote_field.model._meta.concrete_model is owner._meta.concrete_model:
            # A symmetrical self-relation changes the other side's lists as well.
            mirrored = (field.name, pk_key(owner, instance.pk))
            if action == "pre_clear":
                pks += list(through.filter(**{src: instance.pk}).values_list(dst, flat=True))
            else:
                pks += list(pk_set or ())
    elif action == "pre_clear":
        pks = list(through.filter(**{dst: instance.pk}).values_list(src, flat=True))
    else:
        pks = list(pk_set or ())
    pks = list(dict.fromkeys(pks))
    _lock_ledger()
    pending[sender] = (owner, pks, read_images(owner, pks), mirrored)


def _atomic_save_base(original):
    @functools.wraps(original)
    def save_base(self, *args, **kwargs):
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=using, savepoint=False):
            return original(self, *args, **kwargs)

    save_base._caltrace_atomic = True
    return save_base


def _install_on(model):
    """Make ``model``'s saves atomic and its bulk writes audited (BusinessModel has both built in
    through its manager; framework models get them here)."""
    if not getattr(model.save_base, "_caltrace_atomic", False):
        model.save_base = _atomic_save_base(model.save_base)
    if model._meta.abstract:
        return
    for manager in model._meta.managers:
        cls = type(manager)
        if issubclass(cls._queryset_class, AuditedQuerySet):
            continue
        if cls is models.Manager:
            raise RuntimeError(f"{model_label(model)}: give it its own manager class before auditing it")
        cls._queryset_class = type(f"Audited{cls.__name__}QuerySet",
                                   (AuditedQuerySet, cls._queryset_class), {})
    if not model._meta.base_manager_name and model._meta.managers:
        model._meta.base_manager_name = model._meta.managers[0].name
        model._meta.__dict__.pop("base_manager", None)


def _post_migrate(sender, **kwargs):
    if sender.label != "core":  # sent once per app; every app's migrations have run by now
        return
    from . import ledger

    ledger.rebaseline_schema_changes()


def connect_signals():
    from django.db.models.signals import post_migrate

    from .models import BusinessModel

    _install_on(BusinessModel)
    for label in EXTRA_AUDITED:
        _install_on(apps.get_model(label))
    pre_save.connect(_pre_save, dispatch_uid="caltrace_audit_pre_save")
    post_save.connect(_post_save, dispatch_uid="caltrace_audit_post_save")
    pre_delete.connect(_pre_delete, dispatch_uid="caltrace_audit_pre_delete")
    post_delete.connect(_post_delete, dispatch_uid="caltrace_audit_post_delete")
    m2m_changed.connect(_m2m_changed, dispatch_uid="caltrace_audit_m2m")
    post_migrate.connect(_post_migrate, dispatch_uid="caltrace_audit_post_migrate")


# ---------------------------------------------------------------------------------------------
# Bulk paths


class AuditedQuerySet(models.QuerySet):
    """A QuerySet whose bulk writes land in the ledger like single ones."""

    def _fetch_all(self):
        if self._result_cache is None and self.query.select_for_update and is_audited(self.model):
            _lock_ledger()  # a transaction that locks audited rows will write them: ledger first
        super()._fetch_all()

    def _locked_pks(self):
        pks = list(self.order_by().values_list("pk", flat=True))
        if connection.features.has_select_for_update:
            # Take the rows' locks first, so that the images read next are the ones overwritten.
            for chunk in _chunks(pks):
                list(self.model._base_manager.filter(pk__in=chunk).order_by("pk")
                     .select_for_update().values_list("pk", flat=True))
        return pks

    def update(self, **kwargs):
        if not is_audited(self.model):
            return super().update(**kwargs)
        model = self.model
        count = 0
        with transaction.atomic(using=self.db, savepoint=False):
            for chunk in _chunks(self._locked_pks()):
                before = read_images(model, chunk)
                count += super(AuditedQuerySet, self.filter(pk__in=chunk)).update(**kwargs)
                append_many(_changes(model, chunk, before, read_images(model, chunk)))
        return count

    update.alters_data = True

    def bulk_create(self, objs, *args, **kwargs):
        if not is_audited(self.model):
            return super().bulk_create(objs, *args, **kwargs)
        if kwargs.get("ignore_conflicts") or (len(args) > 1 and args[1]):
            # The rows skipped are not reported back, so the new ones cannot be told apart.
            raise NotImplementedError("bulk_create(ignore_conflicts=True) on an audited model; "
                                      "use update_conflicts or get_or_create")
        objs = list(objs)
        model = self.model
        with transaction.atomic(using=self.db, savepoint=False):
            _lock_ledger()
            before = self._conflicting_images(objs, kwargs.get("unique_fields")) \
                if kwargs.get("update_conflicts") else {}
            created = super().bulk_create(objs, *args, **kwargs)
            if any(o.pk is None for o in created):
                raise RuntimeError("bulk_create returned objects without primary keys; cannot audit them")
            pks = list(dict.fromkeys(o.pk for o in created))
            for chunk in _chunks(pks):
                append_many(_changes(model, chunk, before, read_images(model, chunk)))
            return created

    def _conflicting_images(self, objs, unique_fields):
        """Images of the existing rows that an upsert of ``objs`` will overwrite."""
        names = [self.model._meta.get_field(n).attname for n in (unique_fields or [])] or ["pk"]
        base = self.model._base_manager.order_by()
        pks = []
        for chunk in _chunks(objs, 100):
            values = [tuple(getattr(o, "pk" if n == "pk" else n) for n in names) for o in chunk]
            if len(names) == 1:
                qs = base.filter(**{f"{names[0]}__in": [v[0] for v in values]})
            else:
                q = models.Q()
                for v in values:
                    q |= models.Q(**dict(zip(names, v)))
                qs = base.filter(q)
            pks.extend(qs.values_list("pk", flat=True))
        return read_images(self.model, pks)

    # bulk_update() needs nothing of its own: Django runs it as update() calls on this QuerySet.


class AuditedManager(models.Manager.from_queryset(AuditedQuerySet)):
    pass
