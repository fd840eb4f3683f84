"""Writes of calibration jobs (检定/校准任务): assignment, start, execution, on-site safety and
evidence, sign-off, review, approval and issue (DIG-3, CND-3, CND-6, SITE-3, SAF-1, REC-3, RPT-1).

Every step checks who may take it, locks the job, asks the rule registry (through the job's
``as_work()``), moves the job through :data:`~caltrace.calibration.workflows.JOB_WORKFLOW` and the
item through the orders item workflow, and notes the step on the order's timeline.
"""

from __future__ import annotations

import hashlib
import re
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from caltrace.core import roles
from caltrace.core.audit import actor_for_user, audit_context
from caltrace.core.workflows import TransitionError, transition

from .choices import EquipmentRole
from .models import CalibrationRecord, EvidenceKind, Job, JobEquipment, JobEvidence, Procedure, SafetyCheck

ASSIGNERS = (roles.RECEPTION, roles.LAB_MANAGER, roles.TECHNICAL_DIRECTOR)
CONSENT_KINDS = ("non_standard_method", "different_method")


def _records():
    """The record services (imported late: services.py re-exports the job services)."""
    from . import services

    return services


def person_of(user):
    from caltrace.people.models import Person

    return Person.objects.filter(user=user).first() if user is not None and user.is_authenticated else None


def _require_role(user, allowed):
    if user.is_superuser:
        return
    if not roles.roles_of(user) & set(allowed):
        raise PermissionDenied(_("没有执行此操作的权限"))


def _require_person(user, person, what: str):
    if person is None or person.user_id != user.pk:
        raise PermissionDenied(_("只有%(who)s本人可以执行此操作") % {"who": what})


def _state(zh: str, en: str) -> TransitionError:
    """A step asked of a job in the wrong state (HTTP 409, like a refused transition)."""
    return TransitionError("state", zh, en)


def _lock(job: Job) -> Job:
    return Job.objects.select_for_update().get(pk=job.pk)


def _fresh(job: Job) -> Job:
    return Job.objects.for_list().get(pk=job.pk)


def _note(job: Job, kind: str, zh: str, en: str, *, actor, public: bool = True):
    from caltrace.orders.notices import note_event

    item = job.order_item
    note_event(item.order, kind, zh, en, item=item, actor=actor_for_user(actor) if not isinstance(actor, str)
               else actor, public=public)


def _item_transition(item, name: str, *, actor):
    return transition(item, name, actor=actor)


# --- assignment (DIG-3, CND-6) ------------------------------------------------------------------


def _work_for(item, procedure, *, on, equipment=(), calibrator=None):
    from caltrace.integrity.work import Point, Work

    order = item.order
    kinds = {d.kind for d in item.deviations.all() if d.status == "accepted"}
    return Work(at=on, scope_item=item.scope_item, method_version=item.method_version, equipment=tuple(equipment),
                calibrator=calibrator, site=None if order.on_site else order.site, on_site=order.on_site,
                points=tuple(Point(p.nominal, p.unit) for p in procedure.points.all()) if procedure else (),
                customer_consent=bool(kinds & set(CONSENT_KINDS)),
                extra={"order_item": item, "method_use": "modified" if "method_deviation" in kinds
                       else "out_of_scope" if "outside_range" in kinds else None})


def eligible_calibrators(item, *, on):
    """(offered, refused) for calibrating ``item`` on ``on``: the people the people rules of
    ``job.assign`` (PER-5, CND-6, …) allow for the item's scope item and method version, and for
    the others ``[(person, [Violation…])]`` with the rule ids. Candidates are the people with a
    calibrator authorization in force, their qualifications prefetched; only the rules about
    people run per candidate (the scope, method and site rules judge the item, not the person),
    so the queries grow by a small constant per candidate."""
    import dataclasses

    from caltrace.integrity import registry
    from caltrace.integrity.registry import GATE
    from caltrace.integrity.work import JOB_ASSIGN
    from caltrace.people.choices import AuthorizationKind
    from caltrace.people.models import Authorization
    from caltrace.people.selectors import people_with_status

    ids = (Authorization.objects.in_force_on(on).filter(kind=AuthorizationKind.CALIBRATOR)
           .values_list("person_id", flat=True))
    candidates = list(people_with_status(on).filter(pk__in=ids))
    people_rules = [r for r in registry.rules(JOB_ASSIGN) if r.func.__module__ == "caltrace.people.rules"]
    base = _work_for(item, None, on=on)
    offered, refused = [], []
    for person in candidates:
        work = dataclasses.replace(base, calibrator=person)
        found = [v for r in people_rules for v in (r.func(r, work, {}) or ()) if v.kind == GATE]
        (refused.append((person, found)) if found else offered.append(person))
    return offered, refused


def _about_person(violation, person) -> bool:
    """A violation the person causes (not one of the scope or method, which no person fixes)."""
    return any(o.model == "people.Person" and o.pk == str(person.pk) for o in violation.objects)


def eligible_equipment(item, procedure, *, on, candidates=None):
    """(offered, refused) equipment for ``procedure`` on ``item``: the candidates (default: all
    registered equipment) judged by the equipment rules of ``job.assign`` (EQP-2…EQP-5) in one
    pass over a Work holding all of them, each violation going to the equipment it names; the
    refused come as ``[(equipment, [Violation…])]``. CND-7 (the ranges cover every point) judges
    the chosen set as a whole, at :func:`do_assign_job`, not one piece at a time."""
    import dataclasses

    from caltrace.equipment.models import Equipment
    from caltrace.integrity import registry
    from caltrace.integrity.registry import GATE
    from caltrace.integrity.work import JOB_ASSIGN

    if candidates is None:
        candidates = Equipment.objects.order_by("asset_no")
    candidates = list(candidates)
    work = dataclasses.replace(_work_for(item, procedure, on=on), equipment=tuple(candidates), points=())
    rules = [r for r in registry.rules(JOB_ASSIGN) if r.id in ("EQP-2", "EQP-3", "EQP-4", "EQP-5")]
    by_pk: dict[str, list] = {}
    for r in rules:
        for v in r.func(r, work, {}) or ():
            if v.kind != GATE:
                continue
            for o in v.objects:
                if o.model == Equipment._meta.label:
                    by_pk.setdefault(o.pk, []).append(v)
    offered = [eq for eq in candidates if str(eq.pk) not in by_pk]
    refused = [(eq, by_pk[str(eq.pk)]) for eq in candidates if str(eq.pk) in by_pk]
    return offered, refused


def do_assign_job(item, *, procedure: Procedure, calibrator, equipment=(), actor, on=None) -> Job:
    """Assign the calibration of ``item`` (reviewed in contract review: scope item and method
    version set) to ``calibrator`` with ``procedure`` and ``equipment`` (``[(Equipment, role)]``).
    Only reception, the lab manager or the technical director assign. The rules of ``job.assign``
    judge the job; a refusal raises RuleViolation naming each id."""
    from caltrace.integrity import registry
    from caltrace.integrity.services import record_findings
    from caltrace.integrity.work import JOB_ASSIGN
    from caltrace.orders.models import OrderItem

    _require_role(actor, ASSIGNERS)
    with audit_context(actor=actor_for_user(actor)), transaction.atomic():
        item = OrderItem.objects.select_for_update().select_related("order").get(pk=item.pk)
        if item.scope_item_id is None or item.method_version_id is None:
            raise ValidationError({"order_item": _("样品未经合同评审确定能力项目和方法版本，不能分派")})
        if procedure.method_version_id != item.method_version_id:
            raise ValidationError({"procedure": _("校准程序不属于合同评审确定的方法版本")})
        if Job.objects.filter(order_item=item).exclude(status="stopped").exists():
            raise ValidationError({"order_item": _("该样品已有校准任务")})
        order = item.order
        job = Job(order_item=item, procedure=procedure, scope_item=item.scope_item,
                  method_version=item.method_version, site=None if order.on_site else order.site,
                  on_site=order.on_site, address=order.on_site_address if order.on_site else "",
                  calibrator=calibrator, assigned_at=timezone.now(), assigned_by=actor)
        job.full_clean()
        job.save()
        for entry in equipment:
            eq, role = entry if isinstance(entry, tuple) else (entry, EquipmentRole.AUXILIARY)
            use = JobEquipment(job=job, equipment=eq, role=role)
            use.full_clean()
            use.save()
        flags = registry.enforce(JOB_ASSIGN, job.as_work(at=on))
        if flags:
            record_findings(flags, event=JOB_ASSIGN)
        _note(job, "status", f"已分派校准任务：{procedure.code}", f"Calibration assigned: {procedure.code}",
              actor=actor, public=False)
    return _fresh(job)


# --- on-site safety (SAF-1) and evidence (REC-3) ------------------------------------------------


def do_record_safety_check(job: Job, checks, *, actor) -> Job:
    """Record the on-site safety checklist: ``checks`` as dicts of item, passed, note. A failed
    item stops the job (SAF-1) and notes it on the order's timeline."""
    _require_person(actor, job.calibrator, _("校准人员"))
    if not job.on_site:
        raise ValidationError({"job": _("只有现场校准任务需要现场安全检查")})
    checks = list(checks)
    if not checks:
        raise ValidationError({"checks": _("请填写安全检查项目")})
    with audit_context(actor=actor_for_user(actor)), transaction.atomic():
        locked = _lock(job)
        if locked.status != "assigned":
            raise _state("只能在开始校准前进行现场安全检查", "the safety check is done before the start")
        now = timezone.now()
        failed = []
        for c in checks:
            row = SafetyCheck(job=locked, item=str(c.get("item", "")).strip(), passed=bool(c.get("passed")),
                              note=str(c.get("note", "")), checked_by=actor, at=now)
            row.full_clean()
            row.save()
            if not row.passed:
                failed.append(row)
        if failed:
            names = "、".join(f.item for f in failed)
            locked = transition(locked, "stop", actor=actor, comment=f"现场安全检查未通过：{names}")
            _note(locked, "status", f"现场安全检查未通过（{names}），校准任务已停止",
                  f"The on-site safety check failed ({names}); the job is stopped", actor=actor)
    return _fresh(job)


def _safety_problem(job: Job):
    checks = list(job.safety_checks.all())
    if not checks:
        return _("现场校准开始前须完成现场安全检查（SAF-1）")
    if not all(c.passed for c in checks):
        return _("现场安全检查未通过，不能开始校准（SAF-1）")
    return None


def evidence_dir() -> Path:
    return Path(settings.DATA_DIR) / "evidence"


def do_add_evidence(job: Job, *, kind: str, content: bytes, file_name: str, actor, note: str = "",
                    taken_at=None) -> JobEvidence:
    """Store a piece of on-site evidence (REC-3) under ``DATA_DIR/evidence/`` with its SHA-256."""
    _require_person(actor, job.calibrator, _("校准人员"))
    if kind not in EvidenceKind.values:
        raise ValidationError({"kind": _("未知的证据类别")})
    if not content:
        raise ValidationError({"file": _("请上传文件")})
    digest = hashlib.sha256(content).hexdigest()
    suffix = "".join(Path(file_name or "").suffixes[-1:])[:10]
    if not re.fullmatch(r"(\.[A-Za-z0-9]{1,9})?", suffix):
        suffix = ""
    path = evidence_dir() / f"job-{job.pk}" / f"{digest}{suffix}"
    with audit_context(actor=actor_for_user(actor)), transaction.atomic():
        locked = _lock(job)
        if locked.status not in ("assigned", "in_progress"):
            raise _state("任务已签署，不能再添加证据", "the job is signed off: no more evidence")
        ev = JobEvidence(job=locked, kind=kind, file_name=(file_name or path.name)[:200], path=str(path),
                         sha256=digest, size=len(content), note=note, taken_at=taken_at, uploaded_by=actor)
        ev.full_clean()
        ev.save()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return ev


# --- start and execution ------------------------------------------------------------------------


def do_start_job(job: Job, *, actor) -> Job:
    """The calibrator starts the job: on-site, the safety checklist must have passed (SAF-1); the
    rules of ``job.start`` judge the job (contract review and deviations through the order item,
    people, equipment, method version); the raw record is opened and linked; the item moves to
    "in calibration" and the customer sees "开始校准"."""
    _require_person(actor, job.calibrator, _("校准人员"))
    with audit_context(actor=actor_for_user(actor)), transaction.atomic():
        locked = _lock(job)
        if locked.on_site and locked.status == "assigned":
            problem = _safety_problem(locked)
            if problem:
                raise ValidationError({"safety": problem})
        locked = transition(locked, "start", actor=actor)
        record = _open_record(locked, actor)
        locked.record = record
        locked.started_at = record.started_at
        locked.save()
        item = locked.order_item
        _item_transition(item, "start", actor=actor)
        # An on-site item is never received at the lab: its order starts with its first job.
        if item.order.status == "accepted":
            transition(item.order, "start", actor=actor)
        _note(locked, "status", "开始校准", "Calibration started", actor=actor)
    return _fresh(job)


def _open_record(job: Job, actor, field_values=None):
    item = job.order_item
    text = " ".join(p for p in (item.identification, item.instrument_type, item.manufacturer, item.model,
                                item.serial_no) if p)
    equipment = [(u.equipment, u.role) for u in job.equipment_uses.select_related("equipment")]
    return _records().do_start_record(job.procedure, equipment=equipment, item=text[:300], actor=actor,
                                    scope_item=job.scope_item, site=job.site, on_site=job.on_site,
                                    field_values=field_values)


def _draft_record(job: Job, actor):
    _require_person(actor, job.calibrator, _("校准人员"))
    job = Job.objects.select_related("record").get(pk=job.pk)
    if job.status != "in_progress" or job.record is None or not job.record.is_draft:
        raise _state("任务不在校准中，不能登记", "the job is not in progress")
    return job.record


def do_job_reading(job: Job, point, value, unit: str, *, actor, role=None):
    """A typed reading in the job's record (the calibrator only)."""
    record = _draft_record(job, actor)
    kwargs = {"role": role} if role else {}
    return _records().do_type_reading(record, point, value, unit, actor=actor, **kwargs)


def do_job_conditions(job: Job, conditions, *, actor):
    return _records().do_record_conditions(_draft_record(job, actor), conditions, actor=actor)


def do_job_fields(job: Job, values: dict, *, actor):
    return _records().do_set_record_fields(_draft_record(job, actor), values, actor=actor)


def bench_for(job: Job):
    """The bench an automated procedure of ``job`` runs on: for now the simulated bench
    (:func:`caltrace.calibration.instruments.simulated_bench`) standing for the job's source and
    readout; a lab with real instruments configures its own here. Tests patch it to set the
    indications."""
    from .instruments import simulated_bench

    by_role = {}
    for use in job.equipment_uses.select_related("equipment").order_by("id"):
        by_role.setdefault(use.role, use.equipment)
    # the simulated bench's "reference" is what reads the standard: a readout, else the standard itself
    equipment = {"source": by_role.get(EquipmentRole.SOURCE),
                 "reference": by_role.get(EquipmentRole.READOUT) or by_role.get(EquipmentRole.REFERENCE)}
    equipment = {k: v for k, v in equipment.items() if v is not None}
    return simulated_bench(job.procedure.model_key, equipment=equipment)


def do_job_run(job: Job, *, actor):
    """Run the job's automated procedure on :func:`bench_for`; the readings carry instrument provenance."""
    record = _draft_record(job, actor)
    if not job.procedure.is_automated:
        raise ValidationError({"procedure": _("手动录入的校准程序不能自动运行")})
    bench = bench_for(job)
    try:
        return _records().do_run_automated(record, bench=bench, actor=actor_for_user(actor))
    finally:
        close = getattr(bench, "close", None)
        if close:
            close()


# --- sign-off, review, approval and issue -------------------------------------------------------


def do_sign_off_job(job: Job, *, actor) -> Job:
    """The calibrator signs the record off with the job's work (CND-3, SITE-3, REC-3 and the
    people, method and equipment gates refuse with their ids); the item is "awaiting certificate";
    each piece of equipment's use is logged."""
    from caltrace.equipment.services import do_log_usage

    _require_person(actor, job.calibrator, _("校准人员"))
    with audit_context(actor=actor_for_user(actor)), transaction.atomic():
        locked = _lock(job)
        if locked.status != "in_progress" or locked.record is None:
            raise _state("任务不在校准中，不能签署", "the job is not in progress: nothing to sign off")
        record = _records().do_sign_off_record(locked.record, actor=actor, work=locked.as_work())
        locked = transition(locked, "sign_off", actor=actor)
        locked.signed_off_at = record.finished_at or timezone.now()
        locked.save()
        if locked.order_item.status == "in_calibration":
            _item_transition(locked.order_item, "finish", actor=actor)
        for use in locked.equipment_uses.select_related("equipment"):
            do_log_usage(use.equipment, job_ref=locked.reference, started_at=record.started_at,
                         ended_at=locked.signed_off_at, person=locked.calibrator)
        _note(locked, "status", "校准完成，待核验", "Calibration done, awaiting review", actor=actor)
    return _fresh(job)


def do_review_job(job: Job, *, reviewer, actor, approve: bool = True, comment: str = "") -> Job:
    """The reviewer (核验人员, acting as themself) reviews the signed-off record. The rules of
    ``job.review`` refuse a reviewer who is the calibrator (RPT-1) or is not authorized and
    qualified for the field (CND-6, PER-5). Not approved: returned for correction with the
    comment; a new draft record of the job replaces the signed-off one."""
    _require_person(actor, reviewer, _("核验人员"))
    if not approve and (reviewer.pk == job.calibrator_id or roles.REVIEWER not in roles.roles_of(actor)):
        raise PermissionDenied(_("只有核验人员或授权签字人可以退回"))
    with audit_context(actor=actor_for_user(actor)), transaction.atomic():
        locked = _lock(job)
        if locked.status != "signed_off":
            raise _state("任务不在待核验状态", "the job is not awaiting review")
        locked.reviewer = reviewer
        locked.review_comment = comment
        locked.save()
        if approve:
            locked = transition(locked, "review", actor=actor, comment=comment)
            locked.reviewed_at = timezone.now()
            locked.save()
            _note(locked, "status", "核验完成，待批准", "Reviewed, awaiting approval", actor=actor, public=False)
        else:
            locked = _return(locked, actor, comment)
    return _fresh(job)


def do_return_for_correction(job: Job, *, actor, comment: str) -> Job:
    """The reviewer or the signatory returns a job for correction (a comment is required)."""
    person = person_of(actor)
    if person is None or person.pk == job.calibrator_id or not roles.roles_of(actor) & {roles.REVIEWER,
                                                                                         roles.SIGNATORY}:
        raise PermissionDenied(_("只有核验人员或授权签字人可以退回"))
    with audit_context(actor=actor_for_user(actor)), transaction.atomic():
        _return(_lock(job), actor, comment)
    return _fresh(job)


def _return(locked: Job, actor, comment: str) -> Job:
    old = locked.record
    locked = transition(locked, "return_for_correction", actor=actor, comment=comment)
    locked.replaced_records = [*locked.replaced_records, old.pk]
    locked.record = None
    locked.save()  # free the one-to-one before the new record takes its place
    calibrator_user = locked.calibrator.user
    locked.record = _open_record(locked, calibrator_user or "system:job", field_values=old.field_values)
    locked.signed_off_at = locked.reviewed_at = None
    locked.save()
    # The item goes back to "in calibration" until the corrected record is signed off.
    item = locked.order_item
    if item.status == "calibrated":
        transition(item, "reopen", actor=actor, comment=comment)
    _note(locked, "status", f"退回更正：{comment}", f"Returned for correction: {comment}", actor=actor, public=False)
    return locked


SPEC_ABSOLUTE = re.compile(r"^\s*±\s*(?P<a>[0-9.]+)\s*(?P<unit>\S+)\s*$")
SPEC_READING = re.compile(r"^\s*±\s*\(\s*(?P<r>[0-9.]+)\s*%\s*读数\s*\+\s*(?P<a>[0-9.]+)\s*(?P<unit>[^\s)]+)\s*\)\s*$")


def specification_from_text(text: str, unit: str):
    """A conformity Specification from the order's text: "±X unit" or "±(a % 读数 + b unit)",
    with b converted to ``unit`` (the procedure's). None when the text is neither."""
    from caltrace.calibration.conformity import Specification
    from caltrace.core import units

    m = SPEC_READING.match(text or "") or SPEC_ABSOLUTE.match(text or "")
    if m is None:
        return None
    try:
        # a permissible error is a difference: no temperature offset (0.5 K is 0.5 °C)
        absolute = Decimal(str(units.convert_difference(Decimal(m["a"]), m["unit"], unit))) if m["unit"] != unit \
            else Decimal(m["a"])
        relative = Decimal(m["r"]) / 100 if "r" in m.groupdict() and m.groupdict().get("r") else None
    except Exception:
        return None
    return Specification(unit=unit, relative=relative, absolute=absolute, text=text.strip(),
                         source="委托方要求")


def issue_context(job: Job, *, reviewer, signatory):
    """The IssueContext of the job's certificate from its order and item."""
    from caltrace.certificates.document import ItemDescription, Party
    from caltrace.certificates.from_record import IssueContext
    from caltrace.core.numbering import next_number

    item = job.order_item
    order = item.order
    customer = order.customer
    conformity = None
    if order.conformity_wanted:
        spec = specification_from_text(order.conformity_specification, job.procedure.unit)
        if spec is None or not order.decision_rule:
            raise ValidationError({"conformity_specification": _(
                "委托方要求符合性判定，但判定依据“%(text)s”无法读出允许误差（应为“±X 单位”或“±(a %% 读数 + b 单位)”），"
                "请在合同评审中写明限值和判定规则") % {"text": order.conformity_specification}})
        conformity = (spec, order.decision_rule)
    received = timezone.localtime(item.received_at).date() if item.received_at else timezone.localdate()
    return IssueContext(
        number=next_number("certificate", field=job.scope_item.field),
        customer=Party(customer.name, customer.address, customer.name_en),
        item=ItemDescription(item.instrument_type, item.identification or str(item.pk), item.manufacturer,
                             item.model, item.serial_no, condition_on_receipt=item.condition_on_receipt,
                             receipt_deviation=item.receipt_deviation),
        received_on=received, reviewer=reviewer.name, signatory=signatory.name, conformity=conformity)


def do_approve_and_issue(job: Job, *, signatory, actor) -> Job:
    """The signatory (授权签字人, acting as themself) approves and issues the certificate of a
    reviewed job: ``certificates.services.do_issue_from_record`` enforces RPT-1, CND-5, the people,
    scope and equipment gates and the blocking findings; then the item is issued, its next due date
    set, the order checked for readiness and the customer told the certificate number."""
    from caltrace.certificates.services import do_issue_from_record

    _require_person(actor, signatory, _("授权签字人"))
    with audit_context(actor=actor_for_user(actor)), transaction.atomic():
        locked = _lock(job)
        if locked.status != "reviewed":
            raise _state("任务不在待批准状态", "the job is not awaiting approval")
        locked.signatory = signatory
        locked.save()
        ctx = issue_context(locked, reviewer=locked.reviewer, signatory=signatory)
        cert = do_issue_from_record(locked.record, ctx, reviewer=locked.reviewer, signatory=signatory,
                                    actor=actor, customer=locked.order_item.order.customer,
                                    work=locked.as_work(reviewer=locked.reviewer, signatory=signatory))
        locked.certificate = cert
        locked.issued_at = cert.issued_at
        locked.save()
        locked = transition(locked, "issue", actor=actor)
        item = _item_transition(locked.order_item, "issue", actor=actor)
        _after_issue(item, locked, actor)
        _note(locked, "certificate", f"证书已签发：{cert.number}", f"Certificate issued: {cert.number}", actor=actor)
    return _fresh(job)


def _after_issue(item, job, actor):
    """The orders services' follow-ups: the item's next due date (DIG-7), and the order ready for
    hand-over when this was its last certificate."""
    from caltrace.orders import services as order_services

    calibrated_on = timezone.localtime(job.record.started_at).date()
    order_services.do_set_next_due(item, calibrated_on=calibrated_on, actor=actor)
    order_services.do_mark_ready_if_done(item.order, actor=actor)


# --- reading: the work queue and a job's page ---------------------------------------------------

JOB_READERS = (roles.CALIBRATOR, roles.REVIEWER, roles.SIGNATORY, roles.RECEPTION, roles.TECHNICAL_DIRECTOR,
               roles.QUALITY_MANAGER, roles.LAB_MANAGER)
ACTIVE = ("assigned", "in_progress", "signed_off", "reviewed")


def can_read_jobs(user) -> bool:
    from caltrace.web.access import has_role

    return has_role(user, JOB_READERS)


def job_detail_queryset():
    return Job.objects.for_list().select_related("record", "method_version__method", "order_item__order").prefetch_related(
        Prefetch("equipment_uses", queryset=JobEquipment.objects.select_related("equipment")),
        "safety_checks", "evidence", "order_item__deviations")


def work_queue(user, *, on=None, limit: int = 100) -> dict:
    """What waits for ``user`` (我的工作), by role, each a list: ``calibrate`` (their assigned and
    running jobs), ``review`` (signed-off jobs of others), ``approve`` (reviewed jobs in the
    fields they sign for), and for reception ``assign`` (received or reviewed items of accepted
    orders with no job), ``receive`` (items to receive) and ``hand_over`` (issued, not returned).
    A fixed number of queries whatever the lengths."""
    from caltrace.orders.models import OrderItem
    from caltrace.people.selectors import signatory_fields

    on = on or timezone.localdate()
    mine = roles.roles_of(user) if not user.is_superuser else set(roles.STAFF_ROLES)
    person = person_of(user)
    out = {"calibrate": [], "review": [], "approve": [], "assign": [], "receive": [], "hand_over": []}
    jobs = Job.objects.for_list()
    if person is not None and roles.CALIBRATOR in mine:
        out["calibrate"] = list(jobs.filter(calibrator=person, status__in=("assigned", "in_progress"))
                                .order_by("assigned_at")[:limit])
    if roles.REVIEWER in mine:
        qs = jobs.filter(status="signed_off")
        if person is not None:
            qs = qs.exclude(calibrator=person)
        out["review"] = list(qs.order_by("signed_off_at")[:limit])
    if person is not None and roles.SIGNATORY in mine:
        fields = signatory_fields(person, on)
        out["approve"] = list(jobs.filter(status="reviewed", scope_item__field__in=fields)
                              .exclude(calibrator=person).exclude(reviewer=person).order_by("reviewed_at")[:limit])
    if mine & {roles.RECEPTION, roles.LAB_MANAGER}:
        items = OrderItem.objects.select_related("order__customer", "scope_item")
        working = ("accepted", "in_progress")
        out["assign"] = list(items.filter(order__status__in=working, status__in=("received", "reviewed"))
                             .exclude(jobs__status__in=ACTIVE).exclude(order__location="in_lab", status="reviewed")
                             .order_by("received_at", "id")[:limit])
        out["receive"] = list(items.filter(order__status__in=working, order__location="in_lab", status="reviewed")
                              .order_by("order__accepted_at", "id")[:limit])
        out["hand_over"] = list(items.filter(status="issued").order_by("id")[:limit])
    return out


def job_history(job: Job) -> list:
    """The audit ledger entries of the job and of its records, oldest first."""
    from django.db.models import Q

    from caltrace.core.models import AuditEntry

    records = [r for r in [job.record_id, *job.replaced_records] if r]
    q = Q(model=Job._meta.label, object_pk=str(job.pk))
    if records:
        q |= Q(model=CalibrationRecord._meta.label, object_pk__in=[str(r) for r in records])
    return list(AuditEntry.objects.filter(q).order_by("seq"))
