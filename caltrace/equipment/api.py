"""API endpoints of the equipment app, at /api/v1/equipment/.

Staff read; the equipment manager writes; customers and other outsiders get 404. The status is
derived and read-only. History is append-only: records are only ever POSTed (a correction of a
traceability record is a new record, ``POST /traceability/{id}/corrections``); there is no PUT,
PATCH or DELETE for them. A field error answers 422 naming the field.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.pagination import LimitOffsetPagination, paginate

from . import selectors, services
from .models import Equipment, TraceabilityRecord
from .schemas import (
    CheckIn,
    CheckOut,
    ConfirmationIn,
    ConfirmationOut,
    CorrectionIn,
    EquipmentDetailOut,
    EquipmentIn,
    EquipmentOut,
    EquipmentPatch,
    RangeIn,
    RangeOut,
    ServiceEventIn,
    ServiceEventOut,
    StandardCertificateIn,
    StandardCertificateOut,
    TimelineOut,
    TraceabilityIn,
    TraceabilityOut,
    UsageIn,
    UsageOut,
    VerificationIn,
    VerificationOut,
)

router = Router(tags=["equipment"])


# --- access and lookups -----------------------------------------------------------------------


def _read(request):
    if not selectors.can_read(request.auth):
        raise Http404
    return request.auth


def _write(request):
    _read(request)
    if not selectors.can_manage(request.auth):
        raise PermissionDenied
    return request.auth


def _equipment(request, equipment_id: int, *, write: bool = False) -> Equipment:
    (_write if write else _read)(request)
    return get_object_or_404(Equipment, pk=equipment_id)


def _related(model_label: str, pk: int | None, field: str):
    """The row ``pk`` of a related model, or a 422 naming ``field`` when there is none."""
    if pk is None:
        return None
    from django.apps import apps

    found = apps.get_model(model_label).objects.filter(pk=pk).first()
    if found is None:
        raise ValidationError({field: [_("不存在编号为 %(pk)s 的记录") % {"pk": pk}]})
    return found


def _person(pk, field="performed_by"):
    return _related("people.Person", pk, field)


def _detail(pk: int, on: dt.date | None = None) -> Equipment:
    return (selectors.with_status(Equipment.objects.filter(pk=pk).select_related("home_room"), on)
            .prefetch_related("ranges", "standard_certificates").get())


def _records(qs):
    return (selectors.records_with_state(qs).select_related("equipment").prefetch_related("results")
            .order_by("-performed_on", "-id"))


# --- the register -----------------------------------------------------------------------------


@router.get("/", response=list[EquipmentOut], summary="Equipment with its derived status")
@paginate(LimitOffsetPagination)
def list_equipment(request, q: str | None = None, kind: str | None = None, status: str | None = None,
                   site: int | None = None, room: int | None = None, on: dt.date | None = None):
    _read(request)
    qs = selectors.with_status(Equipment.objects.select_related("home_room"), on)
    if q:
        qs = qs.filter(Q(asset_no__icontains=q) | Q(name__icontains=q) | Q(manufacturer__icontains=q)
                       | Q(model__icontains=q) | Q(serial_no__icontains=q))
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    if site:
        qs = qs.filter(home_room__site_id=site)
    if room:
        qs = qs.filter(home_room_id=room)
    return qs.order_by("asset_no")


@router.post("/", response={201: EquipmentDetailOut}, summary="Register equipment (EQP-1)")
def register_equipment(request, payload: EquipmentIn):
    _write(request)
    data = payload.dict()
    data["home_room"] = _related("org.Room", data["home_room"], "home_room")
    eq = services.do_register_equipment(**data)
    return Status(201, _detail(eq.pk))


@router.get("/{int:equipment_id}", response=EquipmentDetailOut)
def get_equipment(request, equipment_id: int, on: dt.date | None = None):
    _read(request)
    if not Equipment.objects.filter(pk=equipment_id).exists():
        raise Http404
    return _detail(equipment_id, on)


@router.patch("/{int:equipment_id}", response=EquipmentDetailOut, summary="Change register data (not the history)")
def update_equipment(request, equipment_id: int, payload: EquipmentPatch):
    eq = _equipment(request, equipment_id, write=True)
    changes = payload.dict(exclude_unset=True)
    if "home_room" in changes:
        changes["home_room"] = _related("org.Room", changes["home_room"], "home_room")
    services.do_update_equipment(eq, **changes)
    return _detail(eq.pk)


@router.get("/{int:equipment_id}/timeline", response=list[TimelineOut], summary="Life-cycle history, newest first")
def equipment_timeline(request, equipment_id: int):
    eq = _equipment(request, equipment_id)
    entries, _hidden = selectors.timeline(eq)
    return [{"on": e.on, "kind": e.kind, "title": e.title, "detail": e.detail, "badge": e.badge} for e in entries]


@router.get("/{int:equipment_id}/ranges", response=list[RangeOut])
def list_ranges(request, equipment_id: int):
    return list(_equipment(request, equipment_id).ranges.all())


@router.post("/{int:equipment_id}/ranges", response={201: RangeOut}, summary="Add a measuring range")
def add_range(request, equipment_id: int, payload: RangeIn):
    eq = _equipment(request, equipment_id, write=True)
    return Status(201, services.do_add_range(eq, **payload.dict()))


@router.get("/{int:equipment_id}/standard-certificates", response=list[StandardCertificateOut])
def list_standard_certificates(request, equipment_id: int):
    return list(_equipment(request, equipment_id).standard_certificates.all())


@router.post("/{int:equipment_id}/standard-certificates", response={201: StandardCertificateOut},
             summary="Record a measurement standard's examination certificate")
def add_standard_certificate(request, equipment_id: int, payload: StandardCertificateIn):
    eq = _equipment(request, equipment_id, write=True)
    return Status(201, services.do_add_standard_certificate(eq, **payload.dict()))


# --- traceability -----------------------------------------------------------------------------


@router.get("/traceability", response=list[TraceabilityOut], summary="Traceability records of all equipment")
@paginate(LimitOffsetPagination)
def list_traceability(request, equipment: int | None = None, provider: str | None = None, kind: str | None = None,
                      due_before: dt.date | None = None, due_after: dt.date | None = None,
                      include_corrected: bool = True):
    _read(request)
    qs = TraceabilityRecord.objects.all()
    if equipment:
        qs = qs.filter(equipment_id=equipment)
    if provider:
        qs = qs.filter(provider__icontains=provider)
    if kind:
        qs = qs.filter(kind=kind)
    if due_before:
        qs = qs.filter(due_on__lte=due_before)
    if due_after:
        qs = qs.filter(due_on__gte=due_after)
    if not include_corrected:
        qs = qs.filter(correction__isnull=True)
    return _records(qs)


@router.get("/traceability/{int:record_id}", response=TraceabilityOut)
def get_traceability(request, record_id: int):
    _read(request)
    return get_object_or_404(_records(TraceabilityRecord.objects.all()), pk=record_id)


@router.get("/{int:equipment_id}/traceability", response=list[TraceabilityOut])
@paginate(LimitOffsetPagination)
def list_equipment_traceability(request, equipment_id: int):
    eq = _equipment(request, equipment_id)
    return _records(eq.traceability_records.all())


@router.post("/{int:equipment_id}/traceability", response={201: TraceabilityOut},
             summary="Record an upstream certificate (append-only)")
def record_traceability(request, equipment_id: int, payload: TraceabilityIn):
    eq = _equipment(request, equipment_id, write=True)
    data = payload.dict()
    record = services.do_record_traceability(eq, **data)
    return Status(201, _records(TraceabilityRecord.objects.filter(pk=record.pk)).get())


@router.post("/traceability/{int:record_id}/corrections", response={201: TraceabilityOut},
             summary="Correct a record by a new one that names it, with the reason")
def correct_traceability(request, record_id: int, payload: CorrectionIn):
    _write(request)
    wrong = get_object_or_404(TraceabilityRecord, pk=record_id)
    data = payload.dict()
    reason = data.pop("reason")
    record = services.do_correct_traceability(wrong, reason=reason, **data)
    return Status(201, _records(TraceabilityRecord.objects.filter(pk=record.pk)).get())


@router.get("/traceability/{int:record_id}/confirmations", response=list[ConfirmationOut])
def list_confirmations(request, record_id: int):
    _read(request)
    return list(get_object_or_404(TraceabilityRecord, pk=record_id).confirmations.all())


@router.post("/traceability/{int:record_id}/confirmations", response={201: ConfirmationOut},
             summary="Record the metrological confirmation of a record (EQP-3)")
def confirm_traceability(request, record_id: int, payload: ConfirmationIn):
    _write(request)
    record = get_object_or_404(TraceabilityRecord.objects.select_related("equipment"), pk=record_id)
    data = payload.dict()
    data["performed_by"] = _person(data["performed_by"])
    return Status(201, services.do_confirm(record, **data))


# --- checks, verification, service, usage -------------------------------------------------------


@router.get("/{int:equipment_id}/checks", response=list[CheckOut])
@paginate(LimitOffsetPagination)
def list_checks(request, equipment_id: int):
    return _equipment(request, equipment_id).checks.all()


@router.post("/{int:equipment_id}/checks", response={201: CheckOut},
             summary="Record an intermediate check (a failed one takes the equipment out of service)")
def record_check(request, equipment_id: int, payload: CheckIn):
    eq = _equipment(request, equipment_id, write=True)
    data = payload.dict()
    data["performed_by"] = _person(data["performed_by"])
    return Status(201, services.do_record_check(eq, **data))


@router.get("/{int:equipment_id}/verifications", response=list[VerificationOut])
@paginate(LimitOffsetPagination)
def list_verifications(request, equipment_id: int):
    return _equipment(request, equipment_id).verifications.all()


@router.post("/{int:equipment_id}/verifications", response={201: VerificationOut},
             summary="Record a verification before first use or before return to service (EQP-4)")
def record_verification(request, equipment_id: int, payload: VerificationIn):
    eq = _equipment(request, equipment_id, write=True)
    data = payload.dict()
    data["performed_by"] = _person(data["performed_by"])
    return Status(201, services.do_record_verification(eq, **data))


@router.get("/{int:equipment_id}/service-events", response=list[ServiceEventOut])
@paginate(LimitOffsetPagination)
def list_service_events(request, equipment_id: int):
    return _equipment(request, equipment_id).service_events.all()


@router.post("/{int:equipment_id}/service-events", response={201: ServiceEventOut},
             summary="Take out of service, send for repair, or retire")
def record_service_event(request, equipment_id: int, payload: ServiceEventIn):
    eq = _equipment(request, equipment_id, write=True)
    data = payload.dict()
    data["performed_by"] = _person(data["performed_by"])
    return Status(201, services.do_take_out_of_service(eq, **data))


@router.get("/{int:equipment_id}/usage", response=list[UsageOut])
@paginate(LimitOffsetPagination)
def list_usage(request, equipment_id: int):
    return _equipment(request, equipment_id).usage_records.all()


@router.post("/{int:equipment_id}/usage", response={201: UsageOut}, summary="Log the use of equipment in a job")
def log_usage(request, equipment_id: int, payload: UsageIn):
    eq = _equipment(request, equipment_id, write=True)
    data = payload.dict()
    data["person"] = _person(data["person"], "person")
    for name in ("started_at", "ended_at"):
        if timezone.is_naive(data[name]):
            data[name] = timezone.make_aware(data[name])
    return Status(201, services.do_log_usage(eq, **data))
