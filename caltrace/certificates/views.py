"""Pages of issued certificates.

The public verification page (证书验证, RPT-3) needs no login and is reached by the random token
printed as the certificate's QR code, never by its number. The list, detail and download pages
are for signed-in staff and customer accounts.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from caltrace.core import roles
from caltrace.web.access import role_required

from . import selectors, services
from .forms import CertificateFilterForm, WithdrawForm
from .models import Certificate, CertificateStatus

MAX_UPLOAD = 30 * 1024 * 1024


class UploadForm(forms.Form):
    pdf = forms.FileField(label=_("证书 PDF 文件"))

    def clean_pdf(self):
        f = self.cleaned_data["pdf"]
        if f.size > MAX_UPLOAD:
            raise forms.ValidationError(_("文件过大"))
        return f


def compare_upload(cert: Certificate, data: bytes) -> dict:
    """Whether ``data`` is exactly the PDF issued as ``cert``: same SHA-256 and an intact signature."""
    from .signing import verify_pdf

    digest = hashlib.sha256(data).hexdigest()
    result = verify_pdf(data)
    return {"sha256": digest, "same_hash": digest == cert.sha256, "intact": result.intact,
            "problems": result.problems, "matches": digest == cert.sha256 and result.intact}


def verify(request, token):
    cert = get_object_or_404(Certificate.objects.select_related("replaces"), verify_token=token)
    comparison = None
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            comparison = compare_upload(cert, form.cleaned_data["pdf"].read())
    else:
        form = UploadForm()
    doc = cert.document
    context = {
        "cert": cert,
        "state": cert.effective_status,
        "replacement": cert.replacement,
        "item": doc.get("item") or {},
        "customer": doc.get("customer") or {},
        "laboratory": doc.get("laboratory") or {},
        "signatory": doc.get("signatory", ""),
        "issued_on": doc.get("issued_on", ""),
        "amendment": doc.get("amendment"),
        "form": form,
        "comparison": comparison,
    }
    return render(request, "certificates/verify.html", context, status=400 if request.method == "POST"
                  and not form.is_valid() else 200)


# --- staff and customer pages -------------------------------------------------------------------
# Staff see every certificate; a customer account only its own organisation's (any other answers
# 404, as if it did not exist). Reads go through the selectors; the withdrawal through the service.

READERS = roles.STAFF_ROLES + (roles.CUSTOMER,)
PAGE_SIZE = 50


def _paginate(request, qs):
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    page.elided_range = list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))
    return page


def _visible_or_404(request, number: str) -> Certificate:
    try:
        return selectors.get_visible(request.user, number)
    except Certificate.DoesNotExist:
        raise Http404 from None


@role_required(*READERS)
def certificate_list(request):
    form = CertificateFilterForm(request.GET or None, user=request.user)
    page = _paginate(request, form.filter(selectors.visible_certificates(request.user)))
    return render(request, "certificates/list.html", {"form": form, "page": page})


@role_required(*READERS)
def certificate_detail(request, number):
    cert = _visible_or_404(request, number)
    return _detail_page(request, cert, None)


def _detail_page(request, cert, form, *, status=200):
    doc = cert.document
    can_withdraw = selectors.can_withdraw(request.user) and cert.status == CertificateStatus.ISSUED
    if can_withdraw and form is None:
        form = WithdrawForm()
    ctx = {
        "cert": cert,
        "state": cert.state,
        "chain": selectors.amendment_chain(cert, request.user),
        "item": doc.get("item") or {},
        "customer": doc.get("customer") or {},
        "laboratory": doc.get("laboratory") or {},
        "methods": doc.get("methods") or [],
        "results": doc.get("results") or [],
        "conformity": doc.get("conformity"),
        "doc": doc,
        "verify_path": reverse("certificates:verify", args=[cert.verify_token]),
        "form": form if can_withdraw else None,
    }
    return render(request, "certificates/detail.html", ctx, status=status)


@role_required(*selectors.WITHDRAW_ROLES)
@require_POST
def certificate_withdraw(request, number):
    cert = _visible_or_404(request, number)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, cert, form, status=400)
    try:
        services.do_withdraw_certificate(cert, reason=form.cleaned_data["reason"], actor=request.user)
    except services.CertificateError:  # withdrawn meanwhile (a stale page): say so on the current page
        messages.error(request, gettext("证书 %(no)s 已撤回，不能再次撤回。") % {"no": cert.number})
        return _detail_page(request, _visible_or_404(request, number), None, status=409)
    messages.success(request, gettext("证书 %(no)s 已撤回。") % {"no": cert.number})
    return redirect("certificates:detail", number=cert.number)


def _download(request, number, *, kind):
    cert = _visible_or_404(request, number)
    path = Path(cert.pdf_path if kind == "pdf" else cert.dcc_path)
    if not path.is_file():
        raise Http404
    suffix, content_type = ("pdf", "application/pdf") if kind == "pdf" else ("xml", "application/xml")
    return FileResponse(path.open("rb"), as_attachment=True, filename=f"{cert.number}.{suffix}",
                        content_type=content_type)


@role_required(*READERS)
def certificate_pdf(request, number):
    return _download(request, number, kind="pdf")


@role_required(*READERS)
def certificate_dcc(request, number):
    return _download(request, number, kind="dcc")
