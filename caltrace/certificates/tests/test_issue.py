"""Issuing, amending and withdrawing certificates (RPT-2, RPT-3): an issued certificate is never changed."""

import hashlib
from pathlib import Path

import pytest
from django.conf import settings

from caltrace.certificates import services
from caltrace.certificates.document import IncompleteCertificate
from caltrace.certificates.models import Certificate, CertificateChangeRefused
from caltrace.certificates.samples import sample_document
from caltrace.certificates.serialize import from_dict, to_dict
from caltrace.certificates.signing import verify_pdf
from caltrace.core.models import AuditEntry

from .conftest import module_transaction

pytestmark = pytest.mark.django_db

OLD, NEW = "T-ISS-0001", "T-ISS-0001-R1"


@pytest.fixture(scope="module")
def issued(django_db_setup, django_db_blocker):
    with module_transaction(django_db_blocker):
        old = services.do_issue_certificate(sample_document(number=OLD), actor="system:test")
        new = services.do_amend_certificate(old, sample_document(number=NEW, signatory="李娜"),
                                            reason="委托方名称有误", reason_en="wrong customer name",
                                            actor="system:test")
        yield old, new


def test_issue_stores_the_signed_pdf_and_the_dcc(issued):
    old, _new = issued
    cert = Certificate.objects.get(number=OLD)
    folder = Path(settings.DATA_DIR) / "documents" / "certificates"
    assert Path(cert.pdf_path) == folder / f"{OLD}.pdf"
    assert Path(cert.dcc_path) == folder / f"{OLD}.xml"
    pdf = Path(cert.pdf_path).read_bytes()
    assert hashlib.sha256(pdf).hexdigest() == cert.sha256
    result = verify_pdf(pdf)
    assert result.intact, result.problems
    dcc = Path(cert.dcc_path).read_bytes()
    assert OLD.encode() in dcc and b"reportAmendedSubstituted" not in dcc


def test_the_document_is_kept_as_issued_with_its_verification_url(issued):
    cert = Certificate.objects.get(number=OLD)
    assert len(cert.verify_token) >= 20 and cert.verify_token not in OLD
    doc = cert.doc
    assert doc.verification_url.endswith(f"/verify/{cert.verify_token}/")
    assert doc.verification_url.startswith(settings.CALTRACE_BASE_URL + "/verify/")
    assert doc == sample_document(number=OLD, verification_url=doc.verification_url)
    assert from_dict(to_dict(doc)) == doc


def test_a_missing_element_refuses_the_issue_naming_it_and_creates_nothing():
    before = (Certificate.objects.count(), AuditEntry.objects.count())
    with pytest.raises(IncompleteCertificate) as exc:
        services.do_issue_certificate(sample_document(number="T-ISS-MISSING", traceability_statement=""),
                                      actor="system:test")
    assert "statement of metrological traceability" in str(exc.value)
    assert (Certificate.objects.count(), AuditEntry.objects.count()) == before
    assert not (services.certificates_dir() / "T-ISS-MISSING.pdf").exists()


def test_a_number_is_issued_once(issued):
    with pytest.raises(services.CertificateError):
        services.do_issue_certificate(sample_document(number=OLD), actor="system:test")


def test_the_amendment_is_a_new_certificate_referring_to_the_old(issued):
    old, new = (Certificate.objects.get(number=n) for n in (OLD, NEW))
    assert new.pk != old.pk and new.replaces == old
    assert new.replacement_reason == "委托方名称有误"
    assert new.doc.amendment.replaces_number == OLD and new.doc.amendment.reason == "委托方名称有误"
    assert old.effective_status == "amended" and old.status == "issued" and old.replacement == new
    assert new.effective_status == "issued"
    assert old.doc.signatory == "陈志刚"  # the old one is unchanged
    dcc = Path(new.dcc_path).read_text(encoding="utf-8")
    assert "reportAmendedSubstituted" in dcc and OLD in dcc
    assert verify_pdf(Path(new.pdf_path).read_bytes()).intact


def test_an_amended_certificate_is_not_amended_twice(issued):
    old = Certificate.objects.get(number=OLD)
    with pytest.raises(services.CertificateError):
        services.do_amend_certificate(old, sample_document(number="T-ISS-0001-R2"), reason="再改", actor="system:test")
    with pytest.raises(services.CertificateError):
        services.do_amend_certificate(Certificate.objects.get(number=NEW), sample_document(number="T-ISS-0001-R3"),
                                      reason="  ", actor="system:test")


@pytest.mark.parametrize("field, value", [("number", "T-ISS-9999"), ("sha256", "0" * 64), ("pdf_path", "/tmp/x.pdf"),
                                          ("document", {"number": "forged"})])
def test_the_issued_certificate_refuses_changes(issued, field, value):
    cert = Certificate.objects.get(number=OLD)
    setattr(cert, field, value)
    with pytest.raises(CertificateChangeRefused):
        cert.save()
    with pytest.raises(CertificateChangeRefused):
        Certificate.objects.filter(pk=cert.pk).update(**{field: value})
    cert.refresh_from_db()
    assert cert.number == OLD and cert.doc.number == OLD


def test_an_issued_certificate_cannot_be_deleted(issued):
    cert = Certificate.objects.get(number=OLD)
    with pytest.raises(CertificateChangeRefused):
        cert.delete()
    with pytest.raises(CertificateChangeRefused):
        Certificate.objects.filter(pk=cert.pk).delete()
    assert Certificate.objects.filter(pk=cert.pk).exists()


def test_withdrawal_goes_through_the_service_with_the_reason_in_the_ledger(issued):
    cert = Certificate.objects.get(number=NEW)
    withdrawn = services.do_withdraw_certificate(cert, reason="校准数据有误", actor="system:test")
    assert withdrawn.status == "withdrawn" and withdrawn.effective_status == "withdrawn"
    entry = AuditEntry.objects.filter(model=Certificate._meta.label, object_pk=str(cert.pk)).last()
    assert "校准数据有误" in entry.reason and entry.actor == "system:test"
    with pytest.raises(services.CertificateError):
        services.do_withdraw_certificate(withdrawn, reason="again", actor="system:test")
    withdrawn.status = "issued"  # no way back
    with pytest.raises(CertificateChangeRefused):
        withdrawn.save()


def test_serialize_round_trips_every_field():
    import json

    from caltrace.certificates.document import Amendment, ConformityStatement

    doc = sample_document(amendment=Amendment("OLD-1", "理由", "reason"), calibrated_until=sample_document().issued_on,
                          conformity=ConformityStatement("±0.01 %", "simple_acceptance", "简单接受", "simple", "pass"),
                          remarks=("备注一", "备注二"))
    data = json.loads(json.dumps(to_dict(doc), ensure_ascii=False))
    assert data["results"][0]["reference_value"] == "0.1" and data["issued_on"] == "2026-11-20"
    assert from_dict(data) == doc
