"""API endpoints of the org app, at /api/v1/org/: the agency, sites, rooms, qualification
certificates and scope items for staff (customers get 404, writes need the lab manager or the
technical director), and the public scope declaration without login."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from caltrace.core import roles
from caltrace.web.access import has_role

from . import selectors, services
from .choices import MetrologyField
from .models import Agency, QualificationCertificate, Room, ScopeItem, Site, format_decimal

router = Router(tags=["org"])

EDIT_ROLES = (roles.LAB_MANAGER, roles.TECHNICAL_DIRECTOR)


def _reader(request):
    """Staff read the org data; anyone else is told nothing exists (404)."""
    if not roles.is_staff_member(request.auth):
        raise Http404
    return request.auth


def _editor(request):
    user = _reader(request)
    if not has_role(user, EDIT_ROLES):
        raise PermissionDenied
    return user


def _today() -> dt.date:
    return timezone.localdate()


# --- output schemas ------------------------------------------------------------------------------


class AgencyOut(Schema):
    id: int
    name: str
    name_en: str
    credit_code: str
    legal_representative: str
    address: str
    phone: str


class SiteOut(Schema):
    id: int
    agency_id: int
    name: str
    name_en: str
    address: str
    address_en: str
    is_main: bool
    is_enclosed: bool
    tenure: str
    tenure_document_no: str
    tenure_valid_from: dt.date | None
    tenure_valid_until: dt.date | None
    tenure_in_date: bool

    @staticmethod
    def resolve_tenure_in_date(obj) -> bool:
        return obj.tenure_in_date(_today())


class RoomOut(Schema):
    id: int
    site_id: int
    code: str
    name: str
    building: str
    floor: str
    address: str
    keeps_standards: bool
    area_m2: str | None

    @staticmethod
    def resolve_address(obj) -> str:
        return obj.full_address

    @staticmethod
    def resolve_area_m2(obj):
        return None if obj.area_m2 is None else format_decimal(obj.area_m2)


class CertificateOut(Schema):
    id: int
    agency_id: int
    kind: str
    number: str
    issuer: str
    issuer_en: str
    valid_from: dt.date
    valid_until: dt.date
    revoked_on: dt.date | None
    replaces_id: int | None
    valid_today: bool

    @staticmethod
    def resolve_valid_today(obj) -> bool:
        return obj.is_valid_on(_today())


class MethodRef(Schema):
    id: int
    code: str
    title: str
    title_en: str


class SiteRef(Schema):
    id: int
    name: str
    name_en: str
    address: str
    address_en: str


def _dec(name):
    return staticmethod(lambda obj: format_decimal(getattr(obj, name)))


class ScopeItemOut(Schema):
    """Decimals are strings, exact as stored (no float rounding)."""

    id: int
    certificate_id: int
    certificate_number: str
    code: str
    field: str
    quantity: str
    quantity_en: str
    item_type: str
    item_type_en: str
    range_min: str
    range_max: str
    bipolar: bool
    unit: str
    range_text: str
    cmc_form: str
    cmc_a: str
    cmc_b: str
    cmc_k: str
    cmc_text: str
    cmc: str
    methods: list[MethodRef]
    sites: list[SiteRef]
    withdrawn_on: dt.date | None
    valid_today: bool

    resolve_range_min = _dec("range_min")
    resolve_range_max = _dec("range_max")
    resolve_cmc_a = _dec("cmc_a")
    resolve_cmc_b = _dec("cmc_b")
    resolve_cmc_k = _dec("cmc_k")

    @staticmethod
    def resolve_certificate_number(obj) -> str:
        return obj.certificate.number

    @staticmethod
    def resolve_cmc(obj) -> str:
        return obj.cmc_display

    @staticmethod
    def resolve_methods(obj):
        return list(obj.methods.all())

    @staticmethod
    def resolve_sites(obj):
        return list(obj.sites.all())

    @staticmethod
    def resolve_valid_today(obj) -> bool:
        return obj.is_valid_on(_today())


# --- input schemas -------------------------------------------------------------------------------


class AgencyPatch(Schema):
    name: str | None = None
    name_en: str | None = None
    credit_code: str | None = None
    legal_representative: str | None = None
    address: str | None = None
    phone: str | None = None


class SiteIn(Schema):
    agency_id: int | None = None  # default: the agency of this installation
    name: str
    name_en: str = ""
    address: str
    address_en: str = ""
    is_main: bool = False
    is_enclosed: bool = True
    tenure: str = "owned"
    tenure_document_no: str = ""
    tenure_valid_from: dt.date | None = None
    tenure_valid_until: dt.date | None = None


class SitePatch(Schema):
    name: str | None = None
    name_en: str | None = None
    address: str | None = None
    address_en: str | None = None
    is_main: bool | None = None
    is_enclosed: bool | None = None
    tenure: str | None = None
    tenure_document_no: str | None = None
    tenure_valid_from: dt.date | None = None
    tenure_valid_until: dt.date | None = None


class RoomIn(Schema):
    site_id: int
    code: str
    name: str
    building: str = ""
    floor: str = ""
    keeps_standards: bool = False
    area_m2: Decimal | None = None


class RoomPatch(Schema):
    code: str | None = None
    name: str | None = None
    building: str | None = None
    floor: str | None = None
    keeps_standards: bool | None = None
    area_m2: Decimal | None = None


class CertificateIn(Schema):
    agency_id: int | None = None  # default: the agency of this installation
    kind: str
    number: str
    issuer: str
    issuer_en: str = ""
    valid_from: dt.date
    valid_until: dt.date
    revoked_on: dt.date | None = None
    replaces_id: int | None = None


class CertificatePatch(Schema):
    kind: str | None = None
    number: str | None = None
    issuer: str | None = None
    issuer_en: str | None = None
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    revoked_on: dt.date | None = None
    replaces_id: int | None = None


class ScopeItemIn(Schema):
    """``methods``: method ids or codes ("JJF 1587"); ``sites``: site ids or names."""

    certificate_id: int
    code: str
    field: str
    quantity: str
    quantity_en: str = ""
    item_type: str
    item_type_en: str = ""
    range_min: Decimal
    range_max: Decimal
    bipolar: bool = False
    unit: str
    cmc_form: str
    cmc_a: Decimal = Decimal(0)
    cmc_b: Decimal = Decimal(0)
    cmc_k: Decimal = Decimal(2)
    cmc_text: str = ""
    methods: list[int | str]
    sites: list[int | str]
    withdrawn_on: dt.date | None = None


class ScopeItemPatch(Schema):
    code: str | None = None
    field: str | None = None
    quantity: str | None = None
    quantity_en: str | None = None
    item_type: str | None = None
    item_type_en: str | None = None
    range_min: Decimal | None = None
    range_max: Decimal | None = None
    bipolar: bool | None = None
    unit: str | None = None
    cmc_form: str | None = None
    cmc_a: Decimal | None = None
    cmc_b: Decimal | None = None
    cmc_k: Decimal | None = None
    cmc_text: str | None = None
    methods: list[int | str] | None = None
    sites: list[int | str] | None = None
    withdrawn_on: dt.date | None = None


def _agency(agency_id: int | None) -> Agency:
    agency = Agency.objects.filter(pk=agency_id).first() if agency_id else selectors.the_agency()
    if agency is None:
        raise ValidationError({"agency_id": _("找不到该机构")})
    return agency


def _certificate(cert_id: int | None, field: str = "certificate_id") -> QualificationCertificate | None:
    if cert_id is None:
        return None
    cert = QualificationCertificate.objects.select_related("agency").filter(pk=cert_id).first()
    if cert is None:
        raise ValidationError({field: _("找不到该资质证书")})
    return cert


def _methods(refs):
    from caltrace.methods.models import Method

    found, missing = [], []
    for ref in refs:
        m = Method.objects.filter(pk=ref).first() if isinstance(ref, int) else \
            Method.objects.filter(code__iexact=" ".join(str(ref).split())).first()
        (found if m else missing).append(m or ref)
    if missing:
        raise ValidationError({"methods": _("找不到方法：%(refs)s") % {"refs": ", ".join(map(str, missing))}})
    return found


def _sites(refs, agency: Agency):
    found, missing = [], []
    for ref in refs:
        qs = Site.objects.filter(agency=agency)
        s = qs.filter(pk=ref).first() if isinstance(ref, int) else qs.filter(name=str(ref).strip()).first()
        (found if s else missing).append(s or ref)
    if missing:
        raise ValidationError({"sites": _("持证机构没有这些场所：%(refs)s") % {"refs": ", ".join(map(str, missing))}})
    return found


# --- agency, sites, rooms --------------------------------------------------------------------------


@router.get("/agencies", response=list[AgencyOut], summary="The agency (legal entity, ENT-1)")
@paginate(LimitOffsetPagination)
def list_agencies(request):
    _reader(request)
    return Agency.objects.order_by("pk")


@router.get("/agencies/{agency_id}", response=AgencyOut)
def get_agency(request, agency_id: int):
    _reader(request)
    return get_object_or_404(Agency, pk=agency_id)


@router.patch("/agencies/{agency_id}", response=AgencyOut, summary="Change the agency's registration data")
def patch_agency(request, agency_id: int, payload: AgencyPatch):
    _editor(request)
    agency = get_object_or_404(Agency, pk=agency_id)
    return services.do_update_agency(agency, **payload.dict(exclude_unset=True))


@router.get("/sites", response=list[SiteOut], summary="Sites, with their tenure documents (SITE-1)")
@paginate(LimitOffsetPagination)
def list_sites(request, q: str | None = None, tenure: str | None = None, agency_id: int | None = None):
    _reader(request)
    qs = Site.objects.order_by("agency_id", "-is_main", "name")
    if q:
        qs = qs.filter(name__icontains=q) | qs.filter(address__icontains=q)
    if tenure:
        qs = qs.filter(tenure=tenure)
    if agency_id:
        qs = qs.filter(agency_id=agency_id)
    return qs


@router.get("/sites/{site_id}", response=SiteOut)
def get_site(request, site_id: int):
    _reader(request)
    return get_object_or_404(Site, pk=site_id)


@router.post("/sites", response={201: SiteOut}, summary="Add a site")
def create_site(request, payload: SiteIn):
    _editor(request)
    data = payload.dict()
    agency = _agency(data.pop("agency_id"))
    return Status(201, services.do_add_site(agency, **data))


@router.patch("/sites/{site_id}", response=SiteOut, summary="Change a site (e.g. a renewed lease)")
def patch_site(request, site_id: int, payload: SitePatch):
    _editor(request)
    site = get_object_or_404(Site, pk=site_id)
    return services.do_update_site(site, **payload.dict(exclude_unset=True))


@router.get("/rooms", response=list[RoomOut], summary="Rooms, with their address and whether standards are kept there")
@paginate(LimitOffsetPagination)
def list_rooms(request, q: str | None = None, site_id: int | None = None, keeps_standards: bool | None = None):
    _reader(request)
    qs = selectors.rooms().order_by("site_id", "code")
    if q:
        qs = qs.filter(code__icontains=q) | qs.filter(name__icontains=q)
    if site_id:
        qs = qs.filter(site_id=site_id)
    if keeps_standards is not None:
        qs = qs.filter(keeps_standards=keeps_standards)
    return qs


@router.get("/rooms/{room_id}", response=RoomOut)
def get_room(request, room_id: int):
    _reader(request)
    return get_object_or_404(selectors.rooms(), pk=room_id)


@router.post("/rooms", response={201: RoomOut}, summary="Add a room to a site")
def create_room(request, payload: RoomIn):
    _editor(request)
    data = payload.dict()
    site = Site.objects.select_related("agency").filter(pk=data.pop("site_id")).first()
    if site is None:
        raise ValidationError({"site_id": _("找不到该场所")})
    return Status(201, services.do_add_room(site, **data))


@router.patch("/rooms/{room_id}", response=RoomOut)
def patch_room(request, room_id: int, payload: RoomPatch):
    _editor(request)
    room = get_object_or_404(Room, pk=room_id)
    return services.do_update_room(room, **payload.dict(exclude_unset=True))


# --- certificates and scope items ------------------------------------------------------------------


@router.get("/certificates", response=list[CertificateOut], summary="Qualification certificates (QUAL-1)")
@paginate(LimitOffsetPagination)
def list_certificates(request, q: str | None = None, kind: str | None = None, valid_on: dt.date | None = None,
                      agency_id: int | None = None):
    _reader(request)
    qs = QualificationCertificate.objects.order_by("-valid_until", "number")
    if q:
        qs = qs.filter(number__icontains=q) | qs.filter(issuer__icontains=q)
    if kind:
        qs = qs.filter(kind=kind)
    if valid_on:
        qs = qs.filter(selectors.certificate_valid_q(valid_on))
    if agency_id:
        qs = qs.filter(agency_id=agency_id)
    return qs


@router.get("/certificates/{cert_id}", response=CertificateOut)
def get_certificate(request, cert_id: int):
    _reader(request)
    return get_object_or_404(QualificationCertificate, pk=cert_id)


@router.post("/certificates", response={201: CertificateOut}, summary="Register a qualification certificate")
def create_certificate(request, payload: CertificateIn):
    _editor(request)
    data = payload.dict()
    agency = _agency(data.pop("agency_id"))
    replaces = _certificate(data.pop("replaces_id"), "replaces_id")
    return Status(201, services.do_add_qualification_certificate(agency, replaces=replaces, **data))


@router.patch("/certificates/{cert_id}", response=CertificateOut,
              summary="Change a certificate (e.g. record a suspension or revocation)")
def patch_certificate(request, cert_id: int, payload: CertificatePatch):
    _editor(request)
    cert = get_object_or_404(QualificationCertificate, pk=cert_id)
    data = payload.dict(exclude_unset=True)
    if "replaces_id" in data:
        data["replaces"] = _certificate(data.pop("replaces_id"), "replaces_id")
    return services.do_update_qualification_certificate(cert, **data)


@router.get("/scope-items", response=list[ScopeItemOut],
            summary="Scope items of the certificates' annexes (filter by field, certificate, validity day, site, method)")
@paginate(LimitOffsetPagination)
def list_scope_items(request, q: str | None = None, field: str | None = None, certificate_id: int | None = None,
                     valid_on: dt.date | None = None, site_id: int | None = None, method_id: int | None = None):
    _reader(request)
    return selectors.filter_scope_items(selectors.scope_items(), field=field, certificate=certificate_id,
                                        valid_on=valid_on, site=site_id, method=method_id, q=q)


@router.get("/scope-items/{item_id}", response=ScopeItemOut)
def get_scope_item(request, item_id: int):
    _reader(request)
    return get_object_or_404(selectors.scope_items(), pk=item_id)


@router.post("/scope-items", response={201: ScopeItemOut}, summary="Add a scope item to a certificate's annex")
def create_scope_item(request, payload: ScopeItemIn):
    _editor(request)
    data = payload.dict()
    cert = _certificate(data.pop("certificate_id"))
    methods = _methods(data.pop("methods"))
    sites = _sites(data.pop("sites"), cert.agency)
    item = services.do_add_scope_item(cert, methods=methods, sites=sites, **data)
    return Status(201, selectors.scope_items().get(pk=item.pk))


@router.patch("/scope-items/{item_id}", response=ScopeItemOut,
              summary="Change a scope item (withdraw it from the annex with withdrawn_on)")
def patch_scope_item(request, item_id: int, payload: ScopeItemPatch):
    _editor(request)
    item = get_object_or_404(ScopeItem.objects.select_related("certificate__agency"), pk=item_id)
    data = payload.dict(exclude_unset=True)
    if "methods" in data:
        data["methods"] = _methods(data["methods"] or [])
    if "sites" in data:
        data["sites"] = _sites(data["sites"] or [], item.certificate.agency)
    services.do_update_scope_item(item, **data)
    return selectors.scope_items().get(pk=item.pk)


# --- the public declaration (QUAL-2) ----------------------------------------------------------------


class PublicMethod(Schema):
    code: str
    title: str
    title_en: str


class PublicSite(Schema):
    name: str
    name_en: str
    address: str
    address_en: str


class PublicItem(Schema):
    certificate_number: str
    code: str
    quantity: str
    quantity_en: str
    item_type: str
    item_type_en: str
    range_min: str
    range_max: str
    bipolar: bool
    unit: str
    range_text: str
    cmc: str
    methods: list[PublicMethod]
    sites: list[PublicSite]


class PublicField(Schema):
    field: str
    label_zh: str
    label_en: str
    items: list[PublicItem]


class PublicCertificate(Schema):
    kind: str
    number: str
    issuer: str
    issuer_en: str
    valid_from: dt.date
    valid_until: dt.date


class PublicAgency(Schema):
    name: str
    name_en: str
    credit_code: str
    address: str
    certificates: list[PublicCertificate]
    fields: list[PublicField]


class PublicScopeOut(Schema):
    on: dt.date
    agencies: list[PublicAgency]


def _label(field: str, language: str) -> str:
    with translation.override(language):
        return str(MetrologyField(field).label)


def _public_item(item: ScopeItem) -> dict:
    return {
        "certificate_number": item.certificate.number, "code": item.code, "quantity": item.quantity,
        "quantity_en": item.quantity_en, "item_type": item.item_type, "item_type_en": item.item_type_en,
        "range_min": format_decimal(item.range_min), "range_max": format_decimal(item.range_max),
        "bipolar": item.bipolar, "unit": item.unit, "range_text": item.range_text, "cmc": item.cmc_display,
        "methods": list(item.methods.all()), "sites": list(item.sites.all()),
    }


@router.get("/public-scope", auth=None, response=PublicScopeOut, url_name="org_public_scope",
            summary="The calibration capability declared publicly (QUAL-2): exactly the scope valid today (no login)")
def public_scope(request):
    today = _today()
    return {"on": today, "agencies": [{
        "name": s.agency.name, "name_en": s.agency.name_en, "credit_code": s.agency.credit_code,
        "address": s.agency.address, "certificates": s.certificates,
        "fields": [{"field": f.field, "label_zh": _label(f.field, "zh-hans"), "label_en": _label(f.field, "en"),
                    "items": [_public_item(i) for i in f.items]} for f in s.fields],
    } for s in selectors.public_scope(today)]}
