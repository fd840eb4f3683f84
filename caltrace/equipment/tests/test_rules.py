"""The equipment GATEs (EQP-2…EQP-5, CND-7): each refusal with its id, and the lawful path.

Judged through ``can_perform`` (every rule of every app; we look at this app's ids) and through
``registry.enforce`` with this app's rules alone. Dates count from today: a certificate due
today is still valid, one due yesterday is not.
"""

from decimal import Decimal

import pytest

from caltrace.equipment import services
from caltrace.equipment.choices import ServiceEventKind, SpecKind, VerificationPurpose
from caltrace.equipment.factories import (
    EquipmentFactory,
    EquipmentRangeFactory,
    days,
    make_usable,
    trace,
    verify,
)
from caltrace.integrity import registry
from caltrace.integrity.registry import RuleViolation
from caltrace.integrity.work import WORK_EVENTS, JOB_START, Point, Work, can_perform

from .conftest import EQUIPMENT_RULE_IDS

pytestmark = pytest.mark.django_db


def violations(equipment, *, at=None, points=(), scope=None, event="job.assign"):
    found = can_perform(None, scope, None, equipment, at=at or days(0), points=points, event=event)
    return [v for v in found if v.rule_id in EQUIPMENT_RULE_IDS]


def ids(equipment, **kwargs):
    return sorted({v.rule_id for v in violations(equipment, **kwargs)})


def test_every_rule_is_a_gate_bound_to_the_four_moments_of_work():
    for event in WORK_EVENTS:
        bound = {r.id for r in registry.rules(event) if r.func.__module__ == "caltrace.equipment.rules"}
        assert bound == EQUIPMENT_RULE_IDS, event
    for r in registry.rules():
        if r.func.__module__ == "caltrace.equipment.rules":
            assert r.kind == registry.GATE and r.zh and r.en and r.func.__doc__


# --- EQP-2 traceability -------------------------------------------------------------------


def test_eqp2_refuses_equipment_without_traceability():
    eq = EquipmentFactory()
    verify(eq)
    found = violations([eq])
    assert [v.rule_id for v in found] == ["EQP-2"]
    assert found[0].objects[0].pk == str(eq.pk)
    assert "no traceability record" in found[0].en and "没有量值溯源记录" in found[0].zh


def test_eqp2_due_today_is_still_valid_and_due_yesterday_is_refused():
    valid_today = make_usable(due=0)
    expired = make_usable(due=-1)
    assert ids([valid_today]) == []
    found = violations([expired])
    assert [v.rule_id for v in found] == ["EQP-2"]
    assert days(-1).isoformat() in found[0].en


def test_eqp2_judges_on_the_days_of_work_not_today():
    eq = make_usable(performed=-100, due=30)
    assert ids([eq], at=days(-101)) == ["EQP-2"]  # not yet calibrated then
    assert ids([eq], at=days(-100)) == []
    assert ids([eq], at=days(30)) == []
    assert ids([eq], at=days(31)) == ["EQP-2"]


def test_eqp2_a_corrected_record_no_longer_counts():
    eq = make_usable(due=-1)  # the due date was typed wrong
    wrong = eq.traceability_records.get()
    fixed = services.do_correct_traceability(wrong, reason="有效期录入错误", kind=wrong.kind,
                                             certificate_no=wrong.certificate_no, provider=wrong.provider,
                                             performed_on=wrong.performed_on, due_on=days(200))
    services.do_confirm(fixed, confirmed_on=days(0), passed=True, requirement="满足使用要求")
    assert ids([eq]) == []


def test_eqp2_refuses_through_enforce_on_every_event(only_equipment_rules):
    eq = EquipmentFactory()
    verify(eq)
    for event in WORK_EVENTS:
        with pytest.raises(RuleViolation) as info:
            registry.enforce(event, Work(at=days(0), equipment=(eq,)))
        assert info.value.rule_ids == ["EQP-2"]
    trace(eq)
    assert registry.enforce(JOB_START, Work(at=days(0), equipment=(eq,))) == []


def test_kinds_without_traceability_need_only_verification():
    software = EquipmentFactory(software=True)
    assert ids([software]) == ["EQP-4"]
    verify(software)
    assert ids([software]) == []


# --- EQP-3 confirmation -------------------------------------------------------------------


def test_eqp3_refuses_an_unconfirmed_record():
    eq = make_usable(confirm=False)
    found = violations([eq])
    assert [v.rule_id for v in found] == ["EQP-3"]
    assert "not been metrologically confirmed" in found[0].en


def test_eqp3_refuses_a_failed_confirmation():
    eq = make_usable(passed=False)
    found = violations([eq])
    assert [v.rule_id for v in found] == ["EQP-3"] and "does not meet" in found[0].en


def test_eqp3_a_confirmation_after_the_day_of_work_does_not_count():
    eq = make_usable(confirm=False, performed=-100)
    services.do_confirm(eq.traceability_records.get(), confirmed_on=days(-50), passed=True, requirement="要求")
    assert ids([eq], at=days(-80)) == ["EQP-3"]
    assert ids([eq], at=days(-50)) == []


def test_eqp3_a_new_certificate_needs_its_own_confirmation():
    eq = make_usable(performed=-400, due=-30)
    trace(eq, performed=-20, due=345, confirm=False)
    assert ids([eq]) == ["EQP-3"]
    assert ids([eq], at=days(-100)) == []  # the old, confirmed certificate was valid then


def test_expired_and_unconfirmed_are_both_reported():
    eq = make_usable(due=-1, confirm=False)
    assert ids([eq]) == ["EQP-2", "EQP-3"]


# --- EQP-4 verification and service -------------------------------------------------------


def test_eqp4_refuses_equipment_never_verified():
    eq = EquipmentFactory()
    trace(eq)
    assert ids([eq]) == ["EQP-4"]
    services.do_record_verification(eq, purpose=VerificationPurpose.FIRST_USE, performed_on=days(-1),
                                    criteria="说明书", result="显示异常", passed=False)
    assert ids([eq]) == ["EQP-4"]
    assert ids([eq], at=days(-2)) == ["EQP-4"]
    verify(eq, on=-1)
    assert ids([eq]) == [] and ids([eq], at=days(-2)) == ["EQP-4"]


@pytest.mark.parametrize("kind", [ServiceEventKind.OUT_OF_SERVICE, ServiceEventKind.REPAIR,
                                  ServiceEventKind.RETIRED])
def test_eqp4_refuses_equipment_out_of_service(kind):
    eq = make_usable()
    services.do_take_out_of_service(eq, kind=kind, on=days(-3), reason="示值漂移", )
    found = violations([eq])
    assert [v.rule_id for v in found] == ["EQP-4"]
    assert ids([eq], at=days(-4)) == []  # before it was taken out


def test_eqp4_return_to_service_only_through_a_passed_verification():
    eq = make_usable()
    services.do_take_out_of_service(eq, kind=ServiceEventKind.REPAIR, on=days(-10), reason="控温失效",
                                    provider="福禄克测试仪器（上海）有限公司")
    verify(eq, on=-5, passed=False, purpose=VerificationPurpose.RETURN_TO_SERVICE)
    assert ids([eq]) == ["EQP-4"]
    verify(eq, on=-2, purpose=VerificationPurpose.RETURN_TO_SERVICE)
    assert ids([eq]) == []
    assert ids([eq], at=days(-3)) == ["EQP-4"]


# --- EQP-5 reference materials ------------------------------------------------------------


def test_eqp5_refuses_a_reference_material_without_certificate():
    rm = EquipmentFactory(reference_material=True)
    verify(rm)
    found = violations([rm])
    assert [v.rule_id for v in found] == ["EQP-5"]  # not EQP-2/EQP-3: a certificate, no confirmation
    assert "no certificate" in found[0].en


def test_eqp5_expiry_boundaries():
    assert ids([make_usable(EquipmentFactory(reference_material=True), due=0)]) == []
    expired = make_usable(EquipmentFactory(reference_material=True), due=-1)
    found = violations([expired])
    assert [v.rule_id for v in found] == ["EQP-5"] and "expired" in found[0].en


def test_eqp5_through_enforce(only_equipment_rules):
    rm = EquipmentFactory(reference_material=True)
    verify(rm)
    with pytest.raises(RuleViolation) as info:
        registry.enforce("certificate.issue", Work(at=days(0), equipment=(rm,)))
    assert info.value.rule_ids == ["EQP-5"]


# --- CND-7 characteristics ----------------------------------------------------------------


def volts(*values, unit="V"):
    return [Point(Decimal(v), unit) for v in values]


@pytest.fixture
def dmm_standard():
    """A usable standard with a 0…10 V range, MPE ±(10 ppm + 20 µV): u = 69.3 µV at 10 V."""
    eq = make_usable(EquipmentFactory(standard=True))
    EquipmentRangeFactory(equipment=eq)
    return eq


def test_cnd7_range_must_cover_every_point_bounds_included(dmm_standard):
    assert ids([dmm_standard], points=volts("0", "10", "10000", unit="mV")) == []
    assert ids([dmm_standard], points=volts("10000.1", unit="mV")) == ["CND-7"]
    found = violations([dmm_standard], points=volts("5", "-1", "11"))
    assert [v.rule_id for v in found] == ["CND-7", "CND-7"]
    assert "-1 V" in found[0].en and "11 V" in found[1].en


def test_cnd7_bipolar_ranges_count_by_absolute_value(dmm_standard):
    assert ids([dmm_standard], points=volts("-5")) == ["CND-7"]
    services.do_add_range(dmm_standard, quantity="直流电压", range_min=0, range_max=10, unit="V", bipolar=True,
                          spec_kind=SpecKind.MPE, spec_a=Decimal("0.00002"))
    assert ids([dmm_standard], points=volts("-5")) == []


def test_cnd7_a_point_in_another_quantity_or_an_unreadable_unit_is_refused_not_a_crash(dmm_standard):
    found = violations([dmm_standard], points=[Point(Decimal("100"), "g"), Point(Decimal("1"), "furlongs-ish")])
    assert [v.rule_id for v in found] == ["CND-7", "CND-7"]
    assert "no range of that quantity" in found[0].en and "cannot be read" in found[1].en


def test_cnd7_equipment_without_ranges_covers_nothing():
    eq = make_usable()
    assert ids([eq], points=volts("1")) == ["CND-7"]
    assert ids([eq]) == []  # no points, nothing to judge


def test_cnd7_any_equipment_used_may_cover_a_point(dmm_standard):
    other = make_usable()
    EquipmentRangeFactory(equipment=other, range_min=Decimal("10"), range_max=Decimal("1000"))
    assert ids([dmm_standard], points=volts("5", "500")) == ["CND-7"]
    assert ids([dmm_standard, other], points=volts("5", "500")) == []


def test_cnd7_accuracy_must_be_adequate_for_the_cmc(dmm_standard, scope_item):
    adequate = scope_item(cmc_a="0.00001", cmc_b="0.00002")  # CMC 210 µV at 10 V: u = 105 µV ≥ 69.3 µV
    assert ids([dmm_standard], points=volts("10"), scope=adequate) == []
    tight = scope_item(cmc_a="0.00001", cmc_b="0.000005")  # CMC 60 µV at 10 V: u = 30 µV < 69.3 µV
    found = violations([dmm_standard], points=volts("10"), scope=tight)
    assert [v.rule_id for v in found] == ["CND-7"]
    assert "accuracy not adequate" in found[0].en and tight.code in found[0].en
    assert {o.model for o in found[0].objects} == {"equipment.Equipment", "org.ScopeItem"}


def test_cnd7_adequacy_converts_the_scope_unit(dmm_standard, scope_item):
    in_mv = scope_item(unit="mV", range_max="10000", cmc_a="0.01", cmc_b="0.00002")  # same CMC, in mV
    assert ids([dmm_standard], points=volts("10"), scope=in_mv) == []
    in_mv_tight = scope_item(unit="mV", range_max="10000", cmc_a="0.01", cmc_b="0.000005")
    assert ids([dmm_standard], points=volts("10000", unit="mV"), scope=in_mv_tight) == ["CND-7"]
    grams = scope_item(unit="g")
    found = violations([dmm_standard], points=volts("10"), scope=grams)
    assert [v.rule_id for v in found] == ["CND-7"] and "does not match the unit g" in found[0].en


def test_cnd7_temperature_uncertainty_converts_without_the_offset(scope_item):
    sprt = make_usable(EquipmentFactory(standard=True))
    services.do_add_range(sprt, quantity="温度", range_min=Decimal("-50"), range_max=Decimal("150"), unit="°C",
                          spec_kind=SpecKind.UNCERTAINTY, spec_a=Decimal("0.01"), spec_k=2)
    kelvin = scope_item(unit="K", range_min="200", range_max="500", cmc_form="absolute", cmc_a="0.02", cmc_b="0")
    points = [Point(Decimal("300"), "K")]  # 26.85 °C
    assert ids([sprt], points=points, scope=kelvin) == []
    tight = scope_item(unit="K", range_min="200", range_max="500", cmc_form="absolute", cmc_a="0.005", cmc_b="0")
    assert ids([sprt], points=points, scope=tight) == ["CND-7"]
    assert ids([sprt], points=[Point(Decimal("430"), "K")], scope=kelvin) == ["CND-7"]  # 156.85 °C


def test_cnd7_through_enforce_and_every_violation_at_once(only_equipment_rules, scope_item):
    eq = EquipmentFactory(standard=True)  # never verified, no traceability
    EquipmentRangeFactory(equipment=eq)
    with pytest.raises(RuleViolation) as info:
        registry.enforce("record.sign_off", Work(at=days(0), equipment=(eq,), points=tuple(volts("20")),
                                                 scope_item=scope_item()))
    assert sorted(info.value.rule_ids) == ["CND-7", "EQP-2", "EQP-4"]


def test_the_lawful_path_has_no_violation_at_all(dmm_standard, scope_item, only_equipment_rules):
    rm = make_usable(EquipmentFactory(reference_material=True))
    software = make_usable(EquipmentFactory(software=True))
    work = Work(at=days(0), equipment=(dmm_standard, rm, software), points=tuple(volts("1", "10")),
                scope_item=scope_item())
    for event in WORK_EVENTS:
        assert registry.enforce(event, work) == []


def test_rules_cost_one_query_each_whatever_the_number_of_items(django_assert_max_num_queries, dmm_standard,
                                                                only_equipment_rules):
    work = Work(at=days(0), equipment=(dmm_standard, *[make_usable() for _ in range(8)]), points=tuple(volts("1")))
    with django_assert_max_num_queries(5):
        assert registry.check(JOB_START, work) == []
