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
                 started_from: dt.date | None = None, started_to: dt.date | None = None, q: str | None = None):
    _read(request)
    qs = selectors.filter_records(selectors.records(), status=status, procedure=procedure,
                                  started_from=started_from, started_to=started_to, q=q)
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
