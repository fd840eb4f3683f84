"""Writes of the equipment app. Each service validates (``full_clean``), runs in one transaction,
and locks the equipment row it adds history to, so that two writers see each other's records."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from . import metrology
from .choices import (
    MANUAL_SERVICE_EVENTS,
    OUT_OF_SERVICE_EVENTS,
    RECORDED_KINDS,
    ServiceEventKind,
    VerificationPurpose,
)
from .models import (
    Equipment,
    EquipmentRange,
    IntermediateCheck,
    MetrologicalConfirmation,
    ServiceEvent,
    StandardCertificate,
    TraceabilityRecord,
    TraceabilityResult,
    UsageRecord,
    Verification,
)

EDITABLE_FIELDS = ("kind", "name", "manufacturer", "model", "serial_no", "measuring_range", "accuracy", "home_room",
                   "commissioned_on", "check_interval_days")
RESULT_FIELDS = ("quantity", "nominal", "unit", "error", "uncertainty", "k")


def _lock(equipment: Equipment) -> Equipment:
    return Equipment.objects.select_for_update().get(pk=equipment.pk)


def _create(model_class, /, **fields):
    obj = model_class(**fields)
    obj.full_clean()
    obj.save()
    return obj


# --- the register ---------------------------------------------------------------------------


def do_register_equipment(*, kind: str, asset_no: str, name: str, manufacturer: str = "", model: str = "",
                          serial_no: str = "", measuring_range: str = "", accuracy: str = "",
                          home_room=None, commissioned_on: dt.date | None = None,
                          check_interval_days: int | None = None) -> Equipment:
    """Register a piece of equipment (EQP-1) under its unique asset number."""
    with transaction.atomic():
        return _create(Equipment, kind=kind, asset_no=asset_no.strip(), name=name, manufacturer=manufacturer,
                       model=model, serial_no=serial_no, measuring_range=measuring_range, accuracy=accuracy,
                       home_room=home_room, commissioned_on=commissioned_on, check_interval_days=check_interval_days)


def do_update_equipment(equipment: Equipment, **changes) -> Equipment:
    """Change the equipment's register data (not its history). Returns early when nothing changes.

    The kind cannot change once history hangs on it: the records were judged for the old kind."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    with transaction.atomic():
        locked = _lock(equipment)
        changed = {k: v for k, v in changes.items() if getattr(locked, k) != v}
        if not changed:
            return locked
        if "kind" in changed and (locked.traceability_records.exists() or locked.standard_certificates.exists()):
            raise ValidationError({"kind": _("已有溯源记录或考核证书的设备不能更改类别；请登记为新设备")})
        for name, value in changed.items():
            setattr(locked, name, value)
        locked.full_clean()
        locked.save()
        return locked


def do_add_range(equipment: Equipment, *, quantity: str, range_min, range_max, unit: str, spec_kind: str,
                 spec_a=0, spec_b=0, spec_k=2, resolution=None, bipolar: bool = False) -> EquipmentRange:
    """Add a measuring range with its resolution and accuracy (the characteristics CND-7 uses)."""
    with transaction.atomic():
        _lock(equipment)
        return _create(EquipmentRange, equipment=equipment, quantity=quantity, range_min=range_min,
                       range_max=range_max, bipolar=bipolar, unit=unit, resolution=resolution, spec_kind=spec_kind,
                       spec_a=spec_a if spec_a is not None else 0, spec_b=spec_b if spec_b is not None else 0,
                       spec_k=spec_k if spec_k is not None else 2)


def do_remove_range(rng: EquipmentRange) -> None:
    """Remove a range registered by mistake (the ledger keeps its image)."""
    with transaction.atomic():
        _lock(rng.equipment)
        rng.delete()


# --- traceability (EQP-2, EQP-3, EQP-5, EQP-6) ---------------------------------------------


def do_record_traceability(equipment: Equipment, *, kind: str, certificate_no: str, provider: str,
                           performed_on: dt.date, due_on: dt.date, provider_accreditation_no: str = "",
                           conclusion: str = "", results=(), corrects: TraceabilityRecord | None = None,
                           correction_reason: str = "") -> TraceabilityRecord:
    """Record an upstream certificate with its results. Append-only: to correct a record, pass it
    as ``corrects`` with the reason; the old record stays, marked as corrected."""
    with transaction.atomic():
        _lock(equipment)
        record = TraceabilityRecord(equipment=equipment, kind=kind, certificate_no=(certificate_no or "").strip(),
                                    provider=(provider or "").strip(),
                                    provider_accreditation_no=provider_accreditation_no, performed_on=performed_on,
                                    due_on=due_on, conclusion=conclusion, corrects=corrects,
                                    correction_reason=correction_reason)
        rows, problems = [], []
        for n, row in enumerate(results, 1):
            result = TraceabilityResult(**{k: row.get(k) for k in RESULT_FIELDS if row.get(k) is not None})
            try:
                result.full_clean(exclude=["record"])
            except ValidationError as exc:
                for fname, messages in exc.message_dict.items():
                    label = "" if fname == "__all__" else f"{TraceabilityResult._meta.get_field(fname).verbose_name}："
                    problems += [_("第 %(n)d 行结果：%(field)s%(msg)s") % {"n": n, "field": label, "msg": m}
                                 for m in messages]
            rows.append(result)
        try:
            record.full_clean()
            errors = {}
        except ValidationError as exc:
            errors = exc.message_dict
        if problems:
            errors["results"] = problems
        if errors:
            raise ValidationError(errors)
        record.save()
        for result in rows:
            result.record = record
            result.save()
        return record


def do_correct_traceability(record: TraceabilityRecord, *, reason: str, **fields) -> TraceabilityRecord:
    """Correct a record by a new one that names it, with the reason (the old one is kept)."""
    return do_record_traceability(record.equipment, corrects=record, correction_reason=reason, **fields)


def do_confirm(record: TraceabilityRecord, *, confirmed_on: dt.date, passed: bool, requirement: str,
               notes: str = "", performed_by=None) -> MetrologicalConfirmation:
    """Record the metrological confirmation of a traceability record (EQP-3).

    A record cannot be confirmed as meeting the requirements while one of its results exceeds the
    accuracy registered for the equipment (see :func:`metrology.assess`)."""
    with transaction.atomic():
        _lock(record.equipment)
        if TraceabilityRecord.objects.filter(corrects=record).exists():
            raise ValidationError(_("该记录已被更正，请确认更正后的记录"))
        if record.equipment.kind not in RECORDED_KINDS:
            raise ValidationError(_("该类设备不需要计量确认"))
        if passed:
            failing = [c for c in metrology.assess(record.results.all(), record.equipment.ranges.all())
                       if c.ok is False]
            if failing:
                raise ValidationError({"passed": [
                    _("结果不满足使用要求，不能判为合格：%(item)s %(why)s") % {"item": c.result, "why": c.zh}
                    for c in failing]})
        return _create(MetrologicalConfirmation, record=record, confirmed_on=confirmed_on, passed=passed,
                       requirement=requirement, notes=notes, performed_by=performed_by)


def do_add_standard_certificate(equipment: Equipment, *, number: str, standard_name: str, issuer: str,
                                issued_on: dt.date, valid_until: dt.date) -> StandardCertificate:
    """Record a measurement standard's examination certificate (计量标准考核证书)."""
    with transaction.atomic():
        _lock(equipment)
        return _create(StandardCertificate, equipment=equipment, number=number.strip(), standard_name=standard_name,
                       issuer=issuer, issued_on=issued_on, valid_until=valid_until)


# --- checks, verification, service (EQP-4) --------------------------------------------------


def _latest_event(equipment: Equipment) -> ServiceEvent | None:
    return ServiceEvent.objects.filter(equipment=equipment).order_by("-on", "-id").first()


def _add_event(equipment: Equipment, *, kind: str, on: dt.date, reason: str, provider: str = "",
               verification: Verification | None = None, performed_by=None) -> ServiceEvent:
    latest = _latest_event(equipment)
    if latest is not None and on and on < latest.on:
        raise ValidationError({"on": _("日期不能早于上一条停用或维修记录（%(day)s）") % {"day": latest.on.isoformat()}})
    return _create(ServiceEvent, equipment=equipment, kind=kind, on=on, reason=reason, provider=provider,
                   verification=verification, performed_by=performed_by)


def do_take_out_of_service(equipment: Equipment, *, kind: str, on: dt.date, reason: str, provider: str = "",
                           performed_by=None) -> ServiceEvent:
    """Take equipment out of service, send it for repair, or retire it. It returns to service only
    through a passed verification (:func:`do_record_verification`)."""
    if kind not in MANUAL_SERVICE_EVENTS:
        raise ValidationError({"kind": _("恢复使用须先登记合格的重新投入使用前验证")})
    with transaction.atomic():
        _lock(equipment)
        latest = _latest_event(equipment)
        current = latest.kind if latest else None
        if current == ServiceEventKind.RETIRED:
            raise ValidationError(_("设备已报废"))
        if kind == current and kind == ServiceEventKind.OUT_OF_SERVICE:
            raise ValidationError({"kind": _("设备已处于停用状态")})
        return _add_event(equipment, kind=kind, on=on, reason=reason, provider=provider, performed_by=performed_by)


def do_record_check(equipment: Equipment, *, performed_on: dt.date, method: str, result: str, passed: bool,
                    performed_by=None) -> IntermediateCheck:
    """Record an intermediate check. A failed check takes the equipment out of service at once."""
    with transaction.atomic():
        _lock(equipment)
        check = _create(IntermediateCheck, equipment=equipment, performed_on=performed_on, method=method,
                        result=result, passed=passed, performed_by=performed_by)
        latest = _latest_event(equipment)
        if not passed and (latest is None or latest.kind not in OUT_OF_SERVICE_EVENTS):
            try:
                _add_event(equipment, kind=ServiceEventKind.OUT_OF_SERVICE, on=performed_on,
                           reason=_("期间核查不合格：%(result)s") % {"result": result}, performed_by=performed_by)
            except ValidationError as exc:
                raise ValidationError({"performed_on": exc.messages}) from None
        return check


def do_record_verification(equipment: Equipment, *, purpose: str, performed_on: dt.date, criteria: str,
                           result: str, passed: bool, performed_by=None) -> Verification:
    """Record a verification against requirements (EQP-4). A passed verification before return to
    service returns the equipment to service on its day."""
    with transaction.atomic():
        _lock(equipment)
        latest = _latest_event(equipment)
        out = latest is not None and latest.kind in OUT_OF_SERVICE_EVENTS
        if latest is not None and latest.kind == ServiceEventKind.RETIRED:
            raise ValidationError(_("设备已报废"))
        if purpose == VerificationPurpose.RETURN_TO_SERVICE:
            if not out:
                raise ValidationError({"purpose": _("设备未处于停用或维修状态，无需重新投入使用前验证")})
            if performed_on and performed_on < latest.on:
                raise ValidationError({"performed_on": _("验证日期不能早于停用或送修日期（%(day)s）") % {
                    "day": latest.on.isoformat()}})
        elif out:
            raise ValidationError({"purpose": _("设备停用中，请登记重新投入使用前验证")})
        verification = _create(Verification, equipment=equipment, purpose=purpose, performed_on=performed_on,
                               criteria=criteria, result=result, passed=passed, performed_by=performed_by)
        if purpose == VerificationPurpose.RETURN_TO_SERVICE and passed:
            _add_event(equipment, kind=ServiceEventKind.RETURN_TO_SERVICE, on=performed_on,
                       reason=_("重新投入使用前验证合格：%(result)s") % {"result": result},
                       verification=verification, performed_by=performed_by)
        return verification


# --- usage ------------------------------------------------------------------------------------


def do_log_usage(equipment: Equipment, *, job_ref: str, started_at: dt.datetime, ended_at: dt.datetime,
                 person=None, note: str = "") -> UsageRecord:
    """Log that a job used the equipment (called by the job code when a job uses it)."""
    with transaction.atomic():
        return _create(UsageRecord, equipment=equipment, job_ref=job_ref.strip(), started_at=started_at,
                       ended_at=ended_at, person=person, note=note)
