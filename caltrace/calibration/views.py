"""Pages of raw calibration records (原始记录) and the uncertainty evaluation report (REC-1).

Read-only: records are written by the calibration services (bench runs, typed readings, sign-off).
Staff who calibrate, check, sign or answer for results read them (``selectors.READERS``); other
staff get 403, customers 404 (``role_required``).
"""

from __future__ import annotations

from django import forms
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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

    def filter(self, qs):
        if not self.is_bound:
            return qs
        if not self.is_valid():
            return qs.none()
        d = self.cleaned_data
        return selectors.filter_records(qs, status=d["status"], procedure=d["procedure"].pk if d["procedure"] else None,
                                        started_from=d["started_from"], started_to=d["started_to"], q=d["q"])


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
