"""Bringing data in and out (数据导入导出): one page for every registered spreadsheet list.

Upload a file and it is checked (a dry run): every bad row is listed with its row number, column
and reason, and nothing is imported. A clean file can then be imported as it was checked: the
checked upload is kept under the data directory and referred to by a random token, so what is
imported is byte for byte what was checked.
"""

import secrets
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from caltrace.core import imports

from .access import has_role, refuse

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("文件（.csv 或 .xlsx）"))

    def clean_file(self):
        f = self.cleaned_data["file"]
        if not f.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("只支持 .csv 和 .xlsx 文件"))
        if f.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("文件不能超过 %(mb)d MB") % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)})
        return f


def _upload_dir() -> Path:
    d = Path(settings.DATA_DIR) / "uploads" / "imports"
    d.mkdir(parents=True, exist_ok=True)
    return d


def _allowed_specs(user):
    return {name: spec for name, spec in imports.specs().items() if has_role(user, spec.roles)}


def _spec_or_refuse(request, name):
    spec = _allowed_specs(request.user).get(name)
    if spec is None:
        if name in imports.specs():
            refuse(request.user)
        raise Http404
    return spec


@login_required
def data_index(request):
    specs = _allowed_specs(request.user)
    if not specs:
        refuse(request.user)
    return render(request, "web/data/index.html", {"specs": specs.values(), "form": UploadForm()})


@login_required
def data_export(request, name, fmt):
    spec = _spec_or_refuse(request, name)
    if fmt not in ("csv", "xlsx"):
        raise Http404
    language = "en" if (get_language() or "").startswith("en") else "zh"
    data = imports.export_rows(spec, fmt=fmt, language=language)
    content_type = ("text/csv; charset=utf-8" if fmt == "csv"
                    else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    resp = HttpResponse(data, content_type=content_type)
    resp["Content-Disposition"] = f'attachment; filename="{spec.name}.{fmt}"'
    return resp


@login_required
def data_template(request, name):
    """An empty file with the list's column headers, to fill in."""
    spec = _spec_or_refuse(request, name)
    data = imports.export_rows(spec, fmt="csv", queryset=_Empty(),
                               language="en" if (get_language() or "").startswith("en") else "zh")
    resp = HttpResponse(data, content_type="text/csv; charset=utf-8")
    resp["Content-Disposition"] = f'attachment; filename="{spec.name}-template.csv"'
    return resp


class _Empty:
    def iterator(self, chunk_size=None):
        return iter(())


@login_required
@require_POST
def data_check(request, name):
    spec = _spec_or_refuse(request, name)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "web/data/index.html",
                      {"specs": _allowed_specs(request.user).values(), "form": form, "failed_spec": spec.name},
                      status=400)
    upload = form.cleaned_data["file"]
    data = upload.read()
    try:
        report = imports.run_import(spec, data, upload.name, dry_run=True)
    except imports.ImportFileError as exc:
        form.add_error("file", str(exc))
        return render(request, "web/data/index.html",
                      {"specs": _allowed_specs(request.user).values(), "form": form, "failed_spec": spec.name},
                      status=400)
    token = ""
    if report.ok and report.rows:
        token = secrets.token_urlsafe(24)
        suffix = ".xlsx" if upload.name.lower().endswith(".xlsx") else ".csv"
        (_upload_dir() / f"{token}{suffix}").write_bytes(data)
    return render(request, "web/data/report.html",
                  {"spec": spec, "report": report, "token": token, "filename": upload.name})


@login_required
@require_POST
def data_commit(request, name):
    spec = _spec_or_refuse(request, name)
    token = request.POST.get("token", "")
    if not token or not token.replace("-", "").replace("_", "").isalnum():
        raise Http404
    matches = [p for p in (_upload_dir() / f"{token}.csv", _upload_dir() / f"{token}.xlsx") if p.exists()]
    if not matches:
        messages.error(request, _("找不到已检查的文件，请重新上传。"))
        return redirect("web:data_index")
    path = matches[0]
    report = imports.run_import(spec, path.read_bytes(), path.name, dry_run=False)
    path.unlink(missing_ok=True)
    if report.ok:
        messages.success(request, _("已导入 %(n)d 行到“%(list)s”。") % {
            "n": report.imported, "list": spec.title_en if (get_language() or "").startswith("en") else spec.title_zh})
        return redirect("web:data_index")
    # The data changed between check and import: show what is wrong now, nothing was imported.
    return render(request, "web/data/report.html", {"spec": spec, "report": report, "token": "",
                                                    "filename": path.name}, status=409)
