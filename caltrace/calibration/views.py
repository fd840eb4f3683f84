"""Pages of raw calibration records (原始记录) and the uncertainty evaluation report (REC-1).

Read-only: records are written by the calibration services (bench runs, typed readings, sign-off).
Staff who calibrate, check, sign or answer for results read them (``selectors.READERS``); other
staff get 403, customers 404 (``role_required``).
"""

from __future__ import annotations

from django import forms
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from caltrace.methods.choices import Condition
from caltrace.web.access import role_required

from . import charts, selectors
from .choices import RecordStatus
from .models import CalibrationRecord, Procedure

PAGE_SIZE = 50
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RecordFilterForm(forms.Form):
    """Search and filters of the records list."""

    q = forms.CharField(label=gettext_lazy("搜索"), required=False, max_length=100, widget=forms.TextInput(
        attrs={"type": "search", "placeholder": gettext_lazy("被校对象名称、型号或出厂编号")}))
    status = forms.ChoiceField(label=gettext_lazy("状态"), required=False,
                               choices=[("", gettext_lazy("全部状态"))] + RecordStatus.choices)
    procedure = forms.ModelChoiceField(label=gettext_lazy("校准程序"), required=False,
                                       queryset=Procedure.objects.order_by("code"),
                                       empty_label=gettext_lazy("全部程序"))
    started_from = forms.DateField(label=gettext_lazy("开始日期自"), required=False, widget=DATE)
    started_to = forms.DateField(label=gettext_lazy("开始日期至"), required=False, widget=DATE)
    site = forms.ModelChoiceField(label=gettext_lazy("场所"), required=False, queryset=None,
                                  empty_label=gettext_lazy("全部场所"))

    def __init__(self, *args, **kwargs):
        from caltrace.org.models import Site

        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = Site.objects.order_by("pk")

    def filter(self, qs):
        if not self.is_bound:
            return qs
        if not self.is_valid():
            return qs.none()
        d = self.cleaned_data
        return selectors.filter_records(qs, status=d["status"], procedure=d["procedure"].pk if d["procedure"] else None,
                                        started_from=d["started_from"], started_to=d["started_to"], q=d["q"],
                                        site=d["site"].pk if d["site"] else None)


def _paginate(request, qs):
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    page.elided_range = list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))
    return page


@role_required(*selectors.READERS)
def record_list(request):
    form = RecordFilterForm(request.GET or None)
    page = _paginate(request, form.filter(selectors.records()))
    for record in page.object_list:
        record.calibrator_name = selectors.calibrator_name(record)
    return render(request, "calibration/record_list.html", {"form": form, "page": page})


def _record(pk) -> CalibrationRecord:
    return get_object_or_404(selectors.record_detail_queryset(), pk=pk)


@role_required(*selectors.READERS)
def record_detail(request, pk):
    """The raw record as evidence: equipment with roles, record fields, every reading with its
    provenance and corrections, and, once signed off, the results with a chart of error ± U."""
    record = _record(pk)
    points = list(record.procedure.points.all())
    fields = selectors.field_rows(record)
    ctx = {
        "record": record,
        "calibrator": selectors.calibrator_name(record),
        "uses": selectors.equipment_uses(record),
        "fields": fields,
        "missing_fields": [f for f in fields if f["required"] and not f["filled"]],
        "groups": selectors.readings_by_point(points, selectors.readings(record)),
        "has_results": selectors.has_results(record),
        "results": selectors.result_rows(record),
        "chart": charts.error_chart(record.results) if selectors.has_results(record) else "",
    }
    return render(request, "calibration/record_detail.html", ctx)


def _report_context(record) -> dict:
    from caltrace.certificates.pdf import css_string, date_text

    started = timezone.localtime(record.started_at) if record.started_at else None
    finished = timezone.localtime(record.finished_at) if record.finished_at else None
    return {
        "record": record,
        "calibrator": selectors.calibrator_name(record),
        "started": started, "finished": finished,
        "started_text": date_text(started.date()) if started else "",
        "finished_text": date_text(finished.date()) if finished else "",
        "record_css": css_string(f"#{record.pk}"),
        "has_results": selectors.has_results(record),
        "points": selectors.uncertainty_points(record) if selectors.has_results(record) else [],
        "generated": timezone.localtime(),
    }


@role_required(*selectors.READERS)
def uncertainty_report(request, pk):
    """The uncertainty evaluation report (测量不确定度评定报告) as a printable page."""
    record = _record(pk)
    return render(request, "calibration/uncertainty_report.html", _report_context(record))


def _wants_json(request) -> bool:
    return request.accepts("application/json") and not request.accepts("text/html")


@role_required(*selectors.READERS)
def uncertainty_pdf(request, pk):
    """The same report as a PDF (WeasyPrint, Noto CJK embedded). A draft record has no budgets
    yet: 409 with the reason, as JSON or as a page."""
    record = _record(pk)
    ctx = _report_context(record)
    if not ctx["has_results"]:
        message = _("原始记录尚未签署，还没有校准结果和不确定度评定；签署后才能生成测量不确定度评定报告。")
        if _wants_json(request):
            return JsonResponse({"detail": message, "status": record.status}, status=409)
        return render(request, "calibration/uncertainty_report.html", {**ctx, "refused": message}, status=409)
    from weasyprint import HTML  # imported late: it loads Pango, which only this needs

    html = render_to_string("calibration/uncertainty_pdf.html", ctx, request=request)
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="uncertainty-record-{record.pk}.pdf"'
    return response


# --- jobs (检定/校准任务) ------------------------------------------------------------------------
#
# The work queue (我的工作), the job list, a job's page with its history, readings, safety checks
# and evidence and a form per open step, and the assignment page of an item. Every POST calls one
# service of ``caltrace.calibration.jobs``; a rule's refusal or a step in the wrong state raises
# and the web middleware answers the readable 409 page naming the rule ids; bad input shows the
# page again with the messages (400).

import json  # noqa: E402

from django.contrib import messages  # noqa: E402
from django.core.exceptions import ValidationError  # noqa: E402
from django.shortcuts import redirect  # noqa: E402
from django.utils.dateparse import parse_datetime  # noqa: E402
from django.views.decorators.http import require_POST  # noqa: E402

from . import jobs as job_services  # noqa: E402
from .choices import EquipmentRole  # noqa: E402
from .models import EvidenceKind, Job  # noqa: E402


@role_required(*job_services.JOB_READERS)
def job_queue(request):
    """我的工作: what waits for the signed-in person, by role."""
    return render(request, "calibration/job_queue.html", {"queue": job_services.work_queue(request.user)})


class JobFilterForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("状态"), required=False,
                               choices=[("", gettext_lazy("全部状态"))] + Job.workflow.choices())
    site = forms.ModelChoiceField(label=gettext_lazy("场所"), required=False, queryset=None,
                                  empty_label=gettext_lazy("全部场所"))

    def __init__(self, *args, **kwargs):
        from caltrace.org.models import Site

        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = Site.objects.order_by("pk")


@role_required(*job_services.JOB_READERS)
def job_list(request):
    """Jobs of every site together (QMS-3), the site and the state as filters."""
    form = JobFilterForm(request.GET or None)
    qs = Job.objects.for_list().order_by("-assigned_at", "-id")
    if form.is_bound and form.is_valid():
        if form.cleaned_data["status"]:
            qs = qs.filter(status=form.cleaned_data["status"])
        if form.cleaned_data["site"]:
            qs = qs.filter(order_item__order__site=form.cleaned_data["site"])
    return render(request, "calibration/job_list.html", {"form": form, "page": _paginate(request, qs)})


def _job_page(request, pk, *, errors=(), status=200):
    job = get_object_or_404(job_services.job_detail_queryset(), pk=pk)
    record = job.record
    person = job_services.person_of(request.user)
    ctx = {
        "job": job, "record": record, "errors": list(errors),
        "uses": list(job.equipment_uses.all()), "checks": list(job.safety_checks.all()),
        "evidence": list(job.evidence.all()), "evidence_kinds": EvidenceKind.choices,
        "condition_choices": [c for c in Condition.choices
                              if c[0] != "other"],
        "history": _job_history(job), "is_calibrator": person is not None and person.pk == job.calibrator_id,
        "person": person, "states": Job.workflow.states,
        "transitions": Job.workflow.available(job),
    }
    if record is not None:
        points = list(record.procedure.points.all())
        fields = selectors.field_rows(record)
        ctx.update({"groups": selectors.readings_by_point(points, selectors.readings(record)), "points": points,
                    "fields": fields, "missing_fields": [f for f in fields if f["required"] and not f["filled"]]})
    return render(request, "calibration/job_detail.html", ctx, status=status)


def _job_history(job):
    """The ledger entries of the job and its records, with the states named as people read them."""
    from django.utils.translation import get_language

    english = (get_language() or "").startswith("en")
    job_states = {code: (en if english else zh) for code, (zh, en) in Job.workflow.states.items()}
    labels = {"calibration.Job": job_states, "calibration.CalibrationRecord": dict(RecordStatus.choices)}
    what = {"calibration.Job": _("校准任务"), "calibration.CalibrationRecord": _("原始记录")}
    rows = []
    for e in job_services.job_history(job):
        after = json.loads(e.after) if e.after else {}
        before = json.loads(e.before) if e.before else {}
        names = labels.get(e.model, {})
        rows.append({"at": parse_datetime(e.at), "actor": e.actor, "action": e.action, "reason": e.reason,
                     "what": what.get(e.model, e.model.split(".")[-1]),
                     "before": names.get(before.get("status"), before.get("status")),
                     "after": names.get(after.get("status"), after.get("status"))})
    return rows


@role_required(*job_services.JOB_READERS)
def job_detail(request, pk):
    return _job_page(request, pk)


def _checks(post):
    items, passed, notes = post.getlist("item"), set(post.getlist("passed")), post.getlist("note")
    return [{"item": text, "passed": str(i) in passed, "note": notes[i] if i < len(notes) else ""}
            for i, text in enumerate(items) if text.strip()]


def _readings(job, post):
    points = {str(p.pk): p for p in job.procedure.points.all()}
    out = []
    for key, value in post.items():
        if key.startswith("point-") and value.strip():
            point = points.get(key.removeprefix("point-"))
            if point is None:
                raise ValidationError({"point": _("校准点不属于该任务的校准程序")})
            out.append((point, value.strip()))
    if not out:
        raise ValidationError({"value": _("请至少填写一个读数")})
    return out


def _conditions(post):
    at = post.get("at") or timezone.now().isoformat()
    return [{"condition": post.get("condition", ""), "value": post.get("value", ""), "unit": post.get("unit", ""),
             "at": at}]


def _fields(job, post):
    values = {}
    for f in job.record.procedure.method_version.record_fields.all():
        key = f"field-{f.name}"
        if key in post:
            values[f.name] = post[key]
    return values


@role_required(*job_services.JOB_READERS)
@require_POST
def job_action(request, pk, action):
    """One step of a job, as the signed-in person."""
    job = get_object_or_404(Job.objects.select_related("record__procedure"), pk=pk)
    user, post = request.user, request.POST
    steps = {
        "start": lambda: job_services.do_start_job(job, actor=user),
        "safety-check": lambda: job_services.do_record_safety_check(job, _checks(post), actor=user),
        "evidence": lambda: job_services.do_add_evidence(
            job, kind=post.get("kind", ""), content=request.FILES["file"].read() if "file" in request.FILES else b"",
            file_name=request.FILES["file"].name if "file" in request.FILES else "", note=post.get("note", ""),
            actor=user),
        "readings": lambda: [job_services.do_job_reading(job, p, v, p.unit, actor=user) for p, v in _readings(job, post)],
        "conditions": lambda: job_services.do_job_conditions(job, _conditions(post), actor=user),
        "fields": lambda: job_services.do_job_fields(job, _fields(job, post), actor=user),
        "run": lambda: job_services.do_job_run(job, actor=user),
        "sign-off": lambda: job_services.do_sign_off_job(job, actor=user),
        "review": lambda: job_services.do_review_job(job, reviewer=job_services.person_of(user), actor=user,
                                                     approve=post.get("approve", "1") == "1",
                                                     comment=post.get("comment", "")),
        "approve-issue": lambda: job_services.do_approve_and_issue(job, signatory=job_services.person_of(user),
                                                                   actor=user),
    }
    if action not in steps:
        raise Http404
    try:
        steps[action]()
    except ValidationError as exc:
        return _job_page(request, pk, errors=exc.messages, status=400)
    messages.success(request, _("已保存。"))
    return redirect("calibration:job_detail", pk=pk)


@role_required(*job_services.ASSIGNERS)
def job_assign(request, item_pk):
    """Assign an item: only the people and equipment the rules allow are offered; the others are
    listed with the rule ids that refuse them (DIG-3)."""
    from caltrace.equipment.models import Equipment
    from caltrace.orders.models import OrderItem
    from caltrace.people.models import Person

    item = get_object_or_404(OrderItem.objects.select_related("order__customer", "scope_item", "method_version")
                             .prefetch_related("deviations"), pk=item_pk)
    procedures = list(Procedure.objects.filter(method_version=item.method_version_id).order_by("code")) \
        if item.method_version_id else []
    procedure = next((p for p in procedures if str(p.pk) == request.POST.get("procedure", request.GET.get(
        "procedure", ""))), procedures[0] if procedures else None)
    on = timezone.localdate()
    people, refused_people = job_services.eligible_calibrators(item, on=on) if procedure else ([], [])
    eqs, refused_eqs = job_services.eligible_equipment(item, procedure, on=on) if procedure else ([], [])
    errors = []
    if request.method == "POST" and procedure is not None:
        try:
            calibrator = get_object_or_404(Person, pk=request.POST.get("calibrator") or 0)
            chosen = Equipment.objects.filter(pk__in=request.POST.getlist("equipment"))
            equipment = [(eq, request.POST.get(f"role-{eq.pk}") or EquipmentRole.AUXILIARY) for eq in chosen]
            job = job_services.do_assign_job(item, procedure=procedure, calibrator=calibrator, equipment=equipment,
                                             actor=request.user)
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, _("已分派。"))
            return redirect("calibration:job_detail", pk=job.pk)
    return render(request, "calibration/job_assign.html", {
        "item": item, "procedures": procedures, "procedure": procedure, "people": people,
        "refused_people": refused_people, "equipment": eqs, "refused_equipment": refused_eqs,
        "roles": EquipmentRole.choices, "errors": errors}, status=400 if errors else 200)
