"""People endpoints at /api/v1/people/: staff, qualifications, training, authorizations.

Reading takes the lab manager, technical director or quality manager role; writing (registering,
granting, revoking) the lab manager or technical director. Other staff get 403, customers 404.
A refused grant answers 409 with the violated requirement ids; invalid input 422 with field names.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from caltrace.integrity.work import can_perform

from . import selectors, services
from .access import READ_ROLES, WRITE_ROLES, require
from .models import Authorization, Person, ProtectiveEquipmentIssue, Qualification, Training

router = Router(tags=["people"])


def _read(request):
    require(request.auth, READ_ROLES)


def _write(request):
    require(request.auth, WRITE_ROLES)


def _today() -> dt.date:
    return timezone.localdate()


# --- schemas ------------------------------------------------------------------------------------


class QualificationOut(Schema):
    id: int
    person_id: int
    kind: str
    title: str
    number: str
    issuer: str
    discipline: str
    valid_from: dt.date
    valid_until: dt.date | None
    status: str

    @staticmethod
    def resolve_status(obj, context):
        return obj.validity_on(_today())


class AuthorizationOut(Schema):
    id: int
    person_id: int
    kind: str
    document_no: str
    valid_from: dt.date
    valid_until: dt.date | None
    scope_items: list[int]
    methods: list[int]
    metrology_fields: list[str]
    revoked_on: dt.date | None
    revoke_reason: str
    note: str
    status: str

    @staticmethod
    def resolve_scope_items(obj, context):
        return [s.pk for s in obj.scope_items.all()]

    @staticmethod
    def resolve_methods(obj, context):
        return [m.pk for m in obj.methods.all()]

    @staticmethod
    def resolve_status(obj, context):
        return obj.validity_on(_today())


class IntegrityTrainingOut(Schema):
    last: dt.date | None
    due_on: dt.date | None
    overdue: bool


class PersonOut(Schema):
    id: int
    staff_no: str
    name: str
    category: str
    position: str
    employment_type: str
    birth_date: dt.date
    hire_date: dt.date
    left_on: dt.date | None
    calibration_since: dt.date | None
    site_id: int | None
    username: str | None = None
    employed: bool
    integrity_training: IntegrityTrainingOut
    qualifications: list[QualificationOut]
    authorizations_in_force: list[str]

    @staticmethod
    def resolve_username(obj, context):
        return obj.user.get_username() if obj.user_id else None

    @staticmethod
    def resolve_employed(obj, context):
        return obj.employed_on(_today())

    @staticmethod
    def resolve_integrity_training(obj, context):
        s = selectors.integrity_training_status(obj, _today())
        return {"last": s.last, "due_on": s.due_on, "overdue": s.overdue}

    @staticmethod
    def resolve_qualifications(obj, context):
        return list(obj.qualifications.all())

    @staticmethod
    def resolve_authorizations_in_force(obj, context):
        found = getattr(obj, "authorizations_now", None)
        if found is None:
            found = obj.authorizations.in_force_on(_today())
        return sorted({a.kind for a in found})


class AttendanceOut(Schema):
    person_id: int
    passed: bool
    score: str


class TrainingOut(Schema):
    id: int
    kind: str
    topic: str
    held_on: dt.date
    hours: Decimal
    trainer_id: int | None
    trainer_name: str
    trainer_qualification: str
    provider: str
    assessment: str
    attendances: list[AttendanceOut]

    @staticmethod
    def resolve_attendances(obj, context):
        return list(obj.attendances.all())


class ProtectiveEquipmentOut(Schema):
    id: int
    person_id: int
    item: str
    quantity: int
    issued_on: dt.date
    note: str


class PersonDetailOut(PersonOut):
    authorizations: list[AuthorizationOut]
    trainings: list[TrainingOut]
    protective_equipment: list[ProtectiveEquipmentOut]

    @staticmethod
    def resolve_authorizations(obj, context):
        return list(obj.authorizations.prefetch_related("scope_items", "methods"))

    @staticmethod
    def resolve_trainings(obj, context):
        return list(Training.objects.filter(attendances__person=obj).prefetch_related("attendances"))

    @staticmethod
    def resolve_protective_equipment(obj, context):
        return list(obj.protective_equipment.all())


class ViolationOut(Schema):
    id: str
    kind: str
    zh: str
    en: str
    objects: list[dict]


class PermissionOut(Schema):
    authorization_id: int
    kind: str
    subject: str
    allowed: bool
    violations: list[ViolationOut]


class CoverageOut(Schema):
    code: str
    label: str
    covered: bool
    people: list[int]


class PersonIn(Schema):
    staff_no: str
    name: str
    birth_date: dt.date
    hire_date: dt.date
    employment_type: str = "long_term"
    calibration_since: dt.date | None = None
    left_on: dt.date | None = None
    site_id: int | None = None
    category: str = "calibration"
    position: str = ""


class PersonPatch(Schema):
    name: str | None = None
    birth_date: dt.date | None = None
    employment_type: str | None = None
    hire_date: dt.date | None = None
    left_on: dt.date | None = None
    calibration_since: dt.date | None = None
    category: str | None = None
    position: str | None = None


class QualificationIn(Schema):
    person_id: int
    kind: str
    issuer: str
    valid_from: dt.date
    valid_until: dt.date | None = None
    number: str = ""
    title: str = ""
    discipline: str = ""


class TrainingIn(Schema):
    kind: str
    topic: str
    held_on: dt.date
    hours: Decimal
    attendees: list[int] = Field(..., min_length=1)
    failed: list[int] = []
    trainer_id: int | None = None
    trainer_name: str = ""
    trainer_qualification: str = ""
    provider: str = ""
    assessment: str = ""
    note: str = ""


class AuthorizationIn(Schema):
    person_id: int
    kind: str
    valid_from: dt.date
    valid_until: dt.date | None = None
    scope_items: list[int] = []
    methods: list[int] = []
    metrology_fields: list[str] = []
    document_no: str = ""
    note: str = ""


class RevokeIn(Schema):
    revoked_on: dt.date
    reason: str


class ProtectiveEquipmentIn(Schema):
    person_id: int
    item: str
    issued_on: dt.date
    quantity: int = 1
    note: str = ""


# --- helpers ------------------------------------------------------------------------------------


def _get(model, pk, field):
    """The row with ``pk``, or a 422 naming ``field`` (an id in a payload that does not exist)."""
    found = model.objects.filter(pk=pk).first()
    if found is None:
        raise ValidationError({field: [f"{pk} does not exist"]})
    return found


def _get_many(qs, pks, field) -> list:
    """The rows with ``pks`` of a model or queryset, in that order, or a 422 naming ``field``."""
    qs = qs._default_manager.all() if isinstance(qs, type) else qs
    found = {o.pk: o for o in qs.filter(pk__in=pks)}
    missing = [pk for pk in pks if pk not in found]
    if missing:
        raise ValidationError({field: [f"unknown ids: {missing}"]})
    return [found[pk] for pk in pks]


def _person_detail(pk):
    return get_object_or_404(selectors.people_with_status(_today()), pk=pk)


# --- staff --------------------------------------------------------------------------------------


@router.get("/persons", response=list[PersonOut], summary="Staff, with filters")
@paginate(LimitOffsetPagination)
def list_persons(request, q: str | None = None, category: str | None = None, employment_type: str | None = None,
                 site_id: int | None = None, employed: bool | None = None, authorization: str | None = None):
    _read(request)
    today = _today()
    qs = selectors.people_with_status(today).order_by("staff_no")
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(staff_no__icontains=q))
    if category:
        qs = qs.filter(category=category)
    if employment_type:
        qs = qs.filter(employment_type=employment_type)
    if site_id:
        qs = qs.filter(site_id=site_id)
    if employed is not None:
        qs = qs.filter(selectors.employed_on_q(today)) if employed else qs.exclude(selectors.employed_on_q(today))
    if authorization:
        qs = qs.filter(pk__in=Authorization.objects.in_force_on(today).filter(kind=authorization)
                       .values("person_id"))
    return qs


@router.post("/persons", response={201: PersonOut}, summary="Register a staff member")
def create_person(request, payload: PersonIn):
    _write(request)
    data = payload.dict()
    site_id = data.pop("site_id")
    if site_id is not None:
        from caltrace.org.models import Site

        data["site"] = _get(Site, site_id, "site_id")
    person = services.do_register_person(**data)
    return Status(201, _person_detail(person.pk))


@router.get("/persons/{person_id}", response=PersonDetailOut)
def get_person(request, person_id: int):
    _read(request)
    return _person_detail(person_id)


@router.patch("/persons/{person_id}", response=PersonDetailOut, summary="Change a staff member's facts")
def update_person(request, person_id: int, payload: PersonPatch):
    _write(request)
    person = get_object_or_404(Person, pk=person_id)
    services.do_update_person(person, **payload.dict(exclude_unset=True))
    return _person_detail(person_id)


@router.get("/persons/{person_id}/permissions", response=list[PermissionOut],
            summary="What the person's authorizations let them do on a day, as the rules judge it")
def person_permissions(request, person_id: int, on: dt.date | None = None):
    _read(request)
    person = get_object_or_404(Person.objects.select_related("site"), pk=person_id)
    return [{"authorization_id": p.authorization.pk, "kind": p.authorization.kind, "subject": p.subject,
             "allowed": p.allowed, "violations": [v.as_dict() for v in p.violations]}
            for p in selectors.permissions_on(person, on or _today())]


@router.get("/persons/{person_id}/can-perform", response=list[ViolationOut],
            summary="Every violation that would stop the person doing this work (empty: may go ahead)")
def person_can_perform(request, person_id: int, role: str = "calibrator", scope_item_id: int | None = None,
                       method_version_id: int | None = None, at: dt.date | None = None):
    _read(request)
    from caltrace.methods.models import MethodVersion
    from caltrace.org.models import ScopeItem

    if role not in ("calibrator", "reviewer", "signatory"):
        raise ValidationError({"role": ["calibrator, reviewer or signatory"]})
    person = get_object_or_404(Person, pk=person_id)
    item = _get(ScopeItem, scope_item_id, "scope_item_id") if scope_item_id else None
    version = _get(MethodVersion, method_version_id, "method_version_id") if method_version_id else None
    return [v.as_dict() for v in can_perform(person, item, version, at=at or _today(), role=role,
                                             site=person.site)]


@router.get("/coverage", response=list[CoverageOut], summary="PER-1: who covers the roles on a day")
def role_coverage(request, on: dt.date | None = None):
    _read(request)
    return [{"code": r.code, "label": r.label, "covered": r.covered, "people": [p.pk for p in r.people]}
            for r in selectors.role_coverage(on or _today())]


# --- qualifications -----------------------------------------------------------------------------


@router.get("/qualifications", response=list[QualificationOut])
@paginate(LimitOffsetPagination)
def list_qualifications(request, person_id: int | None = None, kind: str | None = None,
                        status: str | None = None, q: str | None = None):
    _read(request)
    qs = Qualification.objects.order_by("valid_until", "id")
    if person_id:
        qs = qs.filter(person_id=person_id)
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = selectors.filter_validity(qs, status, _today())
    if q:
        qs = qs.filter(Q(person__name__icontains=q) | Q(number__icontains=q) | Q(issuer__icontains=q))
    return qs


@router.get("/qualifications/{qualification_id}", response=QualificationOut)
def get_qualification(request, qualification_id: int):
    _read(request)
    return get_object_or_404(Qualification, pk=qualification_id)


@router.post("/qualifications", response={201: QualificationOut}, summary="Record a qualification")
def create_qualification(request, payload: QualificationIn):
    _write(request)
    data = payload.dict()
    person = _get(Person, data.pop("person_id"), "person_id")
    return Status(201, services.do_record_qualification(person, **data))


# --- training -----------------------------------------------------------------------------------


@router.get("/trainings", response=list[TrainingOut])
@paginate(LimitOffsetPagination)
def list_trainings(request, kind: str | None = None, person_id: int | None = None, year: int | None = None,
                   q: str | None = None):
    _read(request)
    qs = Training.objects.prefetch_related("attendances").order_by("-held_on", "-id")
    if kind:
        qs = qs.filter(kind=kind)
    if person_id:
        qs = qs.filter(attendances__person_id=person_id)
    if year:
        qs = qs.filter(held_on__year=year)
    if q:
        qs = qs.filter(Q(topic__icontains=q) | Q(trainer_name__icontains=q) | Q(trainer__name__icontains=q))
    return qs


@router.get("/trainings/{training_id}", response=TrainingOut)
def get_training(request, training_id: int):
    _read(request)
    return get_object_or_404(Training.objects.prefetch_related("attendances"), pk=training_id)


@router.post("/trainings", response={201: TrainingOut}, summary="Record a training and who attended")
def create_training(request, payload: TrainingIn):
    _write(request)
    data = payload.dict()
    attendees = _get_many(Person, data.pop("attendees"), "attendees")
    failed = _get_many(Person, data.pop("failed"), "failed")
    trainer_id = data.pop("trainer_id")
    trainer = _get(Person, trainer_id, "trainer_id") if trainer_id else None
    training = services.do_record_training(attendees=attendees, failed=failed, trainer=trainer, **data)
    return Status(201, Training.objects.prefetch_related("attendances").get(pk=training.pk))


# --- authorizations -----------------------------------------------------------------------------


@router.get("/authorizations", response=list[AuthorizationOut])
@paginate(LimitOffsetPagination)
def list_authorizations(request, person_id: int | None = None, kind: str | None = None, status: str | None = None,
                        field: str | None = None, scope_item_id: int | None = None, q: str | None = None):
    _read(request)
    qs = Authorization.objects.prefetch_related("scope_items", "methods").order_by("person_id", "kind", "-valid_from")
    if person_id:
        qs = qs.filter(person_id=person_id)
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = selectors.filter_validity(qs, status, _today(), revocable=True)
    if field:
        qs = qs.filter(metrology_fields__icontains=f'"{field}"')
    if scope_item_id:
        qs = qs.filter(scope_items=scope_item_id)
    if q:
        qs = qs.filter(Q(person__name__icontains=q) | Q(person__staff_no__icontains=q) | Q(document_no__icontains=q))
    return qs


@router.get("/authorizations/{authorization_id}", response=AuthorizationOut)
def get_authorization(request, authorization_id: int):
    _read(request)
    return get_object_or_404(Authorization.objects.prefetch_related("scope_items", "methods"), pk=authorization_id)


@router.post("/authorizations", response={201: AuthorizationOut},
             summary="Grant an authorization (409 with the requirement ids when the person does not qualify)")
def grant_authorization(request, payload: AuthorizationIn):
    from caltrace.methods.models import Method
    from caltrace.org.models import ScopeItem

    _write(request)
    data = payload.dict()
    person = _get(Person, data.pop("person_id"), "person_id")
    scope_items = _get_many(ScopeItem.objects.prefetch_related("methods"), data.pop("scope_items"), "scope_items")
    methods = _get_many(Method, data.pop("methods"), "methods")
    auth = services.do_grant_authorization(person, scope_items=scope_items, methods=methods, actor=request.auth,
                                           **data)
    return Status(201, auth)


@router.post("/authorizations/{authorization_id}/revoke", response=AuthorizationOut,
             summary="Revoke an authorization from a day on")
def revoke_authorization(request, authorization_id: int, payload: RevokeIn):
    _write(request)
    auth = get_object_or_404(Authorization, pk=authorization_id)
    return services.do_revoke_authorization(auth, revoked_on=payload.revoked_on, reason=payload.reason,
                                            actor=request.auth)


# --- protective equipment -----------------------------------------------------------------------


@router.get("/protective-equipment", response=list[ProtectiveEquipmentOut])
@paginate(LimitOffsetPagination)
def list_protective_equipment(request, person_id: int | None = None):
    _read(request)
    qs = ProtectiveEquipmentIssue.objects.order_by("-issued_on", "-id")
    return qs.filter(person_id=person_id) if person_id else qs


@router.post("/protective-equipment", response={201: ProtectiveEquipmentOut},
             summary="Record protective equipment issued to a person (HR-2)")
def issue_protective_equipment(request, payload: ProtectiveEquipmentIn):
    _write(request)
    data = payload.dict()
    person = _get(Person, data.pop("person_id"), "person_id")
    return Status(201, services.do_issue_protective_equipment(person, **data))
