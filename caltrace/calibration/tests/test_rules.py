"""The rules of record sign-off in the calibration app: CND-3 (complete records) and SITE-3 (the
logged environment within the method's limits: a GATE on a breach, a FLAG when a condition the
method limits was not logged). Each refusal has its lawful twin."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from caltrace.calibration import services
from caltrace.calibration.choices import EquipmentRole, MeasurementModel, ProcedureKind, RecordStatus
from caltrace.calibration.factories import make_procedure
from caltrace.calibration.rules import conditions_logged, conditions_within_limits
from caltrace.integrity.models import Finding
from caltrace.integrity.registry import RuleViolation
from caltrace.integrity.work import RECORD_SIGN_OFF, WORK_EVENTS
from caltrace.methods.factories import EnvironmentLimitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def site3(only_cnd3):
    only_cnd3.rule("SITE-3", kind="GATE", events=[RECORD_SIGN_OFF], zh="环境", en="environment")(
        conditions_within_limits)
    only_cnd3.rule("SITE-3", kind="FLAG", events=[RECORD_SIGN_OFF], zh="环境记录", en="environment logged")(
        conditions_logged)
    return only_cnd3


@pytest.fixture
def record(alice, weights):
    procedure = make_procedure(MeasurementModel.BALANCE, kind=ProcedureKind.MANUAL, readings_per_point=1)
    version = procedure.method_version
    EnvironmentLimitFactory(version=version, condition="temperature", minimum=Decimal("18"), maximum=Decimal("22"),
                            unit="°C", max_variation=None)
    EnvironmentLimitFactory(version=version, condition="humidity", minimum=None, maximum=Decimal("75"), unit="%",
                            max_variation=None)
    record = services.do_start_record(procedure, item="XS205", actor=alice,
                                      equipment=[(weights, EquipmentRole.REFERENCE)])
    for p in procedure.points.all():
        services.do_type_reading(record, p, p.nominal, "g", actor=alice)
    return record


def test_site3_conditions_outside_the_methods_limits_refuse_sign_off(record, alice, site3):
    services.do_record_conditions(record, [{"condition": "temperature", "value": "23.4", "unit": "°C"},
                                           {"condition": "humidity", "value": "50", "unit": "%"}], actor=alice)
    with pytest.raises(RuleViolation) as exc:
        services.do_sign_off_record(record, actor=alice)
    assert exc.value.rule_ids == ["SITE-3"] and "23.4" in str(exc.value)
    record.refresh_from_db()
    assert record.status == RecordStatus.DRAFT


def test_site3_conditions_within_the_limits_let_the_record_be_signed_off(record, alice, site3):
    services.do_record_conditions(record, [{"condition": "temperature", "value": "20.1", "unit": "°C"},
                                           {"condition": "humidity", "value": "50", "unit": "%"}], actor=alice)
    assert services.do_sign_off_record(record, actor=alice).status == RecordStatus.SIGNED_OFF
    assert not Finding.objects.filter(rule_id="SITE-3").exists()


def test_site3_an_unlogged_condition_is_flagged_not_refused(record, alice, site3):
    services.do_record_conditions(record, [{"condition": "temperature", "value": "20.1", "unit": "°C"}], actor=alice)
    assert services.do_sign_off_record(record, actor=alice).status == RecordStatus.SIGNED_OFF
    finding = Finding.objects.get(rule_id="SITE-3")
    assert "humidity" in finding.message_en and not finding.blocks_issue


def test_bad_conditions_are_refused_naming_the_entry_and_nothing_is_stored(record, alice):
    with pytest.raises(ValidationError) as exc:
        services.do_record_conditions(record, [{"condition": "temperature", "value": "20.1", "unit": "°C"},
                                               {"condition": "moonlight", "value": "1", "unit": "lx"},
                                               {"condition": "humidity", "value": "abc", "unit": "%"}], actor=alice)
    messages = exc.value.message_dict["conditions"]
    assert any("第 2 条" in m for m in messages) and any("第 3 条" in m for m in messages)
    record.refresh_from_db()
    assert record.conditions == []


def test_the_record_rules_are_bound_to_sign_off_only():
    from caltrace.integrity import registry

    bound = {(r.id, r.kind) for r in registry.rules(RECORD_SIGN_OFF) if r.name.startswith("caltrace.calibration.")}
    assert bound == {("CND-3", "GATE"), ("SITE-3", "GATE"), ("SITE-3", "FLAG"), ("REC-3", "GATE")}
    for event in set(WORK_EVENTS) - {RECORD_SIGN_OFF}:
        assert not [r for r in registry.rules(event) if r.name.startswith("caltrace.calibration.")]
