"""Pages of the equipment registry. Staff read; the equipment manager writes; customers get 404.

Each view checks access with ``role_required``, reads through the selectors and writes through
one service; a service's refusal comes back onto the form as field errors.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from caltrace.core import imports as spreadsheets
from caltrace.core import roles
from caltrace.web.access import role_required

from . import metrology, selectors, services
from .choices import RECORDED_KINDS, EquipmentKind
from .forms import (
    CheckForm,
    ConfirmationForm,
    EquipmentFilterForm,
    EquipmentForm,
    RangeForm,
    ResultFormSet,
    ServiceEventForm,
    StandardCertificateForm,
    TraceabilityFilterForm,
    TraceabilityForm,
    VerificationForm,
    apply_errors,
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
    Verification,
)

READERS = roles.STAFF_ROLES
MANAGERS = (roles.EQUIPMENT_MANAGER,)
PAGE_SIZE = 25


def _paginate(request, qs):
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    page.elided_range = list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))
    return page


def _own_person(request):
    return getattr(request.user, "person", None)  # a user without a staff record has none


def _attempt(form, action):
    """Run a service; on a ValidationError, put it on the form and return None."""
    try:
        with transaction.atomic():
            return action()
    except ValidationError as exc:
        apply_errors(form, exc)
        return None


def _form_page(request, equipment, form, title, *, status=200, intro=""):
    return render(request, "equipment/form.html", {"equipment": equipment, "form": form, "title": title,
                                                   "intro": intro}, status=status)


# --- the register -----------------------------------------------------------------------------


@role_required(*READERS)
def equipment_list(request):
    form = EquipmentFilterForm(request.GET or None)
    qs = form.filter(selectors.with_status(Equipment.objects.select_related("home_room__site"))).order_by("asset_no")
    page = _paginate(request, qs)
    return render(request, "equipment/list.html", {"form": form, "page": page,
                                                   "can_manage": selectors.can_manage(request.user),
                                                   "export_query": request.GET.urlencode()})


@role_required(*READERS)
def equipment_export(request):
    """The filtered list as CSV or Excel, in the import's columns."""
    fmt = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    form = EquipmentFilterForm(request.GET or None)
    qs = form.filter(selectors.with_status(Equipment.objects.select_related("home_room__site"))).order_by("asset_no")
    spec = spreadsheets.specs()["equipment"]
    language = "en" if (request.LANGUAGE_CODE or "").startswith("en") else "zh"
    data = spreadsheets.export_rows(spec, fmt=fmt, queryset=qs, language=language)
    content_type = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" if fmt == "xlsx"
                    else "text/csv; charset=utf-8")
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="equipment-{timezone.localdate().isoformat()}.{fmt}"'
    return response


@role_required(*READERS)
def equipment_detail(request, pk):
    """The life-cycle page: the register data, characteristics, status, and the history as a timeline."""
    equipment = get_object_or_404(selectors.with_status(Equipment.objects.select_related("home_room__site")), pk=pk)
    entries, hidden_usage = selectors.timeline(equipment)
    ctx = {
        "equipment": equipment,
        "ranges": list(equipment.ranges.all()),
        "standard_certificate": selectors.latest_standard_certificate(equipment),
        "time_left": selectors.time_left(equipment),
        "next_check": selectors.next_check_due(equipment),
        "timeline": entries,
        "hidden_usage": hidden_usage,
        "can_manage": selectors.can_manage(request.user),
        "has_records": equipment.kind in RECORDED_KINDS,
        "is_standard": equipment.kind == EquipmentKind.MEASUREMENT_STANDARD,
        "today": timezone.localdate(),
    }
    return render(request, "equipment/detail.html", ctx)


@role_required(*MANAGERS)
def equipment_create(request):
    form = EquipmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        eq = _attempt(form, lambda: services.do_register_equipment(**form.cleaned_data))
        if eq is not None:
            messages.success(request, _("设备 %(eq)s 已登记。") % {"eq": eq})
            return redirect("equipment:detail", pk=eq.pk)
    return _form_page(request, None, form, _("登记设备"), status=400 if form.errors else 200)


@role_required(*MANAGERS)
def equipment_edit(request, pk):
    equipment = get_object_or_404(Equipment, pk=pk)
    form = EquipmentForm(request.POST or None, instance=Equipment.objects.get(pk=pk))
    if request.method == "POST" and form.is_valid():
        eq = _attempt(form, lambda: services.do_update_equipment(equipment, **form.cleaned_data))
        if eq is not None:
            messages.success(request, _("设备 %(eq)s 的登记信息已更新。") % {"eq": eq})
            return redirect("equipment:detail", pk=pk)
    return _form_page(request, equipment, form, _("修改登记信息"), status=400 if form.errors else 200)


@role_required(*MANAGERS)
def range_create(request, pk):
    equipment = get_object_or_404(Equipment, pk=pk)
    form = RangeForm(request.POST or None, instance=EquipmentRange(equipment=equipment))
    if request.method == "POST" and form.is_valid():
        if _attempt(form, lambda: services.do_add_range(equipment, **form.cleaned_data)) is not None:
            messages.success(request, _("测量范围已添加。"))
            return redirect("equipment:detail", pk=pk)
    return _form_page(request, equipment, form, _("添加测量范围"), status=400 if form.errors else 200,
                      intro=_("准确度按 a + b·|x| 填写：a 与测量范围同单位，b 为相对系数。CND-7 据此判断测量范围和准确度是否满足校准要求。"))


@role_required(*MANAGERS)
@require_POST
def range_delete(request, pk, range_pk):
    rng = get_object_or_404(EquipmentRange, pk=range_pk, equipment_id=pk)
    services.do_remove_range(rng)
    messages.success(request, _("测量范围 %(range)s 已删除。") % {"range": rng})
    return redirect("equipment:detail", pk=pk)


@role_required(*MANAGERS)
def certificate_create(request, pk):
    equipment = get_object_or_404(Equipment, pk=pk)
    form = StandardCertificateForm(request.POST or None, instance=StandardCertificate(equipment=equipment))
    if request.method == "POST" and form.is_valid():
        if _attempt(form, lambda: services.do_add_standard_certificate(equipment, **form.cleaned_data)):
            messages.success(request, _("计量标准考核证书已登记。"))
            return redirect("equipment:detail", pk=pk)
    return _form_page(request, equipment, form, _("登记计量标准考核证书"), status=400 if form.errors else 200)


# --- traceability -----------------------------------------------------------------------------


@role_required(*READERS)
def traceability_list(request):
    form = TraceabilityFilterForm(request.GET or None)
    qs = form.filter(selectors.records_with_state().select_related("equipment")).order_by("-performed_on", "-id")
    return render(request, "equipment/traceability_list.html", {"form": form, "page": _paginate(request, qs)})


@role_required(*MANAGERS)
def traceability_create(request, pk):
    """A new traceability record, or with ``?corrects=<id>`` a correction of one (append-only)."""
    equipment = get_object_or_404(Equipment, pk=pk)
    corrects = None
    if request.GET.get("corrects"):
        corrects = get_object_or_404(TraceabilityRecord, pk=request.GET["corrects"], equipment=equipment)
    initial = {}
    if corrects is not None:
        initial = {f: getattr(corrects, f) for f in ("kind", "certificate_no", "provider",
                                                       "provider_accreditation_no", "performed_on", "due_on",
                                                       "conclusion")}
    form = TraceabilityForm(request.POST or None, initial=initial,
                            instance=TraceabilityRecord(equipment=equipment, corrects=corrects))
    results = ResultFormSet(request.POST or None, queryset=TraceabilityResult.objects.none(), prefix="results")
    if request.method == "POST":
        form_ok, results_ok = form.is_valid(), results.is_valid()
        if form_ok and results_ok:
            rows = [f.cleaned_data for f in results.forms if f.has_changed() and f.cleaned_data]
            record = _attempt(form, lambda: services.do_record_traceability(
                equipment, results=rows, corrects=corrects, **form.cleaned_data))
            if record is not None:
                messages.success(request, _("溯源记录 %(no)s 已登记，请进行计量确认。") % {"no": record.certificate_no}
                                 if equipment.kind not in (EquipmentKind.REFERENCE_MATERIAL,)
                                 else _("标准物质证书 %(no)s 已登记。") % {"no": record.certificate_no})
                return redirect("equipment:record_detail", pk=record.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "equipment/traceability_form.html", {
        "equipment": equipment, "form": form, "results": results, "corrects": corrects}, status=status)


@role_required(*READERS)
def record_detail(request, pk):
    record = get_object_or_404(selectors.records_with_state().select_related("equipment", "corrects"), pk=pk)
    return _record_page(request, record, None)


@role_required(*MANAGERS)
def record_confirm(request, pk):
    record = get_object_or_404(selectors.records_with_state().select_related("equipment", "corrects"), pk=pk)
    form = ConfirmationForm(request.POST or None, instance=MetrologicalConfirmation(record=record))
    if request.method == "POST" and form.is_valid():
        if _attempt(form, lambda: services.do_confirm(record, **form.cleaned_data)) is not None:
            messages.success(request, _("计量确认已登记。"))
            return redirect("equipment:record_detail", pk=pk)
        return _record_page(request, record, form, status=400)
    if request.method == "POST":
        return _record_page(request, record, form, status=400)
    return redirect("equipment:record_detail", pk=pk)


def _record_page(request, record, form, status=200):
    equipment = record.equipment
    results = list(record.results.all())
    can_manage = selectors.can_manage(request.user)
    confirmable = (can_manage and equipment.kind in RECORDED_KINDS and not record.is_corrected)
    if form is None and confirmable:
        form = ConfirmationForm(initial={"confirmed_on": timezone.localdate(), "performed_by": _own_person(request)})
    ctx = {
        "record": record, "equipment": equipment, "results": results,
        "assessment": metrology.assess(results, equipment.ranges.all()) if results else [],
        "confirmations": list(record.confirmations.select_related("performed_by")),
        "correction": TraceabilityRecord.objects.filter(corrects=record).first(),
        "form": form if confirmable else None, "can_manage": can_manage,
    }
    return render(request, "equipment/record_detail.html", ctx, status=status)


# --- checks, verification, service --------------------------------------------------------------


def _history_form(request, pk, form_class, model, service, title, done, *, intro=""):
    equipment = get_object_or_404(Equipment, pk=pk)
    initial = {"performed_by": _own_person(request)}
    date_field = "on" if model is ServiceEvent else "performed_on"
    initial[date_field] = timezone.localdate()
    form = form_class(request.POST or None, initial=initial, instance=model(equipment=equipment))
    if request.method == "POST" and form.is_valid():
        if _attempt(form, lambda: service(equipment, **form.cleaned_data)) is not None:
            messages.success(request, done)
            return redirect("equipment:detail", pk=pk)
    return _form_page(request, equipment, form, title, status=400 if form.errors else 200, intro=intro)


@role_required(*MANAGERS)
def check_create(request, pk):
    return _history_form(request, pk, CheckForm, IntermediateCheck, services.do_record_check, _("登记期间核查"),
                         _("期间核查已登记。"), intro=_("核查不合格时，设备自核查日起停用，须经重新投入使用前验证合格后才能恢复使用。"))


@role_required(*MANAGERS)
def verification_create(request, pk):
    return _history_form(request, pk, VerificationForm, Verification, services.do_record_verification,
                         _("登记使用前验证"), _("验证已登记。"))


@role_required(*MANAGERS)
def service_create(request, pk):
    return _history_form(request, pk, ServiceEventForm, ServiceEvent, services.do_take_out_of_service,
                         _("登记停用、送修或报废"), _("停用或维修记录已登记。"),
                         intro=_("设备停用或送修后，须登记合格的重新投入使用前验证才能恢复使用。"))
