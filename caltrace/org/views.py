"""Pages of the org app: the agency, sites, rooms, qualification certificates and scope items for
staff, and the public scope declaration (QUAL-2) for everyone. Each view checks access with one
helper, reads through selectors, and writes through one service."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from caltrace.core import imports, roles
from caltrace.web.access import has_role, role_required

from . import selectors, services
from .choices import STATUS_BADGES
from .forms import (
    AgencyForm,
    CertificateFilterForm,
    CertificateForm,
    ImportForm,
    RoomFilterForm,
    RoomForm,
    ScopeItemFilterForm,
    ScopeItemForm,
    SiteFilterForm,
    SiteForm,
    attach_errors,
)
from .models import QualificationCertificate, Room, ScopeItem, Site

PAGE_SIZE = 25
# Everyone on the staff reads the agency's data; the lab manager and the technical director keep it.
VIEW_ROLES = roles.STAFF_ROLES
EDIT_ROLES = (roles.LAB_MANAGER, roles.TECHNICAL_DIRECTOR)

view_required = role_required(*VIEW_ROLES)
edit_required = role_required(*EDIT_ROLES)


def paginate(request, qs):
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    page.elided_range = list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))
    return page


def _soon_days() -> int:
    from django.conf import settings

    return settings.CALTRACE.get("DUE_SOON_DAYS", 30)


def _context(request, **ctx):
    today = timezone.localdate()
    return {"can_edit": has_role(request.user, EDIT_ROLES), "today": today, "soon_days": _soon_days(),
            "badges": STATUS_BADGES, **ctx}


def _form_page(request, form, template, *, service, redirect_to, success, status=200, **ctx):
    """Show ``form``; on a valid POST call ``service(cleaned_data)`` and redirect, or show its errors."""
    if request.method == "POST" and form.is_valid():
        try:
            obj = service(form.cleaned_data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, success(obj))
            return redirect(redirect_to(obj))
    if request.method == "POST":
        status = 400
    return render(request, template, _context(request, form=form, **ctx), status=status)


def _only(data: dict, *names) -> dict:
    return {k: v for k, v in data.items() if k in names}


# --- agency ----------------------------------------------------------------------------------------


@view_required
def agency_detail(request):
    """The agency as a legal entity (ENT-1), its sites and certificates at a glance."""
    agency = selectors.the_agency()
    if agency is None:
        return render(request, "org/agency_detail.html", _context(request, agency=None))
    sites = list(selectors.sites().filter(agency=agency).order_by("-is_main", "name"))
    certs = list(selectors.certificates().filter(agency=agency).order_by("-valid_until"))
    today = timezone.localdate()
    for site in sites:
        site.status = site.tenure_status(today, _soon_days())
    for cert in certs:
        cert.status = cert.status_on(today, _soon_days())
    return render(request, "org/agency_detail.html", _context(request, agency=agency, sites=sites, certificates=certs))


@edit_required
@require_http_methods(["GET", "POST"])
def agency_edit(request):
    """Register the agency (when none is) or change its data."""
    agency = selectors.the_agency()
    form = AgencyForm(request.POST or None, instance=agency)
    fields = ("name", "name_en", "credit_code", "legal_representative", "address", "phone")

    def save(data):
        if agency is None:
            return services.do_register_agency(**_only(data, *fields))
        return services.do_update_agency(agency, **_only(data, *fields))

    return _form_page(request, form, "org/form.html", service=save, redirect_to=lambda a: "org:agency",
                      success=lambda a: _("已保存机构信息。"), title=_("机构信息"), back="org:agency")


# --- sites ---------------------------------------------------------------------------------------


@view_required
def site_list(request):
    form = SiteFilterForm(request.GET or None)
    page = paginate(request, form.filter(selectors.sites().order_by("agency_id", "-is_main", "name")))
    today = timezone.localdate()
    for site in page.object_list:
        site.status = site.tenure_status(today, _soon_days())
    return render(request, "org/site_list.html", _context(request, form=form, page=page))


@view_required
def site_detail(request, pk):
    site = get_object_or_404(selectors.sites(), pk=pk)
    site.status = site.tenure_status(timezone.localdate(), _soon_days())
    rooms = list(site.rooms.order_by("code"))
    items = list(selectors.valid_scope_items(timezone.localdate()).filter(sites=site))
    return render(request, "org/site_detail.html", _context(request, site=site, rooms=rooms, items=items))


SITE_FIELDS = ("name", "name_en", "address", "address_en", "is_main", "is_enclosed", "tenure",
               "tenure_document_no", "tenure_valid_from", "tenure_valid_until")


@edit_required
@require_http_methods(["GET", "POST"])
def site_create(request):
    form = SiteForm(request.POST or None)
    return _form_page(
        request, form, "org/form.html",
        service=lambda d: services.do_add_site(d["agency"], **_only(d, *SITE_FIELDS)),
        redirect_to=lambda s: _url("site", s),
        success=lambda s: _("已添加场所“%(name)s”。") % {"name": s.name}, title=_("添加场所"), back="org:site_list")


@edit_required
@require_http_methods(["GET", "POST"])
def site_edit(request, pk):
    site = get_object_or_404(Site, pk=pk)
    form = SiteForm(request.POST or None, instance=site)
    return _form_page(
        request, form, "org/form.html",
        service=lambda d: services.do_update_site(site, **_only(d, *SITE_FIELDS)),
        redirect_to=lambda s: _url("site", s), success=lambda s: _("已保存场所“%(name)s”。") % {"name": s.name},
        title=_("修改场所：%(name)s") % {"name": site.name}, back="org:site_list")


# --- rooms ---------------------------------------------------------------------------------------


@view_required
def room_list(request):
    form = RoomFilterForm(request.GET or None)
    page = paginate(request, form.filter(selectors.rooms().order_by("site__name", "code")))
    return render(request, "org/room_list.html", _context(request, form=form, page=page))


@view_required
def room_detail(request, pk):
    room = get_object_or_404(selectors.rooms(), pk=pk)
    equipment = getattr(room, "equipment", None)
    kept = list(equipment.order_by("asset_no")[:50]) if equipment is not None else []
    return render(request, "org/room_detail.html", _context(request, room=room, equipment=kept))


ROOM_FIELDS = ("code", "name", "building", "floor", "keeps_standards", "area_m2")


@edit_required
@require_http_methods(["GET", "POST"])
def room_create(request):
    form = RoomForm(request.POST or None, initial={"site": request.GET.get("site")})
    return _form_page(
        request, form, "org/form.html",
        service=lambda d: services.do_add_room(d["site"], **_only(d, *ROOM_FIELDS)),
        redirect_to=lambda r: _url("room", r), success=lambda r: _("已添加房间 %(code)s。") % {"code": r.code},
        title=_("添加房间"), back="org:room_list")


@edit_required
@require_http_methods(["GET", "POST"])
def room_edit(request, pk):
    room = get_object_or_404(Room, pk=pk)
    form = RoomForm(request.POST or None, instance=room)
    return _form_page(
        request, form, "org/form.html",
        service=lambda d: services.do_update_room(room, **_only(d, *ROOM_FIELDS)),
        redirect_to=lambda r: _url("room", r), success=lambda r: _("已保存房间 %(code)s。") % {"code": r.code},
        title=_("修改房间：%(code)s") % {"code": room.code}, back="org:room_list")


# --- qualification certificates ----------------------------------------------------------------


@view_required
def certificate_list(request):
    form = CertificateFilterForm(request.GET or None)
    page = paginate(request, form.filter(selectors.certificates().order_by("-valid_until", "number")))
    today = timezone.localdate()
    for cert in page.object_list:
        cert.status = cert.status_on(today, _soon_days())
    return render(request, "org/certificate_list.html", _context(request, form=form, page=page))


@view_required
def certificate_detail(request, pk):
    cert = get_object_or_404(selectors.certificates(), pk=pk)
    today = timezone.localdate()
    cert.status = cert.status_on(today, _soon_days())
    items = list(selectors.scope_items().filter(certificate=cert).order_by("code"))
    for item in items:
        item.valid_today = item.is_valid_on(today)
    replaced_by = QualificationCertificate.objects.filter(replaces=cert).first()
    return render(request, "org/certificate_detail.html",
                  _context(request, cert=cert, items=items, replaced_by=replaced_by))


CERT_FIELDS = ("kind", "number", "issuer", "issuer_en", "valid_from", "valid_until", "revoked_on", "replaces")


@edit_required
@require_http_methods(["GET", "POST"])
def certificate_create(request):
    form = CertificateForm(request.POST or None)
    return _form_page(
        request, form, "org/form.html",
        service=lambda d: services.do_add_qualification_certificate(d["agency"], **_only(d, *CERT_FIELDS)),
        redirect_to=lambda c: _url("certificate", c),
        success=lambda c: _("已登记资质证书 %(number)s。") % {"number": c.number},
        title=_("登记资质证书"), back="org:certificate_list")


@edit_required
@require_http_methods(["GET", "POST"])
def certificate_edit(request, pk):
    cert = get_object_or_404(QualificationCertificate, pk=pk)
    form = CertificateForm(request.POST or None, instance=cert)
    return _form_page(
        request, form, "org/form.html",
        service=lambda d: services.do_update_qualification_certificate(cert, **_only(d, *CERT_FIELDS)),
        redirect_to=lambda c: _url("certificate", c),
        success=lambda c: _("已保存资质证书 %(number)s。") % {"number": c.number},
        title=_("修改资质证书：%(number)s") % {"number": cert.number}, back="org:certificate_list")


# --- scope items -----------------------------------------------------------------------------------


@view_required
def scope_item_list(request):
    form = ScopeItemFilterForm(request.GET or None)
    page = paginate(request, form.filter(selectors.scope_items()))
    today = timezone.localdate()
    for item in page.object_list:
        item.valid_today = item.is_valid_on(today)
    return render(request, "org/scope_item_list.html", _context(request, form=form, page=page))


@view_required
def scope_item_detail(request, pk):
    item = get_object_or_404(selectors.scope_items(), pk=pk)
    item.valid_today = item.is_valid_on(timezone.localdate())
    return render(request, "org/scope_item_detail.html", _context(request, item=item))


ITEM_FIELDS = ("code", "field", "quantity", "quantity_en", "item_type", "item_type_en", "range_min", "range_max",
               "bipolar", "unit", "cmc_form", "cmc_a", "cmc_b", "cmc_k", "cmc_text", "withdrawn_on")


def _item_values(data: dict) -> dict:
    values = _only(data, *ITEM_FIELDS)
    for name, default in (("cmc_a", 0), ("cmc_b", 0), ("cmc_k", 2)):
        if values.get(name) is None:
            values[name] = Decimal(default)
    return values


@edit_required
@require_http_methods(["GET", "POST"])
def scope_item_create(request):
    form = ScopeItemForm(request.POST or None, initial={"certificate": request.GET.get("certificate")})
    return _form_page(
        request, form, "org/form.html",
        service=lambda d: services.do_add_scope_item(d["certificate"], methods=d["methods"], sites=d["sites"],
                                                     **_item_values(d)),
        redirect_to=lambda i: _url("scope_item", i),
        success=lambda i: _("已添加能力范围条目 %(code)s。") % {"code": i.code},
        title=_("添加能力范围条目"), back="org:scope_item_list")


@edit_required
@require_http_methods(["GET", "POST"])
def scope_item_edit(request, pk):
    item = get_object_or_404(ScopeItem.objects.select_related("certificate"), pk=pk)
    form = ScopeItemForm(request.POST or None, instance=item)
    return _form_page(
        request, form, "org/form.html",
        service=lambda d: services.do_update_scope_item(item, methods=d["methods"], sites=d["sites"],
                                                        **_item_values(d)),
        redirect_to=lambda i: _url("scope_item", i),
        success=lambda i: _("已保存能力范围条目 %(code)s。") % {"code": i.code},
        title=_("修改能力范围条目：%(code)s") % {"code": item.code}, back="org:scope_item_list")


@view_required
def scope_export(request):
    """The scope list as CSV or Excel, in the columns the import reads (filters of the list apply)."""
    fmt = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    spec = imports.specs()["scope"]
    form = ScopeItemFilterForm(request.GET or None)
    qs = form.filter(selectors.scope_items().order_by("certificate__number", "code"))
    language = "en" if (request.LANGUAGE_CODE or "").startswith("en") else "zh"
    data = imports.export_rows(spec, fmt=fmt, queryset=qs, language=language)
    content_type = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" if fmt == "xlsx"
                    else "text/csv; charset=utf-8")
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="scope-{timezone.localdate().isoformat()}.{fmt}"'
    return response


@edit_required
@require_http_methods(["GET", "POST"])
def scope_import(request):
    """Check a spreadsheet of scope items, and import it when every row is clean (all or nothing)."""
    form = ImportForm(request.POST or None, request.FILES or None)
    report, status = None, 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                report = imports.run_import(imports.specs()["scope"], upload.read(), upload.name,
                                            dry_run=not form.cleaned_data["commit"])
            except imports.ImportFileError as exc:
                form.add_error("file", str(exc))
            else:
                status = 200 if report.ok else 400
                if report.ok and not report.dry_run:
                    messages.success(request, _("已导入 %(n)d 个能力范围条目。") % {"n": report.imported})
                    return redirect("org:scope_item_list")
    spec = imports.specs()["scope"]
    return render(request, "org/scope_import.html", _context(request, form=form, report=report, spec=spec),
                  status=status)


# --- the public declaration (QUAL-2) ----------------------------------------------------------------


def public_scope(request):
    """The calibration capability the agency declares publicly: exactly the scope valid today.
    No login; Chinese by default, English through the language switch."""
    if request.method not in ("GET", "HEAD"):
        raise Http404
    today = timezone.localdate()
    return render(request, "org/public_scope.html", {"today": today, "agencies": selectors.public_scope(today)})


def _url(kind: str, obj) -> str:
    return reverse(f"org:{kind}_detail", args=[obj.pk])

