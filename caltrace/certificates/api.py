"""API endpoints of issued certificates, at /api/v1/certificates/ (RPT-3).

Staff read every certificate; a customer account only its own organisation's (any other answers
404); anyone else gets 404. Certificates are never changed: the only write is the withdrawal,
``POST /{number}/withdraw`` by quality staff, with the reason (422 naming ``reason`` when empty,
403 for another role, 409 when the certificate is already withdrawn).
"""

import datetime as dt
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from ninja import Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import field_validator

from . import selectors, services
from .models import Certificate

router = Router(tags=["certificates"])


class CustomerRef(Schema):
    id: int
    name: str


class CertificateBase(Schema):
    number: str
    status: str  # "issued" | "amended" | "withdrawn"
    item: str
    customer: CustomerRef | None
    issued_on: str
    issued_at: dt.datetime
    sha256: str


class CertificateOut(CertificateBase):
    """One row of the list, read from a certificate annotated by ``selectors.with_state``."""

    @staticmethod
    def resolve_status(obj) -> str:
        return obj.state

    @staticmethod
    def resolve_item(obj) -> str:
        return obj.item_text

    @staticmethod
    def resolve_customer(obj):
        return obj.customer if obj.customer_id else None


class ResultOut(Schema):
    quantity: str
    unit: str
    reference_value: str
    indication: str
    error: str | None = None
    expanded_uncertainty: str
    coverage_factor: str
    coverage_probability: str | None = None


class MethodOut(Schema):
    designation: str
    title: str


class LinkOut(Schema):
    number: str
    reason: str


class CertificateDetailOut(CertificateBase):
    customer_name: str
    item_name: str
    item_model: str
    item_identification: str
    item_serial_no: str
    received_on: str | None
    calibrated_on: str | None
    methods: list[MethodOut]
    results: list[ResultOut]
    signatory: str
    withdrawal_reason: str
    replaces: LinkOut | None
    replaced_by: list[LinkOut]
    verify_url: str
    pdf_url: str
    dcc_url: str


class WithdrawIn(Schema):
    reason: str

    @field_validator("reason")
    @classmethod
    def reason_given(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("a withdrawal needs a reason")
        return value.strip()


class ErrorOut(Schema):
    detail: str


def _reader(request):
    if not selectors.can_read(request.auth):
        raise Http404
    return request.auth


def _certificate(request, number: str) -> Certificate:
    try:
        return selectors.get_visible(_reader(request), number)
    except Certificate.DoesNotExist:
        raise Http404 from None


def _summary(cert: Certificate) -> dict:
    return {
        "number": cert.number,
        "status": cert.state,
        "item": cert.item_text,
        "customer": {"id": cert.customer.pk, "name": cert.customer.name} if cert.customer_id else None,
        "issued_on": cert.issued_on,
        "issued_at": cert.issued_at,
        "sha256": cert.sha256,
    }


def _detail(request, cert: Certificate) -> dict:
    doc = cert.document
    item = doc.get("item") or {}
    base = f"/api/v1/certificates/{cert.number}"
    replaced_by = selectors.visible_certificates(request.auth).filter(replaces=cert).order_by("issued_at", "pk")
    return {
        **_summary(cert),
        "customer_name": (doc.get("customer") or {}).get("name", ""),
        "item_name": item.get("name", ""),
        "item_model": item.get("model", ""),
        "item_identification": item.get("identification", ""),
        "item_serial_no": item.get("serial_no", ""),
        "received_on": doc.get("received_on"),
        "calibrated_on": doc.get("calibrated_on"),
        "methods": doc.get("methods") or [],
        "results": doc.get("results") or [],
        "signatory": doc.get("signatory", ""),
        "withdrawal_reason": cert.withdrawal_reason,
        "replaces": ({"number": cert.replaces.number, "reason": cert.replacement_reason}
                     if cert.replaces_id else None),
        "replaced_by": [{"number": c.number, "reason": c.replacement_reason} for c in replaced_by],
        "verify_url": services.verification_url(cert.verify_token),
        "pdf_url": f"{base}/pdf",
        "dcc_url": f"{base}/dcc",
    }


def _file(cert: Certificate, *, kind: str) -> FileResponse:
    path = Path(cert.pdf_path if kind == "pdf" else cert.dcc_path)
    if not path.is_file():
        raise Http404
    suffix, content_type = ("pdf", "application/pdf") if kind == "pdf" else ("xml", "application/xml")
    return FileResponse(path.open("rb"), as_attachment=True, filename=f"{cert.number}.{suffix}",
                        content_type=content_type)


@router.get("/", response=list[CertificateOut], summary="Issued certificates, newest first")
@paginate(LimitOffsetPagination)
def list_certificates(request, q: str | None = None, status: str | None = None, customer: int | None = None,
                      issued_from: dt.date | None = None, issued_to: dt.date | None = None):
    user = _reader(request)
    return selectors.filter_certificates(selectors.visible_certificates(user), status=status, customer=customer,
                                       issued_from=issued_from, issued_to=issued_to, q=q)


@router.get("/{number}", response=CertificateDetailOut, summary="Key facts, state, SHA-256 and verification URL")
def get_certificate(request, number: str):
    return _detail(request, _certificate(request, number))


@router.get("/{number}/pdf", summary="The signed PDF as issued", response={200: None},
            openapi_extra={"responses": {200: {"content": {"application/pdf": {}}}}})
def certificate_pdf(request, number: str):
    return _file(_certificate(request, number), kind="pdf")


@router.get("/{number}/dcc", summary="The digital calibration certificate (DCC XML)", response={200: None},
            openapi_extra={"responses": {200: {"content": {"application/xml": {}}}}})
def certificate_dcc(request, number: str):
    return _file(_certificate(request, number), kind="dcc")


@router.post("/{number}/withdraw", response={200: CertificateDetailOut, 409: ErrorOut},
             summary="Withdraw a certificate, with the reason (quality staff)")
def withdraw_certificate(request, number: str, payload: WithdrawIn):
    cert = _certificate(request, number)
    if not selectors.can_withdraw(request.auth):
        raise PermissionDenied
    try:
        services.do_withdraw_certificate(cert, reason=payload.reason, actor=request.auth)
    except services.CertificateError:
        return Status(409, {"detail": f"certificate {cert.number} is already withdrawn"})
    return Status(200, _detail(request, _certificate(request, number)))
