"""The public verification page of a certificate (证书验证, RPT-3): no login, reached by the random
token printed as the certificate's QR code, never by its number."""

from __future__ import annotations

import hashlib

from django import forms
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _

from .models import Certificate

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
