"""Writes of the certificates app: issue, amend and withdraw a certificate (RPT-2, RPT-3).

Issuing checks that the document is complete (RPT-2; :class:`IncompleteCertificate` names each
missing element and nothing is created), gives the certificate its random verification token and
the absolute URL of its verification page (printed as the QR code), renders and signs the PDF with
the lab key, writes the DCC, and stores both under ``DATA_DIR/documents/certificates/``. An issued
certificate is never changed: an amendment is a new certificate naming the one it replaces.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from caltrace.core import audit

from .document import Amendment, CertificateDocument, require_complete
from .models import Certificate, CertificateStatus, new_verify_token
from .serialize import to_dict



class CertificateError(ValueError):
    """A certificate operation refused: a number already used, a certificate already replaced…"""


def certificates_dir() -> Path:
    return Path(settings.DATA_DIR) / "documents" / "certificates"


def verification_url(token: str) -> str:
    return settings.CALTRACE_BASE_URL + reverse("certificates:verify", args=[token])


def _actor_text(actor) -> str | None:
    if actor is None:
        return None
    if isinstance(actor, str):
        return actor
    return audit.actor_for_user(actor)


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _safe_file_name(number: str) -> str:
    if not number or "/" in number or "\\" in number or number.startswith(".") or "\x00" in number:
        raise CertificateError(f"certificate number {number!r} cannot name a file")
    return number


def _issue(doc: CertificateDocument, *, actor, record=None, customer=None, replaces: Certificate | None = None,
           reason: str = "") -> Certificate:
    from .dcc import build_dcc
    from .pdf import render_pdf
    from .signing import sign_pdf

    require_complete(doc)
    name = _safe_file_name(doc.number)
    if Certificate.objects.filter(number=doc.number).exists():
        raise CertificateError(f"certificate number {doc.number} is already issued")
    token = new_verify_token()
    doc = dataclasses.replace(doc, verification_url=verification_url(token))
    signed = sign_pdf(render_pdf(doc), reason="issue", location=doc.laboratory.address)
    dcc = build_dcc(doc)
    folder = certificates_dir()
    pdf_path, dcc_path = folder / f"{name}.pdf", folder / f"{name}.xml"
    why = f"issue certificate {doc.number}" + (f" replacing {replaces.number}: {reason}" if replaces else "")
    with transaction.atomic(), audit.audit_context(actor=_actor_text(actor), reason=why):
        cert = Certificate(number=doc.number, verify_token=token, document=to_dict(doc), pdf_path=str(pdf_path),
                           dcc_path=str(dcc_path), sha256=hashlib.sha256(signed).hexdigest(),
                           issued_at=timezone.now(), replaces=replaces, replacement_reason=reason, record=record,
                           customer=customer)
        cert.full_clean()
        cert.save()
        # Files last, inside the transaction: a failed write rolls the row back.
        _write(pdf_path, signed)
        _write(dcc_path, dcc)
    return cert


def do_issue_certificate(doc: CertificateDocument, *, actor, record=None, customer=None) -> Certificate:
    """Issue ``doc`` as a signed certificate (with its DCC). Raises ``IncompleteCertificate``
    naming the missing GB/T 27025 7.8 elements, and creates nothing, if it is incomplete."""
    if doc.amendment is not None:
        raise CertificateError("an amendment is issued with do_amend_certificate")
    return _issue(doc, actor=actor, record=record, customer=customer)


def blocking_findings(record) -> list:
    """Open integrity findings on ``record`` that block issue (PRH-6: signs of fabrication)."""
    from caltrace.integrity.models import Finding

    label = record._meta.label
    return [f for f in Finding.objects.filter(blocks_issue=True, status__in=("open", "acknowledged"))
            if any(o.get("model") == label and o.get("pk") == str(record.pk) for o in f.objects_involved)]


def issue_work(record, doc, *, reviewer, signatory, at=None, work=None):
    """The work the rules of ``certificate.issue`` judge: ``work`` (a job's, which names the order
    item, the method use and the customer's consent) or else the record's, with who reviewed and
    who signs, and the document to compare with the record (CND-5)."""
    work = work if work is not None else record.as_work()
    return dataclasses.replace(work, at=at or doc.issued_on or timezone.localdate(), reviewer=reviewer,
                               signatory=signatory, extra={**work.extra, "document": doc})


def do_issue_from_record(record, ctx, *, reviewer, signatory, actor, customer=None, document=None,
                         work=None) -> Certificate:
    """Issue the certificate of a signed-off ``record`` (people: ``people.Person``). The rules of
    ``certificate.issue`` decide first: RPT-1 (three different people), CND-5 (the document says
    what the record says), the people, scope, method and equipment gates; then an open finding
    that blocks issue (PRH-6) refuses. ``document`` replaces the one built from the record only
    to be judged by CND-5 (tests of the gate). ``work``: the job's Work, so that the order's rules
    (CON-1, CON-2) and MTH-2's method use and consent are judged again at issue."""
    from caltrace.integrity import registry
    from caltrace.integrity.registry import GATE, RuleViolation, Violation
    from caltrace.integrity.services import record_findings
    from caltrace.integrity.work import CERTIFICATE_ISSUE

    from caltrace.calibration.models import CalibrationRecord, Job

    from .from_record import document_from_record

    with transaction.atomic():
        # One certificate per record: the record's row lock makes a second concurrent issue wait and
        # then see the first (and the unique constraint on Certificate.record stands behind it).
        record = CalibrationRecord.objects.select_for_update().get(pk=record.pk)
        issued = Certificate.objects.filter(record=record, replaces__isnull=True).values_list("number", flat=True).first()
        if issued:
            raise CertificateError(f"record {record.pk} already has certificate {issued}; amend that certificate instead")
        if work is None and Job.objects.filter(record=record).exists():
            raise CertificateError(f"record {record.pk} belongs to a job: issue it through the job, whose work the "
                                   "order's rules judge")
        doc = document if document is not None else document_from_record(record, ctx)
        flags = registry.enforce(CERTIFICATE_ISSUE, issue_work(record, doc, reviewer=reviewer, signatory=signatory,
                                                               work=work))
        blocking = blocking_findings(record)
        if blocking:
            raise RuleViolation([Violation(f.rule_id, GATE, f"未处理的诚信问题阻止发证：{f.message_zh}",
                                           f"An open integrity finding blocks issue: {f.message_en}", ())
                                 for f in blocking])
        cert = do_issue_certificate(doc, actor=actor, record=record, customer=customer)
        if flags:
            record_findings(flags, event=CERTIFICATE_ISSUE)
        return cert


def do_amend_certificate(old: Certificate, new_doc: CertificateDocument, *, reason: str, actor,
                         reason_en: str = "") -> Certificate:
    """Issue ``new_doc`` (with its own number) as the amendment or replacement of ``old``, with the
    reason (RPT-3, GB/T 27025 7.8.8). ``old`` is not changed; it shows as amended from now on."""
    if not reason.strip():
        raise CertificateError("an amendment needs a reason")
    old = Certificate.objects.get(pk=old.pk)
    if old.effective_status != "issued":
        raise CertificateError(f"certificate {old.number} is {old.effective_status} and cannot be amended")
    if new_doc.number == old.number:
        raise CertificateError("the amendment needs its own certificate number")
    new_doc = dataclasses.replace(new_doc, amendment=Amendment(replaces_number=old.number, reason=reason.strip(),
                                                               reason_en=reason_en.strip()))
    return _issue(new_doc, actor=actor, record=old.record if old.record_id else None,
                  customer=old.customer if old.customer_id else None, replaces=old,
                  reason=reason.strip())


def do_withdraw_certificate(cert: Certificate, *, reason: str, actor) -> Certificate:
    """Withdraw an issued certificate (撤回), with the reason; the audit ledger records it."""
    if not reason.strip():
        raise CertificateError("a withdrawal needs a reason")
    with transaction.atomic():
        locked = Certificate.objects.select_for_update().get(pk=cert.pk)
        if locked.status != CertificateStatus.ISSUED:
            raise CertificateError(f"certificate {locked.number} is already withdrawn")
        locked.status = CertificateStatus.WITHDRAWN
        locked.withdrawal_reason = reason.strip()
        with audit.audit_context(actor=_actor_text(actor), reason=f"withdraw: {reason.strip()}"):
            locked.save()
    return locked


def find_by_sha256(digest: str) -> Certificate | None:
    return Certificate.objects.filter(sha256=digest).first()
