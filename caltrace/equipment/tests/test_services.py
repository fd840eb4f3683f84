"""The services: validation of each record, the confirmation's assessment, the service life."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from caltrace.core.models import AuditEntry
from caltrace.equipment import metrology, services
from caltrace.equipment.choices import (
    EquipmentKind,
    EquipmentStatus,
    ServiceEventKind,
    SpecKind,
    TraceabilityKind,
    VerificationPurpose,
)
from caltrace.equipment.factories import EquipmentFactory, EquipmentRangeFactory, days, make_usable, trace, verify
from caltrace.equipment.models import ServiceEvent, TraceabilityRecord
from caltrace.equipment.selectors import status_of
from caltrace.org.factories import RoomFactory

pytestmark = pytest.mark.django_db


def record(eq, **extra):
    fields = {"kind": TraceabilityKind.CALIBRATION, "certificate_no": "DLjl2026-00123", "provider": "中国计量科学研究院",
              "performed_on": days(-10), "due_on": days(355), **extra}
    return services.do_record_traceability(eq, **fields)


# --- registration ---------------------------------------------------------------------------


def test_update_changes_the_register_and_a_no_op_writes_nothing():
    eq = EquipmentFactory()
    before = AuditEntry.objects.count()
    services.do_update_equipment(eq, name=eq.name, model=eq.model)
    assert AuditEntry.objects.count() == before
    services.do_update_equipment(eq, check_interval_days=180, name="数字多用表")
    eq.refresh_from_db()
    assert (eq.check_interval_days, eq.name) == (180, "数字多用表")
    assert AuditEntry.objects.count() == before + 1
    with pytest.raises(ValidationError) as info:
        services.do_update_equipment(eq, check_interval_days=0)
    assert "check_interval_days" in info.value.message_dict


def test_kind_is_fixed_once_history_exists():
    eq = EquipmentFactory()
    services.do_update_equipment(eq, kind=EquipmentKind.AUXILIARY_DEVICE)
    record(eq)
    with pytest.raises(ValidationError) as info:
        services.do_update_equipment(eq, kind=EquipmentKind.REAGENT)
    assert "kind" in info.value.message_dict


def test_ranges_validate_their_unit_bounds_and_accuracy():
    eq = EquipmentFactory()
    with pytest.raises(ValidationError) as info:
        services.do_add_range(eq, quantity="直流电压", range_min=10, range_max=1, unit="伏特", spec_kind=SpecKind.MPE)
    assert set(info.value.message_dict) == {"range_max", "unit", "spec_a"}
    rng = services.do_add_range(eq, quantity="直流电压", range_min=0, range_max=Decimal("3.299999"), unit="V",
                                spec_kind=SpecKind.MPE, spec_a=Decimal("0.000002"), spec_b=Decimal("0.000011"))
    assert rng.range_text == "(0～3.299999) V"
    assert rng.spec_text == "MPE = ±(11 ppm + 2 µV)"
    services.do_remove_range(rng)
    assert not eq.ranges.exists()


# --- traceability ---------------------------------------------------------------------------


def test_a_record_with_results_is_saved_whole_or_not_at_all():
    eq = EquipmentFactory()
    good = {"quantity": "直流电压", "nominal": Decimal("10"), "unit": "V", "error": Decimal("0.00002"),
            "uncertainty": Decimal("0.000015")}
    with pytest.raises(ValidationError) as info:
        record(eq, due_on=days(-20), results=[good, {**good, "unit": "??", "uncertainty": Decimal("-1")}])
    errors = info.value.message_dict
    assert "due_on" in errors
    assert any(m.startswith("第 2 行结果：单位") for m in errors["results"])
    assert any(m.startswith("第 2 行结果：扩展不确定度") for m in errors["results"])
    assert not TraceabilityRecord.objects.exists()
    rec = record(eq, results=[good])
    assert rec.results.get().nominal == Decimal("10")


def test_record_dates_and_kinds_are_checked():
    eq = EquipmentFactory()
    with pytest.raises(ValidationError) as info:
        record(eq, performed_on=days(1), due_on=days(300))
    assert "performed_on" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        record(eq, kind=TraceabilityKind.RM_CERTIFICATE)
    assert "kind" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        record(EquipmentFactory(reference_material=True))
    assert "kind" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        record(EquipmentFactory(software=True))
    assert "equipment" in info.value.message_dict


def test_confirmation_cannot_pass_a_result_outside_the_mpe():
    eq = EquipmentFactory(standard=True)
    EquipmentRangeFactory(equipment=eq)  # MPE at 10 V: 120 µV
    inside = {"quantity": "直流电压", "nominal": 10, "unit": "V", "error": Decimal("0.00011"), "uncertainty": "0.00002"}
    outside = {**inside, "nominal": 5, "error": Decimal("-0.0001")}  # MPE at 5 V: 70 µV
    rec = record(eq, results=[inside, outside])
    checks = metrology.assess(rec.results.all(), eq.ranges.all())
    assert [c.ok for c in checks] == [True, False]
    with pytest.raises(ValidationError) as info:
        services.do_confirm(rec, confirmed_on=days(0), passed=True, requirement="示值误差不超过 MPE")
    assert "passed" in info.value.message_dict and "MPE" in info.value.message_dict["passed"][0]
    failed = services.do_confirm(rec, confirmed_on=days(0), passed=False, requirement="示值误差不超过 MPE",
                                 notes="5 V 点超差，降级使用")
    assert status_of(eq) == EquipmentStatus.UNVERIFIED  # not verified yet; the failed confirmation is on file
    assert failed.record == rec


def test_assessment_of_a_range_stated_as_uncertainty_and_of_unjudgeable_results():
    eq = EquipmentFactory(standard=True)
    services.do_add_range(eq, quantity="温度", range_min=-50, range_max=150, unit="°C", spec_kind=SpecKind.UNCERTAINTY,
                          spec_a=Decimal("0.01"), spec_k=2)
    rec = record(eq, results=[
        {"nominal": 0, "unit": "°C", "uncertainty": Decimal("0.006"), "k": 2},  # 3 mK ≤ 5 mK
        {"nominal": 100, "unit": "°C", "uncertainty": Decimal("0.012"), "k": 2},  # 6 mK > 5 mK
        {"nominal": 300, "unit": "°C", "uncertainty": Decimal("0.01")},  # no range
    ])
    assert [c.ok for c in metrology.assess(rec.results.all(), eq.ranges.all())] == [True, False, None]


def test_confirmation_date_and_corrected_records():
    eq = EquipmentFactory()
    rec = record(eq)
    with pytest.raises(ValidationError) as info:
        services.do_confirm(rec, confirmed_on=days(-11), passed=True, requirement="要求")
    assert "confirmed_on" in info.value.message_dict


def test_standard_certificates_belong_to_standards():
    with pytest.raises(ValidationError) as info:
        services.do_add_standard_certificate(EquipmentFactory(), number="[2023]苏量标企证字第0001号",
                                             standard_name="直流电压标准装置", issuer="苏州市市场监督管理局",
                                             issued_on=days(-300), valid_until=days(1500))
    assert "equipment" in info.value.message_dict
    std = EquipmentFactory(standard=True)
    cert = services.do_add_standard_certificate(std, number="[2023]苏量标企证字第0001号",
                                                standard_name="直流电压标准装置", issuer="苏州市市场监督管理局",
                                                issued_on=days(-300), valid_until=days(1500))
    assert std.standard_certificates.get() == cert


# --- checks, verification, service ------------------------------------------------------------


def test_a_failed_check_takes_the_equipment_out_of_service():
    eq = make_usable()
    services.do_record_check(eq, performed_on=days(-1), method="核查", result="偏差 0.3%，超出控制限", passed=False)
    event = ServiceEvent.objects.get(equipment=eq)
    assert event.kind == ServiceEventKind.OUT_OF_SERVICE and "超出控制限" in event.reason
    assert status_of(eq) == EquipmentStatus.OUT_OF_SERVICE
    services.do_record_check(eq, performed_on=days(0), method="复核", result="仍超差", passed=False)
    assert ServiceEvent.objects.filter(equipment=eq).count() == 1  # already out


def test_verification_purpose_must_fit_the_service_state():
    eq = make_usable()
    with pytest.raises(ValidationError) as info:
        verify(eq, on=0, purpose=VerificationPurpose.RETURN_TO_SERVICE)
    assert "purpose" in info.value.message_dict
    services.do_take_out_of_service(eq, kind=ServiceEventKind.REPAIR, on=days(-3), reason="送修")
    with pytest.raises(ValidationError) as info:
        verify(eq, on=0)
    assert "purpose" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        verify(eq, on=-4, purpose=VerificationPurpose.RETURN_TO_SERVICE)
    assert "performed_on" in info.value.message_dict
    v = verify(eq, on=-1, purpose=VerificationPurpose.RETURN_TO_SERVICE)
    back = ServiceEvent.objects.filter(equipment=eq).order_by("-on", "-id").first()
    assert back.kind == ServiceEventKind.RETURN_TO_SERVICE and back.verification == v


def test_service_events_keep_their_order_and_retirement_is_final():
    eq = make_usable()
    services.do_take_out_of_service(eq, kind=ServiceEventKind.OUT_OF_SERVICE, on=days(-3), reason="停用")
    with pytest.raises(ValidationError) as info:
        services.do_take_out_of_service(eq, kind=ServiceEventKind.OUT_OF_SERVICE, on=days(-2), reason="再停用")
    assert "kind" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        services.do_take_out_of_service(eq, kind=ServiceEventKind.REPAIR, on=days(-5), reason="倒填")
    assert "on" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        services.do_take_out_of_service(eq, kind=ServiceEventKind.RETURN_TO_SERVICE, on=days(0), reason="直接恢复")
    assert "kind" in info.value.message_dict
    services.do_take_out_of_service(eq, kind=ServiceEventKind.RETIRED, on=days(0), reason="报废")
    with pytest.raises(ValidationError):
        verify(eq, on=0, purpose=VerificationPurpose.RETURN_TO_SERVICE)
    with pytest.raises(ValidationError):
        services.do_take_out_of_service(eq, kind=ServiceEventKind.REPAIR, on=days(0), reason="又修")


def test_a_standard_lives_in_a_standards_room_and_future_dates_are_refused():
    with pytest.raises(ValidationError) as info:
        services.do_register_equipment(kind=EquipmentKind.MEASUREMENT_STANDARD, asset_no="S-9", name="标准",
                                       home_room=RoomFactory(), commissioned_on=days(5))
    assert set(info.value.message_dict) == {"home_room", "commissioned_on"}


# --- usage ------------------------------------------------------------------------------------


def test_usage_is_logged_and_audited():
    eq = make_usable()
    start = timezone.now() - dt.timedelta(hours=2)
    with pytest.raises(ValidationError) as info:
        services.do_log_usage(eq, job_ref="JOB-2026-0001", started_at=start, ended_at=start - dt.timedelta(minutes=1))
    assert "ended_at" in info.value.message_dict
    before = AuditEntry.objects.count()
    usage = services.do_log_usage(eq, job_ref=" JOB-2026-0001 ", started_at=start, ended_at=start + dt.timedelta(hours=1))
    assert usage.job_ref == "JOB-2026-0001"
    assert AuditEntry.objects.filter(model="equipment.UsageRecord").count() == 1
    assert AuditEntry.objects.count() == before + 1


def test_trace_helper_confirms_only_what_needs_it():
    rm = EquipmentFactory(reference_material=True)
    rec = trace(rm)
    assert not rec.confirmations.exists()
