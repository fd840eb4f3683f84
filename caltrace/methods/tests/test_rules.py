"""The methods GATEs: VAL-1 and DIG-5 (a version in force on the work's day), MTH-2 (consent and
validation for in-house, non-standard, modified and out-of-scope use), PER-4 (who develops,
validates and approves). Each with its refusal, its lawful path and the boundary days."""

import datetime as dt

import pytest

from caltrace.integrity import registry
from caltrace.integrity.registry import GATE, RuleViolation
from caltrace.integrity.work import CERTIFICATE_ISSUE, JOB_ASSIGN, JOB_START, RECORD_SIGN_OFF, WORK_EVENTS, Work, \
    can_perform
from caltrace.methods.choices import MethodKind, MethodUse, ValidationConclusion, ValidationTechnique
from caltrace.methods.factories import MethodFactory, MethodVersionFactory
from caltrace.methods.selectors import warnings_for
from caltrace.methods.services import (
    do_add_method_version,
    do_approve_validation,
    do_record_validation,
    do_supersede_method_version,
)

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 3, 10)
METHOD_IDS = {"VAL-1", "DIG-5", "MTH-2"}


def ids(violations) -> list[str]:
    return sorted(v.rule_id for v in violations if v.rule_id in METHOD_IDS)


def check(version, at=TODAY, event=JOB_START, **work):
    return registry.check(event, Work(at=at, method_version=version, **work))


# --- registration -------------------------------------------------------------------------------


def test_rules_are_gates_bound_to_every_work_event():
    for event in WORK_EVENTS:
        bound = {(r.id, r.kind) for r in registry.rules(event)}
        assert {("VAL-1", GATE), ("DIG-5", GATE), ("MTH-2", GATE)} <= bound, event
    assert {r.id for r in registry.rules("method.validation.record")} == {"PER-4"}
    assert {r.id for r in registry.rules("method.validation.approve")} == {"PER-4"}
    assert {r.id for r in registry.rules("method.version.add")} == {"PER-4"}


def test_work_without_a_method_version_is_not_judged_here():
    assert ids(registry.check(JOB_START, Work(at=TODAY))) == []


# --- VAL-1 / DIG-5 ------------------------------------------------------------------------------


def test_current_version_is_allowed():
    version = MethodVersionFactory(effective_on=dt.date(2016, 12, 27))
    for event in WORK_EVENTS:
        assert ids(check(version, event=event)) == []


def test_withdrawn_today_is_refused_today_and_allowed_yesterday_with_a_warning():
    version = MethodVersionFactory(effective_on=dt.date(2015, 3, 1), withdrawn_on=TODAY)
    found = check(version, at=TODAY)
    assert ids(found) == ["DIG-5", "VAL-1"]
    val1 = next(v for v in found if v.rule_id == "VAL-1")
    assert val1.kind == GATE and TODAY.isoformat() in val1.zh and "withdrawn" in val1.en
    assert val1.objects[0].pk == str(version.pk)

    yesterday = TODAY - dt.timedelta(days=1)
    assert ids(check(version, at=yesterday)) == []
    [warning] = warnings_for(version, yesterday)
    assert warning.code == "withdrawal_soon" and warning.due_on == TODAY and "1 天后" in warning.zh


def test_withdrawn_tomorrow_is_allowed_with_a_warning():
    version = MethodVersionFactory(effective_on=dt.date(2015, 3, 1), withdrawn_on=TODAY + dt.timedelta(days=1))
    assert ids(check(version)) == []
    assert [w.code for w in warnings_for(version, TODAY)] == ["withdrawal_soon"]


def test_warning_period_boundary(settings):
    settings.CALTRACE = {**settings.CALTRACE, "METHOD_WITHDRAWAL_WARNING_DAYS": 30}
    version = MethodVersionFactory(effective_on=dt.date(2015, 3, 1), withdrawn_on=TODAY + dt.timedelta(days=30))
    assert [w.code for w in warnings_for(version, TODAY)] == ["withdrawal_soon"]
    assert warnings_for(version, TODAY - dt.timedelta(days=1)) == []
    assert ids(check(version)) == []


def test_superseded_by_a_version_effective_today_is_refused_and_names_the_successor():
    method = MethodFactory(code="JJG 1036", kind=MethodKind.JJG)
    old = do_add_method_version(method, edition="2008", effective_on=dt.date(2008, 5, 20))
    new = do_add_method_version(method, edition="2022", effective_on=TODAY, supersedes=old)
    old.refresh_from_db()
    found = check(old)
    assert ids(found) == ["DIG-5", "VAL-1"]
    val1 = next(v for v in found if v.rule_id == "VAL-1")
    assert "JJG 1036-2022" in val1.zh and "use the current version JJG 1036-2022" in val1.en
    assert {o.pk for o in val1.objects} == {str(old.pk), str(new.pk)}
    assert ids(check(new)) == []  # the lawful path: the successor
    day_before = TODAY - dt.timedelta(days=1)
    assert ids(check(old, at=day_before)) == []
    assert ids(check(new, at=day_before)) == ["VAL-1"]  # not yet effective: VAL-1 only, no DIG-5 alert
    assert [w.code for w in warnings_for(old, day_before)] == ["withdrawal_soon"]


def test_not_yet_effective_is_refused_until_its_first_day():
    version = MethodVersionFactory(effective_on=TODAY)
    found = check(version, at=TODAY - dt.timedelta(days=1))
    val1 = [v for v in found if v.rule_id == "VAL-1"]
    assert ids(found) == ["VAL-1"] and "takes effect on" in val1[0].en
    assert ids(check(version, at=TODAY)) == []


def test_transition_period_keeps_the_old_version_until_its_withdrawal():
    old = MethodVersionFactory(edition="2010", effective_on=dt.date(2011, 3, 6))
    new = MethodVersionFactory(method=old.method, edition="2024", effective_on=TODAY)
    do_supersede_method_version(old, new, withdrawn_on=TODAY + dt.timedelta(days=60))
    old.refresh_from_db()
    assert ids(check(old)) == []
    assert [w.code for w in warnings_for(old, TODAY)] == ["withdrawal_soon"]
    assert "由 " in warnings_for(old, TODAY)[0].zh
    assert ids(check(old, at=TODAY + dt.timedelta(days=60))) == ["DIG-5", "VAL-1"]


def test_a_newer_edition_in_force_without_recorded_supersession_warns():
    old = MethodVersionFactory(edition="2008", effective_on=dt.date(2008, 5, 20))
    MethodVersionFactory(method=old.method, edition="2022", effective_on=dt.date(2023, 3, 27))
    assert ids(check(old)) == []
    assert [w.code for w in warnings_for(old, TODAY)] == ["newer_edition"]


def test_superseded_chain_points_at_the_version_current_on_the_day():
    a = MethodVersionFactory(method__code="JJF 1059", edition="1999", effective_on=dt.date(1999, 5, 1))
    b = MethodVersionFactory(method__code="JJF 1059.1", edition="2012", effective_on=dt.date(2013, 6, 3))
    c = MethodVersionFactory(method=b.method, edition="2024", effective_on=dt.date(2024, 6, 1))
    do_supersede_method_version(a, b)
    do_supersede_method_version(b, c)
    a.refresh_from_db()
    val1 = next(v for v in check(a) if v.rule_id == "VAL-1")
    assert "JJF 1059.1-2024" in val1.en


def test_enforce_raises_with_the_ids_on_every_event():
    version = MethodVersionFactory(effective_on=dt.date(2000, 1, 1), withdrawn_on=dt.date(2020, 1, 1))
    for event in (JOB_ASSIGN, JOB_START, RECORD_SIGN_OFF, CERTIFICATE_ISSUE):
        with pytest.raises(RuleViolation) as exc:
            registry.enforce(event, Work(at=TODAY, method_version=version))
        assert {"VAL-1", "DIG-5"} <= set(exc.value.rule_ids)


def test_can_perform_returns_the_method_violations():
    version = MethodVersionFactory(effective_on=dt.date(2000, 1, 1), withdrawn_on=dt.date(2020, 1, 1))
    assert ids(can_perform(None, None, version, at=TODAY)) == ["DIG-5", "VAL-1"]
    current = MethodVersionFactory(effective_on=dt.date(2000, 1, 1))
    assert ids(can_perform(None, None, current, at=TODAY)) == []


# --- MTH-2 --------------------------------------------------------------------------------------


@pytest.fixture
def in_house(senior):
    method = MethodFactory(code="MH/ZY-03", kind=MethodKind.IN_HOUSE, title="自编方法")
    return do_add_method_version(method, edition="2024", effective_on=dt.date(2024, 9, 1), developed_by=senior)


def validate(version, person, *, use=MethodUse.IN_HOUSE, conclusion=ValidationConclusion.FIT,
             validated_on=dt.date(2024, 7, 15), approve_on=dt.date(2024, 8, 20), approver=None):
    validation = do_record_validation(version, use=use, subject="方法整体",
                                      techniques=[ValidationTechnique.METHOD_COMPARISON], result="|En| ≤ 0.6",
                                      conclusion=conclusion, validated_by=person, validated_on=validated_on)
    if approve_on:
        validation = do_approve_validation(validation, approved_by=approver or person, approved_on=approve_on)
    return validation


def mth2(violations):
    return [v for v in violations if v.rule_id == "MTH-2"]


def test_in_house_method_without_consent_or_validation_is_refused(in_house):
    found = mth2(check(in_house))
    assert len(found) == 2
    assert "consent" in found[0].en and "validation" in found[1].en
    assert all(v.kind == GATE for v in found)


def test_in_house_method_with_consent_but_no_validation_is_refused(in_house):
    found = mth2(check(in_house, customer_consent=True))
    assert len(found) == 1 and "no approved validation" in found[0].en


def test_in_house_method_with_validation_but_no_consent_is_refused(in_house, senior):
    validate(in_house, senior)
    found = mth2(check(in_house))
    assert len(found) == 1 and "consent" in found[0].en


def test_in_house_method_with_consent_and_approved_validation_is_allowed(in_house, senior):
    validate(in_house, senior)
    assert ids(check(in_house, customer_consent=True)) == []
    assert ids(can_perform(None, None, in_house, at=TODAY, customer_consent=True)) == []


def test_unapproved_unfit_or_later_approved_validation_does_not_count(in_house, senior):
    pending = validate(in_house, senior, approve_on=None)
    assert len(mth2(check(in_house, customer_consent=True))) == 1
    validate(in_house, senior, conclusion=ValidationConclusion.NOT_FIT)
    assert len(mth2(check(in_house, customer_consent=True))) == 1
    do_approve_validation(pending, approved_by=senior, approved_on=TODAY)
    assert len(mth2(check(in_house, at=TODAY - dt.timedelta(days=1), customer_consent=True))) == 1
    assert mth2(check(in_house, at=TODAY, customer_consent=True)) == []


def test_validation_of_another_version_does_not_count(in_house, senior):
    other = do_add_method_version(in_house.method, edition="2019", effective_on=dt.date(2019, 1, 1),
                                  developed_by=senior)
    validate(other, senior)
    assert len(mth2(check(in_house, customer_consent=True))) == 1


def test_standard_method_used_as_written_needs_nothing():
    version = MethodVersionFactory()
    assert mth2(check(version)) == []


@pytest.mark.parametrize("use", [MethodUse.MODIFIED, MethodUse.OUT_OF_SCOPE])
def test_modified_or_out_of_scope_use_needs_consent_and_its_own_validation(use, senior):
    version = MethodVersionFactory(effective_on=dt.date(2016, 12, 27))
    extra = {"method_use": use}
    assert len(mth2(check(version, extra=extra))) == 2
    other_use = MethodUse.OUT_OF_SCOPE if use == MethodUse.MODIFIED else MethodUse.MODIFIED
    validate(version, senior, use=other_use)
    assert len(mth2(check(version, extra=extra, customer_consent=True))) == 1
    validate(version, senior, use=use)
    assert mth2(check(version, extra=extra, customer_consent=True)) == []
    assert mth2(check(version, extra={"method_use": "nonsense"})) == []


def test_non_standard_method_needs_consent_and_validation(senior):
    version = MethodVersionFactory(method__code="Fluke 5522A 手册", method__kind=MethodKind.NON_STANDARD)
    assert len(mth2(check(version))) == 2
    validate(version, senior, use=MethodUse.NON_STANDARD)
    assert mth2(check(version, customer_consent=True)) == []


def test_withdrawn_in_house_version_is_refused_even_when_validated(in_house, senior):
    validate(in_house, senior)
    old = do_add_method_version(in_house.method, edition="2015", effective_on=dt.date(2015, 3, 1),
                                withdrawn_on=dt.date(2024, 6, 30), developed_by=senior)
    validate(old, senior, validated_on=dt.date(2015, 1, 5), approve_on=dt.date(2015, 2, 1))
    assert ids(check(old, customer_consent=True)) == ["DIG-5", "VAL-1"]


# --- PER-4 --------------------------------------------------------------------------------------


def test_unqualified_validator_is_refused(in_house, level2):
    with pytest.raises(RuleViolation) as exc:
        validate(in_house, level2, approve_on=None)
    assert exc.value.rule_ids == ["PER-4"]
    assert level2.name in exc.value.violations[0].zh
    assert not in_house.validations.exists()


def test_level1_validator_is_qualified_only_while_the_certificate_is_valid(in_house, level1):
    with pytest.raises(RuleViolation) as exc:
        validate(in_house, level1, validated_on=dt.date(2022, 6, 19), approve_on=None)
    assert exc.value.rule_ids == ["PER-4"]
    assert validate(in_house, level1, validated_on=dt.date(2022, 6, 20), approve_on=None).pk


def test_senior_title_qualifies(in_house, senior):
    assert validate(in_house, senior).is_valid_on(TODAY)


def test_unqualified_approver_is_refused(in_house, senior, level2):
    validation = validate(in_house, senior, approve_on=None)
    with pytest.raises(RuleViolation) as exc:
        do_approve_validation(validation, approved_by=level2, approved_on=dt.date(2024, 8, 1))
    assert exc.value.rule_ids == ["PER-4"]
    validation.refresh_from_db()
    assert validation.approved_on is None


def test_unqualified_developer_of_an_in_house_method_is_refused(level2, senior):
    method = MethodFactory(code="MH/ZY-09", kind=MethodKind.IN_HOUSE)
    with pytest.raises(RuleViolation) as exc:
        do_add_method_version(method, edition="2024", effective_on=dt.date(2024, 1, 1), developed_by=level2)
    assert exc.value.rule_ids == ["PER-4"]
    assert not method.versions.exists()
    assert do_add_method_version(method, edition="2024", effective_on=dt.date(2024, 1, 1), developed_by=senior).pk
