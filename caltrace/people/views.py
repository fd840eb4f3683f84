"""People pages: staff, their qualifications, training and authorizations, and what each may do.

Each view checks access with ``role_required``, reads through selectors, and writes through one
service. A refused grant shows the form again with the violated requirement ids (409).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from caltrace.core import imports
from caltrace.integrity.registry import RuleViolation
from caltrace.web.access import role_required

from . import selectors, services
from .access import READ_ROLES, WRITE_ROLES, can_write
from .forms import (
    AuthorizationFilterForm,
    AuthorizationForm,
    PersonFilterForm,
    PersonForm,
    ProtectiveEquipmentForm,
    QualificationFilterForm,
    QualificationForm,
    RevokeForm,
    TrainingFilterForm,
    TrainingForm,
    apply_errors,
)
from .models import Authorization, Person, Qualification, Training

PAGE_SIZE = 25
EXPORTS = ("staff", "qualifications", "authorizations")


def paginate(request, qs, per_page=PAGE_SIZE):
    page = Paginator(qs, per_page).get_page(request.GET.get("page"))
    page.elided_range = list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))
    return page


def _today():
    return timezone.localdate()


def _form_page(request, form, *, title, person=None, back=None, status=200, **extra):
    ctx = {"form": form, "title": title, "person": person, "back": back, **extra}
    return render(request, "people/form.html", ctx, status=status)


# --- staff --------------------------------------------------------------------------------------


@role_required(*READ_ROLES)
def person_list(request):
    today = _today()
    form = PersonFilterForm(request.GET or None, today=today)
    page = paginate(request, form.filter(selectors.people_with_status(today).order_by("staff_no")))
    for person in page.object_list:
        person.integrity = selectors.integrity_training_status(person, today)
    ctx = {"form": form, "page": page, "today": today, "can_write": can_write(request.user),
           "coverage": selectors.role_coverage(today), "exports": EXPORTS}
    return render(request, "people/person_list.html", ctx)


@role_required(*READ_ROLES)
def person_detail(request, pk):
    today = _today()
    person = get_object_or_404(Person.objects.select_related("site", "user"), pk=pk)
    permissions = selectors.permissions_on(person, today)
    flags = {(v.rule_id, v.zh): v for p in permissions for v in p.flags}
    ctx = {
        "person": person, "today": today, "can_write": can_write(request.user),
        "qualifications": list(person.qualifications.order_by("kind", "-valid_from")),
        "authorizations": list(person.authorizations.select_related("granted_by")
                               .prefetch_related("scope_items__certificate", "methods")
                               .order_by("-valid_from", "kind")),
        "attendances": list(person.training_attendances.select_related("training__trainer")
                            .order_by("-training__held_on")),
        "protective_equipment": list(person.protective_equipment.all()),
        "permissions": permissions,
        "flags": list(flags.values()),
        "integrity": selectors.integrity_training_status(person, today),
        "integrity_months": selectors.integrity_training_months(),
        "age": person.age_on(today),
        "experience": person.calibration_years_on(today),
        "employed": person.employed_on(today),
    }
    return render(request, "people/person_detail.html", ctx)


@role_required(*WRITE_ROLES)
def person_create(request):
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.do_register_person(**form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已登记人员 %(name)s。") % {"name": person.name})
            return redirect("people:person_detail", pk=person.pk)
    return _form_page(request, form, title=_("登记人员"), status=400 if form.errors else 200)


@role_required(*WRITE_ROLES)
def person_edit(request, pk):
    person = get_object_or_404(Person, pk=pk)
    form = PersonForm(request.POST or None, instance=Person.objects.get(pk=pk), editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.do_update_person(person, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已保存 %(name)s 的信息。") % {"name": person.name})
            return redirect("people:person_detail", pk=person.pk)
    return _form_page(request, form, title=_("修改人员信息"), person=person, status=400 if form.errors else 200)


@role_required(*WRITE_ROLES)
def qualification_create(request, pk):
    person = get_object_or_404(Person, pk=pk)
    form = QualificationForm(request.POST or None, instance=Qualification(person=person))
    if request.method == "POST" and form.is_valid():
        try:
            services.do_record_qualification(person, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已登记 %(name)s 的资格。") % {"name": person.name})
            return redirect("people:person_detail", pk=person.pk)
    return _form_page(request, form, title=_("登记人员资格"), person=person, status=400 if form.errors else 200)


@role_required(*WRITE_ROLES)
def protective_equipment_create(request, pk):
    person = get_object_or_404(Person, pk=pk)
    form = ProtectiveEquipmentForm(request.POST or None, initial={"issued_on": _today()})
    form.instance.person = person
    if request.method == "POST" and form.is_valid():
        try:
            services.do_issue_protective_equipment(person, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已登记防护用品发放。"))
            return redirect("people:person_detail", pk=person.pk)
    return _form_page(request, form, title=_("登记防护用品发放"), person=person, status=400 if form.errors else 200)


# --- authorizations -----------------------------------------------------------------------------


@role_required(*WRITE_ROLES)
def authorization_create(request, pk):
    """Grant an authorization; when the person does not qualify, the form comes back with the ids."""
    person = get_object_or_404(Person, pk=pk)
    form = AuthorizationForm(request.POST or None, initial={"valid_from": _today()})
    violations, status = [], 200
    if request.method == "POST" and form.is_valid():
        try:
            auth = services.do_grant_authorization(person, actor=request.user, **form.cleaned_data)
        except RuleViolation as exc:
            violations, status = exc.violations, 409
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已授予 %(name)s“%(kind)s”授权。") % {
                "name": person.name, "kind": auth.get_kind_display()})
            return redirect("people:person_detail", pk=person.pk)
    if form.errors:
        status = 400
    return _form_page(request, form, title=_("授予授权"), person=person, status=status, violations=violations)


@role_required(*WRITE_ROLES)
def authorization_revoke(request, pk):
    auth = get_object_or_404(Authorization.objects.select_related("person"), pk=pk)
    form = RevokeForm(request.POST or None, initial={"revoked_on": _today()})
    if request.method == "POST" and form.is_valid():
        try:
            services.do_revoke_authorization(auth, revoked_on=form.cleaned_data["revoked_on"],
                                             reason=form.cleaned_data["reason"], actor=request.user)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已撤销 %(name)s 的“%(kind)s”授权。") % {
                "name": auth.person.name, "kind": auth.get_kind_display()})
            return redirect("people:person_detail", pk=auth.person_id)
    return _form_page(request, form, title=_("撤销授权"), person=auth.person, authorization=auth,
                      status=400 if form.errors else 200)


@role_required(*READ_ROLES)
def authorization_list(request):
    today = _today()
    form = AuthorizationFilterForm(request.GET or None, today=today)
    qs = (Authorization.objects.select_related("person")
          .prefetch_related("scope_items__certificate", "methods").order_by("person__staff_no", "kind", "-valid_from"))
    page = paginate(request, form.filter(qs))
    return render(request, "people/authorization_list.html", {"form": form, "page": page, "today": today})


@role_required(*READ_ROLES)
def qualification_list(request):
    today = _today()
    form = QualificationFilterForm(request.GET or None, today=today)
    qs = Qualification.objects.select_related("person").order_by("valid_until", "person__staff_no", "id")
    page = paginate(request, form.filter(qs))
    return render(request, "people/qualification_list.html", {"form": form, "page": page, "today": today})


# --- training -----------------------------------------------------------------------------------


@role_required(*READ_ROLES)
def training_list(request):
    form = TrainingFilterForm(request.GET or None)
    qs = Training.objects.select_related("trainer").prefetch_related("attendances__person").order_by("-held_on", "-id")
    page = paginate(request, form.filter(qs))
    return render(request, "people/training_list.html", {"form": form, "page": page,
                                                         "can_write": can_write(request.user)})


@role_required(*READ_ROLES)
def training_detail(request, pk):
    training = get_object_or_404(Training.objects.select_related("trainer"), pk=pk)
    attendances = list(training.attendances.select_related("person").order_by("person__staff_no"))
    return render(request, "people/training_detail.html", {"training": training, "attendances": attendances})


@role_required(*WRITE_ROLES)
def training_create(request):
    initial = {"held_on": _today()}
    attendee = request.GET.get("attendee")
    if attendee and attendee.isdigit():
        initial["attendees"] = Person.objects.filter(pk=int(attendee))
    form = TrainingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            training = services.do_record_training(**form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已登记培训“%(topic)s”。") % {"topic": training.topic})
            return redirect("people:training_detail", pk=training.pk)
    return _form_page(request, form, title=_("登记培训"), back="people:training_list",
                      status=400 if form.errors else 200)


# --- export -------------------------------------------------------------------------------------


@role_required(*READ_ROLES)
def export(request, name, fmt):
    """A list as CSV or Excel, in the columns its import reads."""
    if name not in EXPORTS or fmt not in ("csv", "xlsx"):
        raise Http404
    spec = imports.specs()[name]
    data = imports.export_rows(spec, fmt=fmt, language=request.LANGUAGE_CODE)
    content_type = ("text/csv; charset=utf-8" if fmt == "csv"
                    else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}-{_today().isoformat()}.{fmt}"'
    return response

