"""QUAL-1, PRH-5 and SITE-2 on a piece of work: each refusal with its id, and the lawful path,
at every work event."""

import datetime as dt
from decimal import Decimal

import pytest

from caltrace.equipment.choices import EquipmentKind
from caltrace.equipment.factories import EquipmentFactory
from caltrace.integrity import registry
from caltrace.integrity.registry import GATE, RuleViolation
from caltrace.integrity.work import WORK_EVENTS, Point, Work, can_perform
from caltrace.org.factories import QualificationCertificateFactory, RoomFactory, ScopeItemFactory
from caltrace.org.services import do_update_qualification_certificate, do_update_scope_item, do_update_site

from .conftest import TODAY

pytestmark = pytest.mark.django_db

OURS = {"QUAL-1", "PRH-5", "SITE-2"}


def ours(violations):
    return [v for v in violations if v.rule_id in OURS]


def ids(violations):
    return sorted({v.rule_id for v in ours(violations)})


def dcv_work(lab, **overrides):
    fields = dict(at=TODAY, scope_item=lab.dcv, method_version=lab.dmm_version, site=lab.main,
                  points=(Point(Decimal("10"), "V"), Point(Decimal("-1000"), "V"), Point(Decimal("100"), "mV")))
    fields.update(overrides)
    return Work(**fields)


def test_rules_are_registered_as_gates_on_every_work_event():
    for rule_id in OURS:
        found = [r for r in registry.rules() if r.id == rule_id and r.name.startswith("caltrace.org.")]
        assert len(found) == 1, rule_id
        assert found[0].kind == GATE and set(found[0].events) == set(WORK_EVENTS)


@pytest.mark.parametrize("event", WORK_EVENTS)
def test_lawful_work_passes_at_every_event(lab, event):
    assert ours(registry.check(event, dcv_work(lab))) == []


def test_can_perform_lawful_path(lab):
    found = can_perform(None, lab.dcv, lab.dmm_version, at=TODAY, site=lab.main,
                        points=[Point(Decimal("1000"), "V")])
    assert ours(found) == []


# --- QUAL-1: the certificate ---------------------------------------------------------------------


def test_certificate_valid_until_today_is_allowed_until_yesterday_refused(lab):
    do_update_qualification_certificate(lab.cert, valid_until=TODAY)
    assert ours(registry.check("job.start", dcv_work(lab))) == []
    do_update_qualification_certificate(lab.cert, valid_until=TODAY - dt.timedelta(days=1))
    lab.dcv.certificate.refresh_from_db()
    with pytest.raises(RuleViolation) as info:
        registry.enforce("job.start", dcv_work(lab))
    assert "QUAL-1" in info.value.rule_ids
    (v,) = [v for v in info.value.violations if v.rule_id == "QUAL-1"]
    assert "CNAS L90001" in v.zh and "到期" in v.zh and "expired" in v.en


@pytest.mark.parametrize("event", WORK_EVENTS)
def test_expired_certificate_is_refused_at_every_event(lab, event):
    old = QualificationCertificateFactory(agency=lab.agency, valid_from=dt.date(2018, 1, 1),
                                          valid_until=dt.date(2023, 12, 31))
    item = ScopeItemFactory(certificate=old, methods=[lab.dmm], sites=[lab.main])
    with pytest.raises(RuleViolation) as info:
        registry.enforce(event, dcv_work(lab, scope_item=item))
    assert ids(info.value.violations) == ["QUAL-1"]


def test_certificate_not_yet_valid_and_revoked_are_refused(lab):
    future = QualificationCertificateFactory(agency=lab.agency, valid_from=TODAY + dt.timedelta(days=1),
                                             valid_until=dt.date(2031, 1, 1))
    item = ScopeItemFactory(certificate=future, methods=[lab.dmm], sites=[lab.main])
    assert ids(can_perform(None, item, lab.dmm_version, at=TODAY, site=lab.main)) == ["QUAL-1"]
    do_update_qualification_certificate(lab.cert, revoked_on=TODAY)
    lab.dcv.certificate.refresh_from_db()
    found = ours(can_perform(None, lab.dcv, lab.dmm_version, at=TODAY, site=lab.main))
    assert [v.rule_id for v in found] == ["QUAL-1"] and "撤销" in found[0].zh
    assert ours(can_perform(None, lab.dcv, lab.dmm_version, at=TODAY - dt.timedelta(days=1), site=lab.main)) == []


def test_missing_scope_item_is_refused(lab):
    found = ours(can_perform(None, None, lab.dmm_version, at=TODAY, site=lab.main))
    assert [v.rule_id for v in found] == ["QUAL-1"]
    assert "No scope item" in found[0].en


def test_withdrawn_item_is_refused_from_its_withdrawal_day(lab):
    do_update_scope_item(lab.dcv, withdrawn_on=TODAY)
    lab.dcv.refresh_from_db()
    assert ids(registry.check("record.sign_off", dcv_work(lab))) == ["QUAL-1"]
    assert ours(registry.check("record.sign_off", dcv_work(lab, at=TODAY - dt.timedelta(days=1)))) == []


# --- QUAL-1 and PRH-5: method and range ------------------------------------------------------------


def test_method_outside_the_item_is_refused(lab):
    found = ours(registry.check("job.assign", dcv_work(lab, method_version=lab.prt_version)))
    assert {v.rule_id for v in found} == {"QUAL-1", "PRH-5"}
    assert all("JJG 229-2010" in v.zh and "JJF 1587" in v.zh for v in found)


def test_missing_method_version_is_refused(lab):
    assert ids(registry.check("job.assign", dcv_work(lab, method_version=None))) == ["PRH-5", "QUAL-1"]


@pytest.mark.parametrize("point,allowed", [
    (Point(Decimal("1000"), "V"), True),
    (Point(Decimal("-1000"), "V"), True),          # bipolar range: ±(0~1000) V
    (Point(Decimal("1000000"), "mV"), True),       # the upper bound in another unit
    (Point(Decimal("1000.001"), "V"), False),
    (Point(Decimal("1000001"), "mV"), False),
    (Point(Decimal("1.1"), "kV"), False),
    (Point(Decimal("0.5"), "μV"), True),
])
def test_points_are_converted_to_the_range_unit(lab, point, allowed):
    found = ours(registry.check("record.sign_off", dcv_work(lab, points=(point,))))
    if allowed:
        assert found == []
    else:
        assert {v.rule_id for v in found} == {"QUAL-1", "PRH-5"}
        assert all("±(0~1000) V" in v.zh and "outside the range" in v.en for v in found)


@pytest.mark.parametrize("point,allowed", [
    (Point(Decimal("-40"), "degC"), True),
    (Point(Decimal("300"), "°C"), True),
    (Point(Decimal("573.15"), "K"), True),
    (Point(Decimal("573.16"), "K"), False),
    (Point(Decimal("-40.01"), "degC"), False),
    (Point(Decimal("-40"), "degF"), True),         # -40 °F is -40 °C
])
def test_temperature_points_convert_with_offset(lab, point, allowed):
    work = Work(at=TODAY, scope_item=lab.temp, method_version=lab.prt_version, site=lab.branch, points=(point,))
    assert (ours(registry.check("job.start", work)) == []) is allowed


@pytest.mark.parametrize("unit", ["g", "furlongz", ""])
def test_incompatible_or_unknown_unit_is_refused_with_a_clear_message(lab, unit):
    found = ours(registry.check("job.start", dcv_work(lab, points=(Point(Decimal("5"), unit),))))
    assert {v.rule_id for v in found} == {"QUAL-1", "PRH-5"}
    assert all("不相容" in v.zh and "cannot be converted to V" in v.en for v in found)


# --- SITE-2 --------------------------------------------------------------------------------------


def test_in_lab_work_at_a_site_outside_the_item_is_refused(lab):
    with pytest.raises(RuleViolation) as info:
        registry.enforce("job.start", dcv_work(lab, site=lab.branch))
    assert ids(info.value.violations) == ["SITE-2"]
    assert "分部" in info.value.violations[0].zh


def test_in_lab_work_without_a_site_is_refused(lab):
    assert ids(registry.check("job.assign", dcv_work(lab, site=None))) == ["SITE-2"]


def test_on_site_work_at_the_customer_is_allowed(lab):
    assert ours(registry.check("job.start", dcv_work(lab, site=None, on_site=True))) == []
    assert ours(registry.check("job.start", dcv_work(lab, site=lab.branch, on_site=True))) == []


def test_site_whose_lease_has_expired_is_refused(lab):
    work = Work(at=TODAY, scope_item=lab.temp, method_version=lab.prt_version, site=lab.branch)
    assert ours(registry.check("job.start", work)) == []
    do_update_site(lab.branch, tenure_valid_until=TODAY - dt.timedelta(days=1))
    lab.branch.refresh_from_db()
    found = ours(registry.check("job.start", work))
    assert [v.rule_id for v in found] == ["SITE-2"]
    assert "ZL" not in found[0].zh and "租赁凭证" in found[0].zh and "lease" in found[0].en
    do_update_site(lab.branch, tenure_valid_until=TODAY)
    lab.branch.refresh_from_db()
    assert ours(registry.check("job.start", work)) == []


def test_measurement_standard_kept_at_another_site_is_refused(lab):
    here = EquipmentFactory(kind=EquipmentKind.MEASUREMENT_STANDARD,
                            home_room=RoomFactory(site=lab.main, keeps_standards=True))
    there = EquipmentFactory(kind=EquipmentKind.MEASUREMENT_STANDARD,
                             home_room=RoomFactory(site=lab.branch, keeps_standards=True))
    instrument = EquipmentFactory(kind=EquipmentKind.MEASURING_INSTRUMENT, home_room=RoomFactory(site=lab.branch))
    assert ours(registry.check("job.start", dcv_work(lab, equipment=(here, instrument)))) == []
    found = ours(registry.check("job.start", dcv_work(lab, equipment=(here, there))))
    assert [v.rule_id for v in found] == ["SITE-2"] and there.asset_no in found[0].zh
    assert ours(registry.check("job.start", dcv_work(lab, equipment=(there,), site=None, on_site=True))) == []


def test_every_violation_is_returned_together(lab):
    old = QualificationCertificateFactory(agency=lab.agency, valid_from=dt.date(2018, 1, 1),
                                          valid_until=dt.date(2023, 12, 31))
    item = ScopeItemFactory(certificate=old, methods=[lab.dmm], sites=[lab.main])
    found = can_perform(None, item, lab.prt_version, at=TODAY, site=lab.branch,
                        points=[Point(Decimal("5000"), "V")], event="certificate.issue")
    assert ids(found) == ["PRH-5", "QUAL-1", "SITE-2"]
