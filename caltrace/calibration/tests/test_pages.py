"""Pages of raw records: the list, a record as evidence (provenance, corrections, results, chart),
the uncertainty evaluation report as a page and as a PDF (REC-1), access and query counts."""

import shutil
import subprocess
from decimal import Decimal

import pytest
from django.urls import reverse

from caltrace.calibration import services
from caltrace.calibration.choices import EquipmentRole, MeasurementModel, ProcedureKind, ReadingRole
from caltrace.calibration.factories import make_procedure
from caltrace.calibration.instruments import simulated_bench
from caltrace.calibration.models import Reading
from caltrace.calibration.tests.test_results import run_dmm

pytestmark = pytest.mark.django_db


@pytest.fixture
def calibrator_client(client, make_user):
    user = make_user("cal", roles=["calibrator"], first_name="王", last_name="")
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def signed(calibrator_5522a, only_cnd3, alice):
    """A DMM record run on the simulated bench, one reading corrected by hand, then signed off."""
    record = run_dmm(calibrator_5522a)
    first = Reading.objects.filter(record=record, role=ReadingRole.UUT).order_by("point__order", "sequence").first()
    services.do_correct_reading(first, first.value, first.unit, reason="抄录核对：仪器应答被截断", actor=alice)
    return services.do_sign_off_record(record, actor="system:test")


def typed_draft(n_points_readings, alice, weights):
    procedure = make_procedure(MeasurementModel.BALANCE, kind=ProcedureKind.MANUAL, readings_per_point=n_points_readings)
    record = services.do_start_record(procedure, equipment=[(weights, EquipmentRole.REFERENCE)], item="XS205 B123",
                                      actor=alice)
    for p in procedure.points.all():
        for i in range(n_points_readings):
            r = services.do_type_reading(record, p, p.nominal + Decimal("0.0001") * i, "g", actor=alice)
        services.do_correct_reading(r, r.value + Decimal("0.0001"), "g", reason="读错一位", actor=alice)
    return record


# --- the list ---------------------------------------------------------------------------------


def test_the_list_shows_records_and_filters_them(calibrator_client, signed, alice, weights):
    draft = typed_draft(1, alice, weights)
    url = reverse("calibration:record_list")
    page = calibrator_client.get(url).content.decode()
    assert "34465A MY12345678" in page and "XS205 B123" in page and signed.procedure.code in page
    assert "已签署" in page and "记录中" in page
    only_signed = calibrator_client.get(url, {"status": "signed_off"}).content.decode()
    assert "34465A" in only_signed and "XS205" not in only_signed
    by_item = calibrator_client.get(url, {"q": "xs205"}).content.decode()
    assert "XS205" in by_item and "34465A" not in by_item
    by_procedure = calibrator_client.get(url, {"procedure": draft.procedure_id}).content.decode()
    assert "XS205" in by_procedure and "34465A" not in by_procedure
    day = signed.started_at.date()
    assert "34465A" in calibrator_client.get(url, {"started_from": day, "started_to": day}).content.decode()
    assert "34465A" not in calibrator_client.get(url, {"started_from": day.replace(year=day.year + 1)}).content.decode()


def test_records_of_every_site_are_listed_together_with_the_site_as_a_filter(calibrator_client, alice, weights):
    """QMS-3: the main site sees every site's records; the site is a filter."""
    from caltrace.calibration.models import CalibrationRecord
    from caltrace.org.factories import SiteFactory

    main, branch = SiteFactory(name="总部实验室"), SiteFactory(name="吴江实验室")
    here, there = typed_draft(1, alice, weights), typed_draft(1, alice, weights)
    CalibrationRecord.objects.filter(pk=here.pk).update(site=main, item="总部样品 A1")
    CalibrationRecord.objects.filter(pk=there.pk).update(site=branch, item="吴江样品 B2")
    url = reverse("calibration:record_list")
    both = calibrator_client.get(url).content.decode()
    assert "总部样品 A1" in both and "吴江样品 B2" in both
    only_branch = calibrator_client.get(url, {"site": branch.pk}).content.decode()
    assert "吴江样品 B2" in only_branch and "总部样品 A1" not in only_branch


def _make_records(n, procedure, alice):
    for i in range(n):
        services.do_start_record(procedure, item=f"UUT {i}", actor=alice)


def test_the_list_takes_the_same_queries_for_3_and_30_records(calibrator_client, alice, django_assert_max_num_queries):
    procedure = make_procedure(MeasurementModel.DMM_DCV)
    url = reverse("calibration:record_list")
    _make_records(3, procedure, alice)
    calibrator_client.get(url)  # warm the session and the role cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as three:
        assert calibrator_client.get(url).status_code == 200
    _make_records(27, procedure, alice)
    with django_assert_max_num_queries(len(three)):
        page = calibrator_client.get(url)
    assert page.content.decode().count("UUT ") == 30


def test_the_list_pages_by_50(calibrator_client, alice):
    procedure = make_procedure(MeasurementModel.DMM_DCV)
    _make_records(51, procedure, alice)
    first = calibrator_client.get(reverse("calibration:record_list")).content.decode()
    assert first.count("UUT ") == 50 and 'rel="next"' in first
    assert calibrator_client.get(reverse("calibration:record_list"), {"page": 2}).content.decode().count("UUT ") == 1


# --- one record -------------------------------------------------------------------------------


def test_the_detail_shows_provenance_corrections_equipment_and_results(calibrator_client, signed, calibrator_5522a):
    page = calibrator_client.get(reverse("calibration:record_detail", args=[signed.pk])).content.decode()
    assert signed.procedure.method_version.designation in page
    assert calibrator_5522a.asset_no in page and "信号源/恒温源" in page
    # instrument provenance: the VISA resource and the raw response as received
    reading = Reading.objects.filter(record=signed, provenance="instrument").exclude(raw_response="").first()
    assert reading.visa_resource in page and reading.raw_response.strip() in page
    # the correction: the old reading struck through, the new one with its reason, typed by alice
    assert "<del>" in page and "抄录核对：仪器应答被截断" in page and "alice" in page
    # results with U and k, and the chart of error ± U
    assert "<svg" in page and "cal-chart" in page
    for row in signed.results:
        assert row["reported"]["U"] in page and row["reported"]["value"] in page
    assert "U 已取 CMC" not in page


def test_a_u_raised_to_the_cmc_has_a_badge(calibrator_client, calibrator_5522a, only_cnd3):
    from caltrace.org.factories import ScopeItemFactory

    item = ScopeItemFactory(cmc_a=Decimal("0.00001"), cmc_b=Decimal("0.00005"))
    record = services.do_sign_off_record(run_dmm(calibrator_5522a, scope_item=item), actor="system:test")
    page = calibrator_client.get(reverse("calibration:record_detail", args=[record.pk])).content.decode()
    assert "U 已取 CMC" in page
    report = calibrator_client.get(reverse("calibration:uncertainty_report", args=[record.pk])).content.decode()
    assert "报告的扩展不确定度取 CMC" in report


def test_an_empty_required_field_is_highlighted(calibrator_client, alice):
    procedure = make_procedure(MeasurementModel.DMM_DCV, required_fields=["warm_up"])
    record = services.do_start_record(procedure, item="UUT", actor=alice)
    page = calibrator_client.get(reverse("calibration:record_detail", args=[record.pk])).content.decode()
    assert 'class="cal-missing"' in page and "必填，未填写" in page
    services.do_set_record_fields(record, {"warm_up": "30 min"}, actor=alice)
    page = calibrator_client.get(reverse("calibration:record_detail", args=[record.pk])).content.decode()
    assert 'class="cal-missing"' not in page and "30 min" in page


def test_the_detail_takes_the_same_queries_whatever_the_number_of_readings(calibrator_client, alice, weights,
                                                                           django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    few, many = typed_draft(1, alice, weights), typed_draft(6, alice, weights)
    calibrator_client.get(reverse("calibration:record_detail", args=[few.pk]))
    with CaptureQueriesContext(connection) as one:
        page = calibrator_client.get(reverse("calibration:record_detail", args=[few.pk]))
    assert page.status_code == 200 and page.content.decode().count("读错一位") == 3
    with django_assert_max_num_queries(len(one)):
        page = calibrator_client.get(reverse("calibration:record_detail", args=[many.pk]))
    assert page.content.decode().count("<del>") == 3 and Reading.objects.filter(record=many).count() == 21


# --- the uncertainty evaluation report --------------------------------------------------------


def test_the_report_shows_each_points_budget(calibrator_client, signed):
    page = calibrator_client.get(reverse("calibration:uncertainty_report", args=[signed.pk])).content.decode()
    assert "测量不确定度评定报告" in page and "34465A MY12345678" in page
    assert page.count('class="ur-point"') == len(signed.results) == 4
    assert "δ = V_x − V_s − d_s + r_x" in page
    for symbol in ("V_x", "V_s", "d_s", "r_x"):
        assert f'<td class="c">{symbol}</td>' in page
    assert "均匀分布" in page and "ν<sub>eff</sub>" in page
    for row in signed.results:
        assert row["reported"]["U"] in page


def test_a_draft_has_no_report_and_no_pdf(calibrator_client, alice):
    record = services.do_start_record(make_procedure(MeasurementModel.DMM_DCV), item="UUT", actor=alice)
    page = calibrator_client.get(reverse("calibration:uncertainty_report", args=[record.pk]))
    assert page.status_code == 200 and "尚未签署" in page.content.decode() and 'class="ur-point"' not in page.content.decode()
    pdf = calibrator_client.get(reverse("calibration:uncertainty_pdf", args=[record.pk]))
    assert pdf.status_code == 409 and "尚未签署" in pdf.content.decode() and pdf["Content-Type"].startswith("text/html")
    as_json = calibrator_client.get(reverse("calibration:uncertainty_pdf", args=[record.pk]),
                                    HTTP_ACCEPT="application/json")
    assert as_json.status_code == 409 and "尚未签署" in as_json.json()["detail"]


def test_the_report_pdf(calibrator_client, signed, tmp_path):
    answer = calibrator_client.get(reverse("calibration:uncertainty_pdf", args=[signed.pk]))
    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"
    assert answer.content.startswith(b"%PDF")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "report.pdf"
    path.write_bytes(answer.content)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True,
                          text=True).stdout
    assert "测量不确定度评定" in text and "34465A MY12345678" in text
    for row in signed.results:
        assert row["reported"]["U"] in text and row["reported"]["value"] in text


# --- access -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["record_list", "record_detail", "uncertainty_report", "uncertainty_pdf"])
def test_only_staff_who_read_records_get_in(client, make_user, name, alice):
    record = services.do_start_record(make_procedure(MeasurementModel.DMM_DCV), item="UUT", actor=alice)
    url = reverse(f"calibration:{name}", args=[] if name == "record_list" else [record.pk])
    assert client.get(url).status_code == 302  # anonymous: to the login page
    client.force_login(make_user("cust", roles=["customer"]))
    assert client.get(url).status_code == 404  # a customer is never told a record exists
    client.force_login(make_user("desk", roles=["reception"]))
    assert client.get(url).status_code == 403
    for role in ("calibrator", "reviewer", "signatory", "technical_director", "quality_manager", "lab_manager"):
        client.force_login(make_user(f"u-{role}", roles=[role]))
        assert client.get(url).status_code in (200, 409)


def test_the_navigation_has_records_for_staff_who_read_them(client, make_user):
    client.force_login(make_user("rev", roles=["reviewer"]))
    assert reverse("calibration:record_list") in client.get(reverse("web:home")).content.decode()
    client.force_login(make_user("cust", roles=["customer"]))
    assert reverse("calibration:record_list") not in client.get(reverse("web:home")).content.decode()
