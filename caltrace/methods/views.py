"""Pages of the method registry. Staff read; the technical director writes; customers get 404.
Each view checks access with one decorator, reads through selectors and writes through one
service; a refused write (RuleViolation) becomes the shell's refusal page."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from caltrace.core import imports, roles
from caltrace.web.access import role_required

from . import selectors, services
from .forms import (
    ApproveForm,
    ImportForm,
    LimitFormSet,
    MethodFilterForm,
    MethodForm,
    MethodTitleForm,
    RecordFieldFormSet,
    ValidationFilterForm,
    ValidationForm,
    VersionEditForm,
    VersionForm,
    apply_errors,
    apply_row_errors,
    rows_of,
)
from .imports import METHODS as METHODS_SPEC
from .models import Method, MethodValidation, MethodVersion

PAGE_SIZE = 25
readers = role_required(*roles.STAFF_ROLES)
writers = role_required(*selectors.WRITER_ROLES)


def _page(request, qs):
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    page.elided_range = list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))
    return page


def _version(pk) -> MethodVersion:
    return get_object_or_404(MethodVersion.objects.select_related("method", "superseded_by__method"), pk=pk)


# --- methods ------------------------------------------------------------------------------------


@readers
def method_list(request):
    form = MethodFilterForm(request.GET or None)
    day = form.day()
    page = _page(request, form.filter(selectors.methods_for_list()).order_by("code", "id"))
    rows = []
    for method in page.object_list:
        versions = list(method.versions.all())
        current = [v for v in versions if v.is_current_on(day)]
        shown = max(current, key=lambda v: v.effective_on) if current else (versions[0] if versions else None)
        rows.append({"method": method, "version": shown, "count": len(versions),
                     "badge": selectors.badge_for(shown, day) if shown else None})
    return render(request, "methods/method_list.html", {
        "form": form, "page": page, "rows": rows, "day": day, "can_write": selectors.can_write(request.user)})


@writers
def method_create(request):
    form = MethodForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            method = services.do_register_method(**form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已登记方法 %(code)s。请继续登记它的版本。") % {"code": method.code})
            return redirect("methods:version_create", pk=method.pk)
    return render(request, "methods/form.html", {"form": form, "title": _("登记方法"),
                                                 "back": reverse("methods:method_list")},
                  status=400 if form.errors else 200)


@readers
def method_detail(request, pk):
    versions = selectors.versions_for_detail(with_method=False).order_by("-effective_on")
    method = get_object_or_404(Method.objects.prefetch_related(Prefetch("versions", queryset=versions)), pk=pk)
    day = timezone.localdate()
    items, siblings = [], list(method.versions.all())
    for v in siblings:
        items.append({"version": v, "badge": selectors.badge_for(v, day),
                      "warnings": selectors.warnings_for(v, day, siblings=siblings),
                      "limits": [(row, row.as_limit()) for row in v.limits.all()]})
    current = [i for i in items if i["version"].is_current_on(day)]
    return render(request, "methods/method_detail.html", {
        "method": method, "items": items, "day": day, "timeline": selectors.timeline(method.versions.all(), day),
        "open_pk": current[0]["version"].pk if current else (items[0]["version"].pk if items else None),
        "can_write": selectors.can_write(request.user)})


@writers
def method_edit(request, pk):
    method = get_object_or_404(Method, pk=pk)
    form = MethodTitleForm(request.POST or None, initial={"title": method.title, "title_en": method.title_en})
    if request.method == "POST" and form.is_valid():
        try:
            services.do_update_method(method, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect("methods:method_detail", pk=method.pk)
    return render(request, "methods/form.html", {"form": form, "title": _("修改方法名称"), "subject": method,
                                                 "back": reverse("methods:method_detail", args=[method.pk])},
                  status=400 if form.errors else 200)


@readers
def method_export(request):
    fmt = request.GET.get("fmt", "csv")
    if fmt not in ("csv", "xlsx"):
        raise Http404
    data = imports.export_rows(METHODS_SPEC, fmt=fmt, language=request.LANGUAGE_CODE)
    content_type = ("text/csv; charset=utf-8" if fmt == "csv"
                    else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="methods.{fmt}"'
    return response


@writers
def method_import(request):
    """Check a file (nothing is written), then import it: all rows or none."""
    form = ImportForm(request.POST or None, request.FILES or None)
    report = error = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        commit = "commit" in request.POST
        try:
            report = imports.run_import(METHODS_SPEC, upload.read(), upload.name, dry_run=not commit)
        except imports.ImportFileError as exc:
            error = str(exc)
        else:
            if commit and report.ok:
                messages.success(request, _("已导入 %(n)d 行。") % {"n": report.imported})
                return redirect("methods:method_list")
    columns = [(c.header_zh, c.header_en, c.required) for c in METHODS_SPEC.columns]
    return render(request, "methods/import.html", {"form": form, "report": report, "error": error,
                                                   "columns": columns},
                  status=400 if (form.errors or error or (report and not report.ok)) else 200)


# --- versions -----------------------------------------------------------------------------------


@writers
def version_create(request, pk):
    method = get_object_or_404(Method, pk=pk)
    form = VersionForm(request.POST or None, method=method)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.do_add_method_version(method, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已登记版本 %(d)s。") % {"d": version.designation})
            return redirect("methods:method_detail", pk=method.pk)
    return render(request, "methods/form.html", {"form": form, "title": _("登记版本"), "subject": method,
                                                 "back": reverse("methods:method_detail", args=[method.pk])},
                  status=400 if form.errors else 200)


@writers
def version_edit(request, pk):
    version = _version(pk)
    form = VersionEditForm(request.POST or None, version=version, initial={
        "withdrawn_on": version.withdrawn_on, "min_duration_minutes": version.min_duration_minutes,
        "superseded_by": version.superseded_by_id})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        successor = d["superseded_by"] if not form.fields["superseded_by"].disabled else None
        try:
            services.do_update_method_version(version, withdrawn_on=d["withdrawn_on"],
                                              min_duration_minutes=d["min_duration_minutes"], superseded_by=successor)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已保存 %(d)s。") % {"d": version.designation})
            return redirect("methods:method_detail", pk=version.method_id)
    return render(request, "methods/form.html", {"form": form, "title": _("修改版本"), "subject": version,
                                                 "back": reverse("methods:method_detail", args=[version.method_id])},
                  status=400 if form.errors else 200)


def _formset_page(request, version, *, formset_class, prefix, initial, service, title, template):
    formset = formset_class(request.POST or None, initial=initial, prefix=prefix)
    if request.method == "POST" and formset.is_valid():
        rows = rows_of(formset)
        try:
            changed = service(version, [data for _i, data in rows])
        except ValidationError as exc:
            apply_row_errors(formset, rows, exc, prefix)
        else:
            if changed:
                messages.success(request, _("已保存 %(d)s 的%(what)s。") % {"d": version.designation, "what": title})
            return redirect("methods:method_detail", pk=version.method_id)
    failed = request.method == "POST"
    return render(request, template, {"formset": formset, "version": version, "title": title},
                  status=400 if failed else 200)


@writers
def version_limits(request, pk):
    version = _version(pk)
    initial = [{"condition": r.condition, "name": r.name, "minimum": r.minimum, "maximum": r.maximum, "unit": r.unit,
                "max_variation": r.max_variation, "variation_minutes": r.variation_minutes, "text": r.text}
               for r in version.limits.order_by("condition", "name")]
    return _formset_page(request, version, formset_class=LimitFormSet, prefix="limits", initial=initial,
                         service=services.do_set_environment_limits, title=_("环境条件要求"),
                         template="methods/limits_form.html")


@writers
def version_fields(request, pk):
    version = _version(pk)
    initial = [{"name": f.name, "label_zh": f.label_zh, "label_en": f.label_en, "field_type": f.field_type,
                "unit": f.unit, "options": "|".join(f.options), "required": f.required}
               for f in version.record_fields.order_by("position", "id")]
    return _formset_page(request, version, formset_class=RecordFieldFormSet, prefix="fields", initial=initial,
                         service=services.do_set_record_fields, title=_("记录字段"),
                         template="methods/fields_form.html")


# --- validations --------------------------------------------------------------------------------


@readers
def validation_list(request):
    form = ValidationFilterForm(request.GET or None)
    qs = MethodValidation.objects.select_related("version__method", "validated_by", "approved_by")
    page = _page(request, form.filter(qs).order_by("-validated_on", "-id"))
    return render(request, "methods/validation_list.html", {"form": form, "page": page})


@readers
def validation_detail(request, pk):
    validation = get_object_or_404(
        MethodValidation.objects.select_related("version__method", "validated_by", "approved_by"), pk=pk)
    return render(request, "methods/validation_detail.html", {
        "validation": validation, "form": ApproveForm(), "can_write": selectors.can_write(request.user),
        "today": timezone.localdate()})


@writers
def validation_create(request, pk):
    version = _version(pk)
    form = ValidationForm(request.POST or None, version=version)
    if request.method == "POST" and form.is_valid():
        try:
            validation = services.do_record_validation(version, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已登记 %(d)s 的方法确认记录，待批准。") % {"d": version.designation})
            return redirect("methods:validation_detail", pk=validation.pk)
    return render(request, "methods/form.html", {"form": form, "title": _("登记方法确认"), "subject": version,
                                                 "back": reverse("methods:method_detail", args=[version.method_id])},
                  status=400 if form.errors else 200)


@writers
@require_POST
def validation_approve(request, pk):
    validation = get_object_or_404(MethodValidation.objects.select_related("version__method"), pk=pk)
    form = ApproveForm(request.POST)
    approver = getattr(request.user, "person", None)
    if form.is_valid():
        if approver is None:
            form.add_error(None, _("您的登录账号未关联人员档案，不能批准方法确认记录。"))
        else:
            try:
                services.do_approve_validation(validation, approved_by=approver,
                                               approved_on=form.cleaned_data["approved_on"])
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("已批准 %(d)s 的方法确认记录。") % {"d": validation.version.designation})
                return redirect("methods:validation_detail", pk=validation.pk)
    return render(request, "methods/validation_detail.html", {
        "validation": validation, "form": form, "can_write": True, "today": timezone.localdate()}, status=400)
