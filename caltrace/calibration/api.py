"""API endpoints of raw calibration records, at /api/v1/calibration/. Read-only.

The readers of the record pages (``selectors.READERS``) read; anonymous callers get 401, any other
signed-in user 403. A record lists every reading with its provenance, the corrected ones included
(``superseded_by_id`` points at the correction); the uncertainty budgets exist once it is signed off,
before that ``/uncertainty`` answers 409.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from . import selectors
from .models import CalibrationRecord

router = Router(tags=["calibration"])


# --- schemas ----------------------------------------------------------------------------------


class RecordOut(Schema):
    id: int
    procedure_id: int
    procedure_code: str
    procedure_name: str
    item: str
    scope_item_id: int | None
    calibrator: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    status: str


class EquipmentUseOut(Schema):
    equipment_id: int
    asset_no: str
    name: str
    role: str


class ReadingOut(Schema):
    id: int
    point_id: int
    point_order: int
    role: str
    sequence: int
    value: str
    unit: str
    provenance: str
    equipment_id: int | None
    visa_resource: str
    instrument_idn: str
    raw_response: str
    read_at: dt.datetime | None
    typed_by: str | None
    typed_at: dt.datetime | None
    corrects_id: int | None
    correction_reason: str
    superseded_by_id: int | None
    is_current: bool


class RecordDetailOut(RecordOut):
    method_version: str
    field_values: dict
    equipment: list[EquipmentUseOut]
    readings: list[ReadingOut]
    results: list[dict]


class BudgetRowOut(Schema):
    symbol: str
    name: str
    name_en: str
    kind: str
    estimate: float
    unit: str
    standard_uncertainty: float
    distribution: str
    basis: str
    sensitivity: float
    contribution: float
    dof: float | None  # None: infinite


class PointBudgetOut(Schema):
    point_id: int | None
    order: int | None
    nominal: str | None
    unit: str
    setting: str
    model: str
    rows: list[BudgetRowOut]
    value: float
    combined_standard_uncertainty: float
    effective_dof: float | None  # None: infinite
    coverage_factor: float
    coverage_probability: float
    expanded_uncertainty: float
    reported: dict
    reference_certificate: dict | None


class UncertaintyOut(Schema):
    record_id: int
    procedure_code: str
    points: list[PointBudgetOut]


class Refusal(Schema):
    detail: str
    status: str


# --- access and shaping -----------------------------------------------------------------------


def _read(request):
    if not selectors.can_read(request.auth):
        raise PermissionDenied
    return request.auth


def _record_out(record) -> dict:
    return {
        "id": record.pk, "procedure_id": record.procedure_id, "procedure_code": record.procedure.code,
        "procedure_name": record.procedure.name_zh, "item": record.item, "scope_item_id": record.scope_item_id,
        "calibrator": selectors.calibrator_name(record), "started_at": record.started_at,
        "finished_at": record.finished_at, "status": record.status,
    }


def _reading_out(r) -> dict:
    correction = r.superseded_by
    return {
        "id": r.pk, "point_id": r.point_id, "point_order": r.point.order, "role": r.role, "sequence": r.sequence,
        "value": selectors.plain(r.value), "unit": r.unit,
        "provenance": r.provenance, "equipment_id": r.equipment_id, "visa_resource": r.visa_resource,
        "instrument_idn": r.instrument_idn, "raw_response": r.raw_response, "read_at": r.read_at,
        "typed_by": (r.typed_by.get_username() if r.typed_by_id else None), "typed_at": r.typed_at,
        "corrects_id": r.corrects_id, "correction_reason": r.correction_reason,
        "superseded_by_id": correction.pk if correction else None, "is_current": correction is None,
    }


def _dof(d):
    return None if d is None or d == float("inf") else d


# --- endpoints --------------------------------------------------------------------------------


@router.get("/records", response=list[RecordOut], summary="Raw calibration records (原始记录)")
@paginate(LimitOffsetPagination)
def list_records(request, status: str | None = None, procedure: int | None = None,
                 started_from: dt.date | None = None, started_to: dt.date | None = None, q: str | None = None,
                 site: int | None = None):
    _read(request)
    qs = selectors.filter_records(selectors.records(), status=status, procedure=procedure,
                                  started_from=started_from, started_to=started_to, q=q, site=site)
    return _Shaped(qs)


class _Shaped:
    """A queryset the paginator slices, shaped into RecordOut dicts after slicing (one query)."""

    def __init__(self, qs):
        self.qs = qs

    def count(self):
        return self.qs.count()

    def __len__(self):
        return self.count()

    def __getitem__(self, key):
        return [_record_out(r) for r in self.qs[key]]


@router.get("/records/{record_id}", response=RecordDetailOut, summary="A raw record with readings and results")
def get_record(request, record_id: int):
    _read(request)
    record = get_object_or_404(selectors.record_detail_queryset(), pk=record_id)
    return {
        **_record_out(record),
        "method_version": record.procedure.method_version.designation,
        "field_values": record.field_values or {},
        "equipment": [{"equipment_id": u.equipment_id, "asset_no": u.equipment.asset_no, "name": u.equipment.name,
                       "role": u.role} for u in selectors.equipment_uses(record)],
        "readings": [_reading_out(r) for r in selectors.readings(record)],
        "results": record.results or [],
    }


@router.get("/records/{record_id}/uncertainty", response={200: UncertaintyOut, 409: Refusal},
            summary="The uncertainty budgets of a signed-off record (REC-1)")
def get_uncertainty(request, record_id: int):
    _read(request)
    record = get_object_or_404(CalibrationRecord.objects.select_related("procedure"), pk=record_id)
    if not selectors.has_results(record):
        return Status(409, {"detail": _("原始记录尚未签署，还没有校准结果和不确定度评定。"), "status": record.status})
    points = []
    for p in selectors.uncertainty_points(record):
        b = p["budget"]
        points.append({
            "point_id": p["point_id"], "order": p["order"], "nominal": p["nominal"], "unit": p["unit"],
            "setting": p["setting"], "model": b.model_text,
            "rows": [{**row.__dict__, "dof": _dof(row.dof)} for row in b.rows],
            "value": b.value, "combined_standard_uncertainty": b.combined_standard_uncertainty,
            "effective_dof": _dof(b.effective_dof), "coverage_factor": b.coverage_factor,
            "coverage_probability": b.coverage_probability, "expanded_uncertainty": b.expanded_uncertainty,
            "reported": p["reported"], "reference_certificate": p["reference_certificate"],
        })
    return {"record_id": record.pk, "procedure_code": record.procedure.code, "points": points}


# --- jobs (检定/校准任务) ------------------------------------------------------------------------
#
# Reception, managers and the people who calibrate, review and sign read jobs; everyone else 403.
# Each step is a POST action calling one service of ``caltrace.calibration.jobs``: a rule's refusal
# answers 409 naming each id, a wrong state 409, bad input 422, acting for someone else 403.

from decimal import Decimal  # noqa: E402

from django.utils import timezone  # noqa: E402
from ninja import File, Form  # noqa: E402
from ninja.files import UploadedFile  # noqa: E402

from . import jobs as job_services  # noqa: E402
from .models import Job  # noqa: E402


class JobEquipmentIn(Schema):
    equipment_id: int
    role: str = "auxiliary"


class JobAssignIn(Schema):
    order_item_id: int
    procedure_id: int
    calibrator_id: int
    equipment: list[JobEquipmentIn] = []


class JobEquipmentOut(Schema):
    equipment_id: int
    asset_no: str
    name: str
    role: str


class JobOut(Schema):
    id: int
    status: str
    order_number: str
    order_item_id: int
    identification: str | None
    item: str
    procedure_code: str
    scope_item_id: int
    method_version: str
    on_site: bool
    site_id: int | None
    address: str
    calibrator_id: int
    calibrator: str
    reviewer_id: int | None
    signatory_id: int | None
    record_id: int | None
    certificate_number: str | None
    assigned_at: dt.datetime
    started_at: dt.datetime | None
    signed_off_at: dt.datetime | None
    reviewed_at: dt.datetime | None
    issued_at: dt.datetime | None


class SafetyItemOut(Schema):
    item: str
    passed: bool
    note: str
    at: dt.datetime


class EvidenceOut(Schema):
    id: int
    kind: str
    file_name: str
    sha256: str
    size: int
    note: str
    taken_at: dt.datetime | None


class JobDetailOut(JobOut):
    equipment: list[JobEquipmentOut]
    safety_checks: list[SafetyItemOut]
    evidence: list[EvidenceOut]
    replaced_records: list[int]
    review_comment: str
    transitions: list[str]


class SafetyItemIn(Schema):
    item: str
    passed: bool
    note: str = ""


class SafetyCheckIn(Schema):
    checks: list[SafetyItemIn]


class ReadingIn(Schema):
    point_id: int
    value: Decimal
    unit: str = ""
    role: str = "uut"


class ReadingsIn(Schema):
    readings: list[ReadingIn]


class ConditionIn(Schema):
    condition: str
    value: Decimal
    unit: str = ""
    at: dt.datetime | None = None
    variation: str | None = None


class ConditionsIn(Schema):
    conditions: list[ConditionIn]


class FieldsIn(Schema):
    values: dict


class ReviewIn(Schema):
    approve: bool = True
    comment: str = ""


class CommentIn(Schema):
    comment: str


class CandidateOut(Schema):
    id: int
    label: str
    offered: bool
    refusals: list[dict]


class CandidatesOut(Schema):
    calibrators: list[CandidateOut]
    equipment: list[CandidateOut]


class QueueJobOut(Schema):
    id: int
    status: str
    order_number: str
    item: str
    procedure_code: str


class QueueItemOut(Schema):
    id: int
    status: str
    order_number: str
    identification: str | None
    description: str


class QueueOut(Schema):
    calibrate: list[QueueJobOut]
    review: list[QueueJobOut]
    approve: list[QueueJobOut]
    assign: list[QueueItemOut]
    receive: list[QueueItemOut]
    hand_over: list[QueueItemOut]


def _jobs_reader(request):
    if not job_services.can_read_jobs(request.auth):
        raise PermissionDenied
    return request.auth


def _job(job_id: int) -> Job:
    return get_object_or_404(job_services.job_detail_queryset(), pk=job_id)


def _job_out(job: Job) -> dict:
    item = job.order_item
    return {
        "id": job.pk, "status": job.status, "order_number": item.order.number, "order_item_id": item.pk,
        "identification": item.identification, "item": item.description, "procedure_code": job.procedure.code,
        "scope_item_id": job.scope_item_id, "method_version": str(job.method_version), "on_site": job.on_site,
        "site_id": job.site_id, "address": job.address, "calibrator_id": job.calibrator_id,
        "calibrator": job.calibrator.name, "reviewer_id": job.reviewer_id, "signatory_id": job.signatory_id,
        "record_id": job.record_id, "certificate_number": job.certificate.number if job.certificate_id else None,
        "assigned_at": job.assigned_at, "started_at": job.started_at, "signed_off_at": job.signed_off_at,
        "reviewed_at": job.reviewed_at, "issued_at": job.issued_at,
    }


def _job_detail(job_id: int) -> dict:
    job = _job(job_id)
    return {
        **_job_out(job),
        "equipment": [{"equipment_id": u.equipment_id, "asset_no": u.equipment.asset_no, "name": u.equipment.name,
                       "role": u.role} for u in job.equipment_uses.all()],
        "safety_checks": [{"item": c.item, "passed": c.passed, "note": c.note, "at": c.at}
                          for c in job.safety_checks.all()],
        "evidence": [{"id": e.pk, "kind": e.kind, "file_name": e.file_name, "sha256": e.sha256, "size": e.size,
                      "note": e.note, "taken_at": e.taken_at} for e in job.evidence.all()],
        "replaced_records": job.replaced_records, "review_comment": job.review_comment,
        "transitions": [t.name for t in Job.workflow.available(job)],
    }


@router.get("/jobs", response=list[JobOut], summary="Calibration jobs (校准任务)")
@paginate(LimitOffsetPagination)
def list_jobs(request, status: str | None = None, site: int | None = None, calibrator: int | None = None):
    _jobs_reader(request)
    qs = Job.objects.for_list().order_by("-assigned_at", "-id")
    if status:
        qs = qs.filter(status=status)
    if site:
        qs = qs.filter(order_item__order__site_id=site)
    if calibrator:
        qs = qs.filter(calibrator_id=calibrator)
    return _ShapedJobs(qs)


class _ShapedJobs(_Shaped):
    def __getitem__(self, key):
        return [_job_out(j) for j in self.qs[key]]


@router.get("/jobs/queue", response=QueueOut, summary="What waits for me (我的工作)")
def my_queue(request):
    _jobs_reader(request)
    q = job_services.work_queue(request.auth)

    def job(j):
        return {"id": j.pk, "status": j.status, "order_number": j.order_item.order.number,
                "item": j.order_item.description, "procedure_code": j.procedure.code}

    def item(i):
        return {"id": i.pk, "status": i.status, "order_number": i.order.number, "identification": i.identification,
                "description": i.description}

    return {**{k: [job(j) for j in q[k]] for k in ("calibrate", "review", "approve")},
            **{k: [item(i) for i in q[k]] for k in ("assign", "receive", "hand_over")}}


@router.get("/jobs/{job_id}", response=JobDetailOut, summary="A job with its equipment, safety checks and evidence")
def get_job(request, job_id: int):
    _jobs_reader(request)
    return _job_detail(job_id)


@router.get("/items/{item_id}/candidates", response=CandidatesOut,
            summary="Who and what may be assigned to an item (DIG-3): refusals name the rule ids")
def assignment_candidates(request, item_id: int, procedure: int):
    from caltrace.orders.models import OrderItem

    from .models import Procedure

    _jobs_reader(request)
    item = get_object_or_404(OrderItem.objects.select_related("order", "scope_item", "method_version")
                             .prefetch_related("deviations"), pk=item_id)
    proc = get_object_or_404(Procedure, pk=procedure)
    on = timezone.localdate()
    people, refused_people = job_services.eligible_calibrators(item, on=on)
    eqs, refused_eqs = job_services.eligible_equipment(item, proc, on=on)
    return {
        "calibrators": [{"id": p.pk, "label": str(p), "offered": True, "refusals": []} for p in people]
        + [{"id": p.pk, "label": str(p), "offered": False, "refusals": [v.as_dict() for v in vs]}
           for p, vs in refused_people],
        "equipment": [{"id": e.pk, "label": str(e), "offered": True, "refusals": []} for e in eqs]
        + [{"id": e.pk, "label": str(e), "offered": False, "refusals": [v.as_dict() for v in vs]}
           for e, vs in refused_eqs],
    }


@router.post("/jobs", response={201: JobDetailOut}, summary="Assign a job (reception, lab manager, technical director)")
def assign_job(request, payload: JobAssignIn):
    from caltrace.equipment.models import Equipment
    from caltrace.orders.models import OrderItem
    from caltrace.people.models import Person

    from .models import Procedure

    _jobs_reader(request)
    item = get_object_or_404(OrderItem, pk=payload.order_item_id)
    equipment = {e.pk: e for e in Equipment.objects.filter(pk__in=[e.equipment_id for e in payload.equipment])}
    missing = [e.equipment_id for e in payload.equipment if e.equipment_id not in equipment]
    if missing:
        from django.core.exceptions import ValidationError

        raise ValidationError({"equipment": _("没有这些设备：%(ids)s") % {"ids": missing}})
    job = job_services.do_assign_job(
        item, procedure=get_object_or_404(Procedure, pk=payload.procedure_id),
        calibrator=get_object_or_404(Person, pk=payload.calibrator_id),
        equipment=[(equipment[e.equipment_id], e.role) for e in payload.equipment], actor=request.auth)
    return Status(201, _job_detail(job.pk))


def _act(request, job_id: int):
    _jobs_reader(request)
    return get_object_or_404(Job, pk=job_id), request.auth


@router.post("/jobs/{job_id}/start", response=JobDetailOut, summary="Start (the calibrator)")
def start_job(request, job_id: int):
    job, user = _act(request, job_id)
    job_services.do_start_job(job, actor=user)
    return _job_detail(job_id)


@router.post("/jobs/{job_id}/safety-check", response=JobDetailOut,
             summary="On-site safety checklist (SAF-1): a failed item stops the job")
def safety_check(request, job_id: int, payload: SafetyCheckIn):
    job, user = _act(request, job_id)
    job_services.do_record_safety_check(job, [c.dict() for c in payload.checks], actor=user)
    return _job_detail(job_id)


@router.post("/jobs/{job_id}/evidence", response={201: EvidenceOut},
             summary="Upload on-site evidence (REC-3), multipart: kind, note, file")
def add_evidence(request, job_id: int, kind: Form[str], file: File[UploadedFile], note: Form[str] = "",
                 taken_at: Form[dt.datetime | None] = None):
    job, user = _act(request, job_id)
    ev = job_services.do_add_evidence(job, kind=kind, content=file.read(), file_name=file.name or "", note=note,
                                      taken_at=taken_at, actor=user)
    return Status(201, {"id": ev.pk, "kind": ev.kind, "file_name": ev.file_name, "sha256": ev.sha256,
                        "size": ev.size, "note": ev.note, "taken_at": ev.taken_at})


@router.post("/jobs/{job_id}/readings", response={201: list[ReadingOut]}, summary="Typed readings")
def add_readings(request, job_id: int, payload: ReadingsIn):
    from django.db import transaction

    from .models import CalibrationPoint

    job, user = _act(request, job_id)
    points = {p.pk: p for p in CalibrationPoint.objects.filter(procedure_id=job.procedure_id)}
    out = []
    with transaction.atomic():
        for r in payload.readings:
            point = points.get(r.point_id)
            if point is None:
                from django.core.exceptions import ValidationError

                raise ValidationError({"point_id": _("校准点不属于该任务的校准程序")})
            out.append(job_services.do_job_reading(job, point, r.value, r.unit or point.unit, actor=user,
                                                   role=r.role))
    return Status(201, [_reading_out(r) for r in out])


@router.post("/jobs/{job_id}/conditions", response=JobDetailOut, summary="Environmental conditions")
def add_conditions(request, job_id: int, payload: ConditionsIn):
    job, user = _act(request, job_id)
    job_services.do_job_conditions(job, [{k: (v.isoformat() if isinstance(v, dt.datetime) else v)
                                          for k, v in c.dict().items() if v is not None}
                                         for c in payload.conditions], actor=user)
    return _job_detail(job_id)


@router.post("/jobs/{job_id}/fields", response=JobDetailOut, summary="Record fields of the method version")
def set_fields(request, job_id: int, payload: FieldsIn):
    job, user = _act(request, job_id)
    job_services.do_job_fields(job, payload.values, actor=user)
    return _job_detail(job_id)


@router.post("/jobs/{job_id}/run", response=JobDetailOut, summary="Run the automated procedure on the bench")
def run_job(request, job_id: int):
    job, user = _act(request, job_id)
    job_services.do_job_run(job, actor=user)
    return _job_detail(job_id)


@router.post("/jobs/{job_id}/sign-off", response=JobDetailOut, summary="Sign off (CND-3, SITE-3, REC-3 …)")
def sign_off_job(request, job_id: int):
    job, user = _act(request, job_id)
    job_services.do_sign_off_job(job, actor=user)
    return _job_detail(job_id)


@router.post("/jobs/{job_id}/review", response=JobDetailOut,
             summary="Review as oneself (RPT-1); not approved: returned for correction with the comment")
def review_job(request, job_id: int, payload: ReviewIn):
    job, user = _act(request, job_id)
    job_services.do_review_job(job, reviewer=job_services.person_of(user), actor=user, approve=payload.approve,
                               comment=payload.comment)
    return _job_detail(job_id)


@router.post("/jobs/{job_id}/return", response=JobDetailOut, summary="Return for correction (a comment is needed)")
def return_job(request, job_id: int, payload: CommentIn):
    job, user = _act(request, job_id)
    job_services.do_return_for_correction(job, actor=user, comment=payload.comment)
    return _job_detail(job_id)


@router.post("/jobs/{job_id}/approve-issue", response=JobDetailOut,
             summary="Approve and issue the certificate as the signatory (RPT-1, CND-5, CND-6, PER-2, PRH-6)")
def approve_issue(request, job_id: int):
    job, user = _act(request, job_id)
    job_services.do_approve_and_issue(job, signatory=job_services.person_of(user), actor=user)
    return _job_detail(job_id)
