"""Issue 4: certificates built from signed-off records (CND-5), the gates of certificate issue
(RPT-1, CND-5, people, blocking findings), and the demo lab's issued certificates: one of each
procedure type and one amendment, every DCC valid, every PDF verifying, the automated run's
numbers on the certificate, U never below the CMC (PRH-5)."""

import dataclasses
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from caltrace.calibration import demo as calibration_demo
from caltrace.calibration.models import CalibrationRecord, Procedure
from caltrace.certificates import dcc_schema
from caltrace.certificates.document import ItemDescription, Party
from caltrace.certificates.from_record import IssueContext, document_from_record
from caltrace.certificates.models import Certificate
from caltrace.certificates.services import CertificateError, do_issue_from_record
from caltrace.certificates.signing import verify_pdf
from caltrace.integrity.models import Finding
from caltrace.integrity.registry import RuleViolation
from caltrace.people.models import Person

from .conftest import module_transaction
from .test_dcc import schema_dir  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo_lab(django_db_setup, django_db_blocker):
    with module_transaction(django_db_blocker):
        from caltrace.demo.seed import seed

        seed()
        yield


def by_number():
    return {c.number: c for c in Certificate.objects.select_related("record__procedure", "replaces")}


def test_the_demo_issued_one_certificate_per_procedure_type_and_an_amendment(demo_lab):
    certs = by_number()
    kinds = {c.record.procedure.model_key for c in certs.values()}
    assert kinds == {"dmm_dcv", "balance", "temperature_comparison"}
    amended, amendment = certs["MH2026-M-00001"], certs["MH2026-M-00002"]
    assert amended.effective_status == "amended" and amendment.replaces == amended
    assert amendment.doc.amendment.replaces_number == "MH2026-M-00001" and amendment.replacement_reason
    assert amendment.doc.customer.name.endswith("有限公司") and not amended.doc.customer.name.endswith("有限公司")
    for c in certs.values():
        assert c.customer is not None and c.record.status == "signed_off"


def test_every_demo_dcc_validates_against_the_schema(demo_lab, schema_dir):  # noqa: F811
    certs = by_number()
    assert len(certs) == 4
    for cert in certs.values():
        xml = Path(cert.dcc_path).read_bytes()
        dcc_schema.validate(xml, schema_dir)
    assert b"reportAmendedSubstituted" in Path(certs["MH2026-M-00002"].dcc_path).read_bytes()


def test_every_demo_pdf_verifies_and_a_changed_byte_does_not(demo_lab):
    for cert in by_number().values():
        data = Path(cert.pdf_path).read_bytes()
        assert verify_pdf(data).intact, cert.number
    data = bytearray(Path(by_number()["MH2026-E-00001"].pdf_path).read_bytes())
    data[len(data) // 2] ^= 0x01
    assert not verify_pdf(bytes(data)).intact


def test_the_automated_runs_certificate_shows_the_simulated_values(demo_lab):
    cert = by_number()["MH2026-E-00001"]
    shows = calibration_demo.PROCEDURES["ZY-DCV-01"]["shows"]
    points = list(cert.record.procedure.points.order_by("order"))
    rows = cert.doc.results
    assert len(rows) == len(points) == 6
    for row, point in zip(rows, points):
        # the DMM answers in +d.dddddddddE±xx: the reading is the value as sent
        sent = [Decimal(f"{float(shows(point, s)['uut']):+.9E}") for s in (1, 2, 3)]
        mean = sum(sent) / 3
        places = Decimal(1).scaleb(row.expanded_uncertainty.as_tuple().exponent)
        assert row.indication == mean.quantize(places, rounding=ROUND_HALF_UP)
        assert row.reference_value == point.nominal.quantize(places)
        assert row.error == (mean - point.nominal).quantize(places, rounding=ROUND_HALF_UP)


def test_no_reported_u_is_below_the_cmc(demo_lab):
    for cert in by_number().values():
        item = cert.record.scope_item
        for row, stored in zip(cert.doc.results, cert.record.results):
            from caltrace.calibration.reporting import cmc_value

            cmc = Decimal(stored["reported"]["cmc"])
            assert cmc == cmc_value(item, Decimal(stored["nominal"]), stored["unit"])  # units converted
            assert row.expanded_uncertainty >= cmc


# --- the gates of certificate.issue on a second record of the demo lab ------------------------


@pytest.fixture
def record(demo_lab):
    from caltrace.org import demo as org_demo
    from django.contrib.auth import get_user_model

    spec = calibration_demo.PROCEDURES["ZY-DCV-01"]
    user = get_user_model().objects.get(username=spec["calibrator"])
    return calibration_demo._take_record(Procedure.objects.get(code="ZY-DCV-01"), spec, user,
                                         timezone.localdate(), org_demo)


def people(*staff_nos):
    found = {p.staff_no: p for p in Person.objects.filter(staff_no__in=staff_nos)}
    return [found[n] for n in staff_nos]


def context(number="MH2026-E-09001", **changes):
    ctx = IssueContext(number=number, customer=Party("苏州瑞川精密电子有限公司", "江苏省苏州市工业园区瑞川路12号"),
                       item=ItemDescription("数字多用表", "MH26-E-0901", "Keysight", "34465A", "MY0000901"),
                       received_on=timezone.localdate(), reviewer="赵敏", signatory="陈志刚")
    return dataclasses.replace(ctx, **changes)


def refused_ids(**kwargs):
    with pytest.raises(RuleViolation) as exc:
        do_issue_from_record(actor="system:test", **kwargs)
    return set(exc.value.rule_ids)


def test_the_lawful_issue_passes_and_a_second_certificate_of_the_record_is_refused(record):
    reviewer, signatory = people("MH-005", "MH-004")
    cert = do_issue_from_record(record, context(), reviewer=reviewer, signatory=signatory, actor="system:test")
    assert cert.record == record and cert.doc.results and cert.doc.calibrator == "孙浩"
    with pytest.raises(CertificateError):
        do_issue_from_record(record, context("MH2026-E-09002"), reviewer=reviewer, signatory=signatory,
                             actor="system:test")


def test_rpt1_reviewer_or_signatory_the_calibrator_or_each_other_is_refused(record):
    calibrator, reviewer, signatory = people("MH-006", "MH-005", "MH-004")
    assert "RPT-1" in refused_ids(record=record, ctx=context(), reviewer=calibrator, signatory=signatory)
    assert "RPT-1" in refused_ids(record=record, ctx=context(), reviewer=reviewer, signatory=calibrator)
    assert "RPT-1" in refused_ids(record=record, ctx=context(), reviewer=signatory, signatory=signatory)
    assert not Certificate.objects.filter(record=record).exists()


def test_cnd6_a_signatory_without_a_valid_authorization_for_the_field_is_refused(record):
    reviewer, lapsed = people("MH-005", "MH-010")  # 郑伟: thermal only, and lapsed three weeks ago
    with pytest.raises(RuleViolation) as exc:
        do_issue_from_record(record, context(), reviewer=reviewer, signatory=lapsed, actor="system:test")
    assert exc.value.rule_ids == ["CND-6"] and "郑伟" in str(exc.value)


def test_cnd5_a_document_that_differs_from_the_record_is_refused(record):
    reviewer, signatory = people("MH-005", "MH-004")
    doc = document_from_record(record, context())
    first = doc.results[0]
    forged = dataclasses.replace(doc, results=(dataclasses.replace(first, error=first.error + Decimal("0.000001")),
                                               *doc.results[1:]))
    ids = refused_ids(record=record, ctx=context(), reviewer=reviewer, signatory=signatory, document=forged)
    assert ids == {"CND-5"}
    other_calibrator = dataclasses.replace(doc, calibrator="刘洋")
    assert refused_ids(record=record, ctx=context(), reviewer=reviewer, signatory=signatory,
                       document=other_calibrator) == {"CND-5"}


def test_an_open_blocking_finding_on_the_record_stops_issue_until_resolved(record):
    reviewer, signatory = people("MH-005", "MH-004")
    finding = Finding.objects.create(rule_id="PRH-6", event="record.sign_off", message_zh="重复读数离散度异常小",
                                     message_en="Implausibly small spread", blocks_issue=True,
                                     objects_involved=[{"model": "calibration.CalibrationRecord", "pk": str(record.pk),
                                                        "label": str(record)}])
    assert refused_ids(record=record, ctx=context(), reviewer=reviewer, signatory=signatory) == {"PRH-6"}
    Finding.objects.filter(pk=finding.pk).update(status="resolved", resolution="复核原始数据，确认真实")
    assert do_issue_from_record(record, context(), reviewer=reviewer, signatory=signatory, actor="system:test")


def test_a_draft_record_cannot_become_a_certificate(demo_lab):
    procedure = Procedure.objects.get(code="ZY-BAL-01")
    from caltrace.calibration import services

    draft = services.do_start_record(procedure, item="XS205", actor="system:test")
    with pytest.raises(ValueError):
        document_from_record(draft, context())
    assert CalibrationRecord.objects.filter(pk=draft.pk, status="draft").exists()
