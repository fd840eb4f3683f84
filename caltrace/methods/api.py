"""API endpoints of the methods app, at /api/v1/methods/.

Staff read; the technical director writes; customers and other outsiders get 404. Lists are
paginated and take ``on`` (a date, default today) for the status of each edition. A refused
write answers 409 with the requirement ids, a field error 422 (the API's exception handlers).
"""


import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from . import selectors, services
from .choices import Condition, FieldType, MethodKind, MethodUse, ValidationConclusion, ValidationTechnique
from .environment import Reading, check_conditions, uncovered
from .models import Method, MethodValidation, MethodVersion

router = Router(tags=["methods"])


# --- access and context -------------------------------------------------------------------------


def _read(request):
    if not selectors.can_read(request.auth):
        raise Http404
    return request.auth


def _write(request):
    _read(request)
    if not selectors.can_write(request.auth):
        raise PermissionDenied
    return request.auth


def _on(request) -> dt.date:
    """The day statuses are computed for: ``?on=YYYY-MM-DD``, else today."""
    text = request.GET.get("on") if request is not None else None
    try:
        day = parse_date(text) if text else None
    except ValueError:
        day = None
    return day or timezone.localdate()


def _person(pk: int | None, field: str):
    if pk is None:
        return None
    from caltrace.people.models import Person

    found = Person.objects.filter(pk=pk).first()
    if found is None:
        raise ValidationError({field: _("找不到该人员")})
    return found


# --- schemas ------------------------------------------------------------------------------------


class LimitSchema(Schema):
    condition: Condition
    name: str = ""
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    unit: str = ""
    max_variation: Decimal | None = None
    variation_minutes: int | None = None
    text: str = ""


class RecordFieldSchema(Schema):
    name: str
    label_zh: str
    label_en: str = ""
    field_type: FieldType
    unit: str = ""
    options: list[str] = []
    required: bool = True


class WarningOut(Schema):
    code: str
    zh: str
    en: str
    due_on: dt.date | None


class ValidationOut(Schema):
    id: int
    version_id: int
    designation: str
    use: str
    subject: str
    techniques: list[str]
    result: str
    conclusion: str
    validated_by_id: int
    validated_by_name: str
    validated_on: dt.date
    approved_by_id: int | None
    approved_on: dt.date | None

    @staticmethod
    def resolve_designation(obj):
        return obj.version.designation

    @staticmethod
    def resolve_validated_by_name(obj):
        return obj.validated_by.name


class VersionBrief(Schema):
    id: int
    method_id: int
    designation: str
    edition: str
    effective_on: dt.date
    withdrawn_on: dt.date | None
    ends_on: dt.date | None
    superseded_by_id: int | None
    superseded_by: str | None
    min_duration_minutes: int | None
    status: str
    badge: str

    @staticmethod
    def resolve_superseded_by(obj):
        return obj.superseded_by.designation if obj.superseded_by_id else None

    @staticmethod
    def resolve_status(obj, context):
        return obj.status_on(_on(context.get("request")))

    @staticmethod
    def resolve_badge(obj, context):
        return selectors.badge_for(obj, _on(context.get("request"))).code


class VersionOut(VersionBrief):
    kind: str
    developed_by_id: int | None
    environment_limits: list[LimitSchema]
    record_fields: list[RecordFieldSchema]
    validations: list[ValidationOut]
    warnings: list[WarningOut]

    @staticmethod
    def resolve_kind(obj):
        return obj.method.kind

    @staticmethod
    def resolve_environment_limits(obj):
        return list(obj.limits.all())

    @staticmethod
    def resolve_record_fields(obj):
        return list(obj.record_fields.all())

    @staticmethod
    def resolve_validations(obj):
        return list(obj.validations.all())

    @staticmethod
    def resolve_warnings(obj, context):
        return selectors.warnings_for(obj, _on(context.get("request")), siblings=selectors.loaded_siblings(obj))


class MethodOut(Schema):
    id: int
    code: str
    kind: str
    title: str
    title_en: str
    is_standard_method: bool
    current_version: str | None
    versions: list[VersionBrief]

    @staticmethod
    def resolve_versions(obj):
        return list(obj.versions.all())

    @staticmethod
    def resolve_current_version(obj, context):
        on = _on(context.get("request"))
        current = [v for v in obj.versions.all() if v.is_current_on(on)]
        return max(current, key=lambda v: v.effective_on).designation if current else None


class MethodDetailOut(MethodOut):
    versions: list[VersionOut]  # type: ignore[assignment]


class MethodIn(Schema):
    code: str
    kind: MethodKind
    title: str
    title_en: str = ""


class VersionIn(Schema):
    edition: str
    effective_on: dt.date
    withdrawn_on: dt.date | None = None
    min_duration_minutes: int | None = None
    developed_by: int | None = None
    supersedes: int | None = None


class VersionUpdateIn(Schema):
    withdrawn_on: dt.date | None = None
    min_duration_minutes: int | None = None


class SupersedeIn(Schema):
    successor: int
    withdrawn_on: dt.date | None = None


class ValidationIn(Schema):
    use: MethodUse
    subject: str
    techniques: list[ValidationTechnique]
    result: str
    conclusion: ValidationConclusion
    validated_by: int
    validated_on: dt.date


class ApproveIn(Schema):
    approved_on: dt.date | None = None


class ReadingIn(Schema):
    condition: str
    value: Decimal
    unit: str
    at: dt.datetime | None = None


class ConditionsIn(Schema):
    readings: list[ReadingIn]


class BreachOut(Schema):
    condition: str
    kind: str
    value: Decimal | None
    zh: str
    en: str


class ConditionsOut(Schema):
    breaches: list[BreachOut]
    uncovered: list[str]


# --- methods ------------------------------------------------------------------------------------


@router.get("/", response=list[MethodOut], summary="Methods, with their editions")
@paginate(LimitOffsetPagination)
def list_methods(request, q: str = "", kind: str = "", status: str = "", on: dt.date | None = None):
    _read(request)
    if status and status not in dict(selectors.STATUS_FILTERS):
        raise ValidationError({"status": _("未知的状态“%(status)s”") % {"status": status}})
    qs = selectors.filter_methods(selectors.methods_for_list(), q=q, kind=kind, status=status,
                                  on=on or timezone.localdate())
    return qs.order_by("code")


@router.post("/", response={201: MethodDetailOut}, summary="Register a method")
def register_method(request, payload: MethodIn):
    _write(request)
    method = services.do_register_method(**payload.dict())
    return Status(201, _method_detail(method.pk))


def _method_detail(pk: int) -> Method:
    from django.db.models import Prefetch

    versions = selectors.versions_for_detail(with_method=False).order_by("-effective_on")
    return get_object_or_404(Method.objects.prefetch_related(Prefetch("versions", queryset=versions)), pk=pk)


@router.get("/versions", response=list[VersionBrief], summary="Method editions")
@paginate(LimitOffsetPagination)
def list_versions(request, q: str = "", kind: str = "", status: str = "", on: dt.date | None = None):
    _read(request)
    qs = MethodVersion.objects.select_related("method", "superseded_by__method")
    if q:
        from django.db.models import Q

        qs = qs.filter(Q(method__code__icontains=q) | Q(method__title__icontains=q) | Q(edition__icontains=q))
    if kind:
        qs = qs.filter(method__kind=kind)
    if status:
        if status not in dict(selectors.STATUS_FILTERS):
            raise ValidationError({"status": _("未知的状态“%(status)s”") % {"status": status}})
        qs = qs.filter(selectors.version_status_q(status, on or timezone.localdate()))
    return qs.order_by("method__code", "-effective_on")


@router.get("/versions/{version_id}", response=VersionOut, summary="One edition with its limits, fields, "
            "validations and warnings")
def get_version(request, version_id: int):
    _read(request)
    return get_object_or_404(selectors.versions_for_detail(), pk=version_id)


@router.patch("/versions/{version_id}", response=VersionOut, summary="Set the withdrawal date and minimum duration")
def update_version(request, version_id: int, payload: VersionUpdateIn):
    _write(request)
    version = get_object_or_404(MethodVersion, pk=version_id)
    data = payload.dict(exclude_unset=True)
    services.do_update_method_version(
        version, withdrawn_on=data.get("withdrawn_on", version.withdrawn_on),
        min_duration_minutes=data.get("min_duration_minutes", version.min_duration_minutes))
    return get_object_or_404(selectors.versions_for_detail(), pk=version_id)


@router.post("/versions/{version_id}/supersede", response=VersionOut, summary="Record the edition that replaces this one")
def supersede_version(request, version_id: int, payload: SupersedeIn):
    _write(request)
    version = get_object_or_404(MethodVersion, pk=version_id)
    successor = MethodVersion.objects.filter(pk=payload.successor).first()
    if successor is None:
        raise ValidationError({"successor": _("找不到该方法版本")})
    services.do_supersede_method_version(version, successor, withdrawn_on=payload.withdrawn_on)
    return get_object_or_404(selectors.versions_for_detail(), pk=version_id)


@router.put("/versions/{version_id}/environment-limits", response=list[LimitSchema],
            summary="Replace the edition's environmental limits")
def set_limits(request, version_id: int, payload: list[LimitSchema]):
    _write(request)
    version = get_object_or_404(MethodVersion, pk=version_id)
    services.do_set_environment_limits(version, [p.dict() for p in payload])
    return list(version.limits.order_by("condition", "name"))


@router.put("/versions/{version_id}/record-fields", response=list[RecordFieldSchema],
            summary="Replace the record fields the edition requires")
def set_record_fields(request, version_id: int, payload: list[RecordFieldSchema]):
    _write(request)
    version = get_object_or_404(MethodVersion, pk=version_id)
    services.do_set_record_fields(version, [p.dict() for p in payload])
    return list(version.record_fields.order_by("position", "id"))


@router.post("/versions/{version_id}/conditions-check", response=ConditionsOut,
             summary="Check logged conditions against the edition's environmental limits")
def conditions_check(request, version_id: int, payload: ConditionsIn):
    _read(request)
    version = get_object_or_404(MethodVersion.objects.prefetch_related("limits"), pk=version_id)
    limits = version.environment_limits()
    readings = [Reading(r.condition, r.value, r.unit, r.at) for r in payload.readings]
    breaches = [{"condition": b.condition, "kind": b.kind, "value": b.value, "zh": b.messages()[0],
                 "en": b.messages()[1]} for b in check_conditions(limits, readings)]
    return {"breaches": breaches, "uncovered": [lim.key for lim in uncovered(limits, readings)]}


@router.get("/validations", response=list[ValidationOut], summary="Method validation records")
@paginate(LimitOffsetPagination)
def list_validations(request, version: int | None = None, use: str = "", approved: bool | None = None, q: str = ""):
    _read(request)
    qs = MethodValidation.objects.select_related("version__method", "validated_by")
    if version:
        qs = qs.filter(version_id=version)
    if use:
        qs = qs.filter(use=use)
    if approved is not None:
        qs = qs.filter(approved_on__isnull=not approved)
    if q:
        from django.db.models import Q

        qs = qs.filter(Q(version__method__code__icontains=q) | Q(subject__icontains=q))
    return qs.order_by("-validated_on", "-id")


@router.get("/validations/{validation_id}", response=ValidationOut)
def get_validation(request, validation_id: int):
    _read(request)
    return get_object_or_404(MethodValidation.objects.select_related("version__method", "validated_by"),
                             pk=validation_id)


@router.post("/versions/{version_id}/validations", response={201: ValidationOut},
             summary="Record a method validation (PER-4 checks the validator)")
def record_validation(request, version_id: int, payload: ValidationIn):
    _write(request)
    version = get_object_or_404(MethodVersion.objects.select_related("method"), pk=version_id)
    data = payload.dict()
    data["validated_by"] = _person(data["validated_by"], "validated_by")
    return Status(201, services.do_record_validation(version, **data))


@router.post("/validations/{validation_id}/approve", response=ValidationOut,
             summary="Approve a validation as the signed-in technical director")
def approve_validation(request, validation_id: int, payload: ApproveIn):
    user = _write(request)
    validation = get_object_or_404(MethodValidation, pk=validation_id)
    approver = getattr(user, "person", None)
    if approver is None:
        raise ValidationError({"approved_by": _("登录账号未关联人员，不能批准")})
    return services.do_approve_validation(validation, approved_by=approver, approved_on=payload.approved_on)


@router.get("/{method_id}", response=MethodDetailOut, summary="One method with every edition")
def get_method(request, method_id: int):
    _read(request)
    return _method_detail(method_id)


@router.post("/{method_id}/versions", response={201: VersionOut}, summary="Add an edition")
def add_version(request, method_id: int, payload: VersionIn):
    _write(request)
    method = get_object_or_404(Method, pk=method_id)
    data = payload.dict()
    supersedes = None
    if data.pop("supersedes") is not None:
        supersedes = MethodVersion.objects.filter(pk=payload.supersedes).first()
        if supersedes is None:
            raise ValidationError({"supersedes": _("找不到该方法版本")})
    data["developed_by"] = _person(data["developed_by"], "developed_by")
    version = services.do_add_method_version(method, supersedes=supersedes, **data)
    return Status(201, get_object_or_404(selectors.versions_for_detail(), pk=version.pk))
