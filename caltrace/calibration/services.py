"""Writes of the calibration app. Each service validates (``full_clean``), runs in a transaction and
names its actor in the audit ledger: the user, or ``system:bench`` for an automated run."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from caltrace.core.audit import actor_for_user, audit_context

from .choices import EquipmentRole, Provenance, ReadingRole, RecordStatus
from .models import CalibrationPoint, CalibrationRecord, Procedure, Reading, RecordEquipment
from .procedures import steps_for

BENCH_ACTOR = "system:bench"


def _create(model_class, /, **fields):
    obj = model_class(**fields)
    obj.full_clean()
    obj.save()
    return obj


def _actor(actor) -> str:
    return actor if isinstance(actor, str) else actor_for_user(actor)


def _lock(record: CalibrationRecord) -> CalibrationRecord:
    return CalibrationRecord.objects.select_for_update().get(pk=record.pk)


# --- procedures -----------------------------------------------------------------------------


def do_create_procedure(*, method_version, code: str, name_zh: str, kind: str, quantity: str, unit: str,
                        model_key: str, readings_per_point: int = 3, name_en: str = "", points=(),
                        actor=None) -> Procedure:
    """Create a procedure with its calibration points: ``points`` as dicts of nominal, unit, setting."""
    with audit_context(actor=_actor(actor)), transaction.atomic():
        procedure = _create(Procedure, method_version=method_version, code=code.strip(), name_zh=name_zh,
                            name_en=name_en, kind=kind, quantity=quantity, unit=unit, model_key=model_key,
                            readings_per_point=readings_per_point)
        for order, p in enumerate(points, 1):
            _create(CalibrationPoint, procedure=procedure, order=order, nominal=Decimal(str(p["nominal"])),
                    unit=p.get("unit", unit), setting=p.get("setting", ""))
        return procedure


# --- raw records ----------------------------------------------------------------------------


def do_start_record(procedure: Procedure, *, equipment=(), item: str, actor, field_values=None,
                    started_at=None, scope_item=None, site=None, on_site: bool = False) -> CalibrationRecord:
    """Open a raw record of ``procedure`` for the item, with the lab equipment it uses: each an
    ``Equipment`` (role auxiliary) or an ``(equipment, role)`` pair (``EquipmentRole``). The
    reference standard's certificate feeds the budget; ``scope_item`` gives the CMC floor (PRH-5)."""
    with audit_context(actor=_actor(actor)), transaction.atomic():
        record = _create(CalibrationRecord, procedure=procedure, item=item.strip(), scope_item=scope_item, site=site,
                         on_site=on_site,
                         started_at=started_at or timezone.now(), field_values=dict(field_values or {}),
                         started_by=None if isinstance(actor, str) else actor)
        for entry in equipment:
            eq, role = entry if isinstance(entry, tuple) else (entry, EquipmentRole.AUXILIARY)
            _create(RecordEquipment, record=record, equipment=eq, role=role)
        return record


def do_set_record_fields(record: CalibrationRecord, values: dict, *, actor) -> CalibrationRecord:
    """Fill record fields (by ``RecordField.name``) of a draft record. Returns early when nothing changes."""
    with audit_context(actor=_actor(actor)), transaction.atomic():
        locked = _lock(record)
        if not locked.is_draft:
            raise ValidationError({"field_values": _("原始记录已签署，不能修改")})
        merged = {**locked.field_values, **values}
        if merged == locked.field_values:
            return locked
        locked.field_values = merged
        locked.full_clean()
        locked.save()
        return locked


def do_record_conditions(record: CalibrationRecord, conditions, *, actor) -> CalibrationRecord:
    """Add environmental conditions logged during the calibration to a draft record: each a dict
    of ``condition`` (methods.Condition value), ``value``, ``unit`` and optionally ``at`` (ISO
    time) and ``variation``. SITE-3 judges them against the method's limits at sign-off."""
    from caltrace.core import units
    from caltrace.methods.choices import Condition

    cleaned, errors = [], []
    for n, c in enumerate(conditions, 1):
        try:
            condition, unit = c["condition"], str(c.get("unit", "")).strip()
            value = _number(c["value"])
        except (KeyError, TypeError):
            errors.append(_("第 %(n)s 条环境条件须有条件、数值和单位") % {"n": n})
            continue
        except ValidationError:
            errors.append(_("第 %(n)s 条环境条件的数值不是数") % {"n": n})
            continue
        if condition not in Condition.values and not str(condition).startswith("other:"):
            errors.append(_("第 %(n)s 条环境条件“%(c)s”不是已知的条件") % {"n": n, "c": condition})
        elif unit and unit != "%" and not units.readable(unit):
            errors.append(_("第 %(n)s 条环境条件的单位“%(u)s”无法识别") % {"n": n, "u": unit})
        else:
            entry = {"condition": condition, "value": format(value, "f"), "unit": unit}
            for key in ("at", "variation"):
                if c.get(key) not in (None, ""):
                    entry[key] = str(c[key])
            cleaned.append(entry)
    if errors:
        raise ValidationError({"conditions": errors})
    with audit_context(actor=_actor(actor)), transaction.atomic():
        locked = _lock(record)
        if not locked.is_draft:
            raise ValidationError({"conditions": _("原始记录已签署，不能修改")})
        locked.conditions = [*locked.conditions, *cleaned]
        locked.save()
        return locked


def do_sign_off_record(record: CalibrationRecord, *, actor, work=None) -> CalibrationRecord:
    """Sign off a draft record. The gates of ``record.sign_off`` judge ``work`` (default: the
    record's own, ``record.as_work()``): CND-3 refuses while a required record field is empty or a
    point lacks readings, the equipment gates refuse equipment that may not be used. Then every
    point's result and uncertainty budget is computed and kept with the record (REC-1)."""
    from caltrace.integrity import registry
    from caltrace.integrity.work import RECORD_SIGN_OFF

    from .results import ResultError, evaluate_record

    with audit_context(actor=_actor(actor)), transaction.atomic():
        locked = _lock(record)
        if not locked.is_draft:
            return locked
        flags = registry.enforce(RECORD_SIGN_OFF, work if work is not None else locked.as_work())
        try:
            results = evaluate_record(locked)
        except ResultError as exc:
            raise ValidationError({"results": str(exc)}) from None
        locked.results = [r.to_dict() for r in results]
        locked.status = RecordStatus.SIGNED_OFF
        locked.finished_at = locked.finished_at or timezone.now()
        locked.full_clean()
        locked.save()
        if flags:
            from caltrace.integrity.services import record_findings

            record_findings(flags, event=RECORD_SIGN_OFF)
        return locked


# --- readings -------------------------------------------------------------------------------


def _next_sequence(record, point, role) -> int:
    last = (Reading.objects.filter(record=record, point=point, role=role, corrects__isnull=True)
            .order_by("-sequence").values_list("sequence", flat=True).first())
    return (last or 0) + 1


def do_type_reading(record: CalibrationRecord, point: CalibrationPoint, value, unit: str, *, actor,
                    role: str = ReadingRole.UUT, sequence: int | None = None) -> Reading:
    """Record a reading typed by ``actor`` (a user): who and when are kept with it."""
    with audit_context(actor=_actor(actor)), transaction.atomic():
        locked = _lock(record)
        seq = sequence if sequence is not None else _next_sequence(locked, point, role)
        return _create(Reading, record=locked, point=point, role=role, sequence=seq, value=_number(value),
                       unit=unit, provenance=Provenance.TYPED, typed_by=actor, typed_at=timezone.now())


def do_correct_reading(reading: Reading, value, unit: str, *, reason: str, actor) -> Reading:
    """Correct a reading by a new typed reading naming it, with the reason. The old reading stays."""
    with audit_context(actor=_actor(actor), reason=reason), transaction.atomic():
        locked = _lock(reading.record)
        return _create(Reading, record=locked, point=reading.point, role=reading.role, sequence=reading.sequence,
                       value=_number(value), unit=unit, provenance=Provenance.TYPED, typed_by=actor,
                       typed_at=timezone.now(), corrects=reading, correction_reason=(reason or "").strip())


def do_run_automated(record: CalibrationRecord, *, bench, actor: str = BENCH_ACTOR) -> list[Reading]:
    """Run every point of the record's automated procedure on ``bench`` and store each indication
    read as a reading with instrument provenance (VISA resource, the answer as received, time,
    equipment). Each reading commits as it is taken: an aborted run keeps what was measured."""
    procedure = record.procedure
    if not procedure.is_automated:
        raise ValidationError({"procedure": _("手动录入的校准程序不能自动运行")})
    if not record.is_draft:
        raise ValidationError({"record": _("原始记录已签署，不能再登记读数")})
    steps = steps_for(procedure.model_key)
    stored = []
    with audit_context(actor=_actor(actor)):
        for point in procedure.points.order_by("order"):
            for role, seq, response, driver in steps(bench, point, procedure.readings_per_point):
                with transaction.atomic():
                    locked = _lock(record)
                    stored.append(_create(
                        Reading, record=locked, point=point, role=role,
                        sequence=_next_sequence(locked, point, role) if seq is None else seq,
                        value=response.value, unit=response.unit, provenance=Provenance.INSTRUMENT,
                        equipment=driver.equipment, visa_resource=response.resource, instrument_idn=response.idn[:200],
                        raw_response=response.raw, read_at=response.at))
        with transaction.atomic():
            locked = _lock(record)
            locked.finished_at = timezone.now()
            locked.save()
    return stored


def _number(value) -> Decimal:
    if isinstance(value, Decimal):
        return value
    try:
        return Decimal(str(value).strip())
    except Exception:
        raise ValidationError({"value": _("读数须为数值")}) from None


# --- jobs: kept in jobs.py, offered here too --------------------------------------------------

from .jobs import (  # noqa: E402,F401 — the job services live in jobs.py (imported after the record services)
    bench_for,
    do_add_evidence,
    do_approve_and_issue,
    do_assign_job,
    do_job_conditions,
    do_job_fields,
    do_job_reading,
    do_job_run,
    do_record_safety_check,
    do_return_for_correction,
    do_review_job,
    do_sign_off_job,
    do_start_job,
    eligible_calibrators,
    eligible_equipment,
)
