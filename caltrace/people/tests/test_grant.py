"""Granting authorizations through the service: each refusal names its requirement id, each has
its lawful twin, the boundaries are exact; and the other writes (training, revocation, leaving)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from caltrace.core.models import AuditEntry
from caltrace.integrity.models import Finding
from caltrace.integrity.registry import RuleViolation
from caltrace.people import selectors
from caltrace.people.choices import AuthorizationKind as AK
from caltrace.people.choices import EmploymentType, TrainingKind
from caltrace.people.choices import QualificationKind as QK
from caltrace.people.models import Authorization
from caltrace.people.services import (
    do_record_training,
    do_revoke_authorization,
    do_update_person,
)

from .conftest import DAY, years_before

pytestmark = pytest.mark.django_db

RM1 = (QK.REGISTERED_METROLOGIST_1, dt.date(2020, 1, 1), dt.date(2028, 1, 1))
RM2 = (QK.REGISTERED_METROLOGIST_2, dt.date(2020, 1, 1), dt.date(2028, 1, 1))
SENIOR = (QK.SENIOR_TITLE, dt.date(2015, 1, 1), None)
FOUR_FIELDS = ["electrical", "thermal", "mechanical", "length"]


def refused_ids(excinfo) -> list[str]:
    return excinfo.value.rule_ids


# --- PER-2 ------------------------------------------------------------------------------------------


def test_per2_three_fields_with_level_2_are_granted(make_person, grant):
    auth = grant(make_person(quals=[RM2]), AK.SIGNATORY, metrology_fields=FOUR_FIELDS[:3])
    assert auth.pk and auth.metrology_fields == ["thermal", "mechanical", "electrical"]


def test_per2_four_fields_with_level_2_are_refused(make_person, grant):
    person = make_person(quals=[RM2])
    with pytest.raises(RuleViolation) as info:
        grant(person, AK.SIGNATORY, metrology_fields=FOUR_FIELDS)
    assert refused_ids(info) == ["PER-2"]
    assert "PER-2" in str(info.value)
    assert not Authorization.objects.filter(person=person).exists()


@pytest.mark.parametrize("qual", [RM1, SENIOR], ids=["level-1", "senior title"])
def test_per2_four_fields_with_level_1_or_a_senior_title_are_granted(make_person, grant, qual):
    assert grant(make_person(quals=[qual]), AK.SIGNATORY, metrology_fields=FOUR_FIELDS).pk


def test_per2_per7_a_verifier_certificate_counts_as_level_2_not_level_1(make_person, grant, defence_agency):
    verifier = (QK.VERIFIER_CERTIFICATE, dt.date(2020, 1, 1), dt.date(2028, 1, 1))
    assert grant(make_person(quals=[verifier]), AK.SIGNATORY, metrology_fields=["thermal"]).pk
    with pytest.raises(RuleViolation) as info:
        grant(make_person(quals=[verifier]), AK.SIGNATORY, metrology_fields=FOUR_FIELDS)
    assert refused_ids(info) == ["PER-2"]


def test_per2_the_qualification_must_be_valid_on_the_day_the_authorization_takes_effect(make_person, grant):
    person = make_person(quals=[(QK.REGISTERED_METROLOGIST_2, dt.date(2020, 1, 1), DAY)])
    assert grant(person, AK.SIGNATORY, metrology_fields=["thermal"], valid_from=DAY).pk
    lapsed = make_person(quals=[(QK.REGISTERED_METROLOGIST_2, dt.date(2020, 1, 1), DAY - dt.timedelta(days=1))])
    with pytest.raises(RuleViolation) as info:
        grant(lapsed, AK.SIGNATORY, metrology_fields=["thermal"], valid_from=DAY)
    assert refused_ids(info) == ["PER-2"]


def test_a_grant_is_judged_on_the_grant_day_too_when_inside_its_validity(make_person, grant):
    person = make_person(quals=[(QK.REGISTERED_METROLOGIST_2, dt.date(2020, 1, 1), dt.date(2026, 1, 1))])
    with pytest.raises(RuleViolation):  # backdated to when the person qualified, but not qualified today
        grant(person, AK.SIGNATORY, metrology_fields=["thermal"], valid_from=dt.date(2025, 1, 1))
    # recording a past authorization that has already ended is judged on its first day only
    past = grant(person, AK.SIGNATORY, metrology_fields=["thermal"], valid_from=dt.date(2025, 1, 1),
                 valid_until=dt.date(2025, 12, 31))
    assert past.validity_on(DAY) == "lapsed"


# --- PER-3 ------------------------------------------------------------------------------------------


def test_per3_five_years_of_experience_exactly_on_the_appointment_day_are_enough(make_person, grant):
    person = make_person(quals=[SENIOR], calibration_since=years_before(DAY, 5))
    assert grant(person, AK.TECHNICAL_DIRECTOR, valid_from=DAY, valid_until=None).pk


def test_per3_one_day_short_of_five_years_is_refused(make_person, grant):
    person = make_person(quals=[SENIOR], calibration_since=years_before(DAY, 5) + dt.timedelta(days=1))
    with pytest.raises(RuleViolation) as info:
        grant(person, AK.TECHNICAL_DIRECTOR, valid_from=DAY, valid_until=None)
    assert refused_ids(info) == ["PER-3"]
    assert "4" in info.value.violations[0].zh


def test_per3_level_2_is_not_enough_for_a_technical_director(make_person, grant):
    person = make_person(quals=[RM2], calibration_since=dt.date(2000, 1, 1))
    with pytest.raises(RuleViolation) as info:
        grant(person, AK.TECHNICAL_DIRECTOR, valid_from=DAY)
    assert refused_ids(info) == ["PER-3"]


def test_per3_with_level_1_and_experience_is_granted(make_person, grant):
    assert grant(make_person(quals=[RM1], calibration_since=dt.date(2010, 1, 1)), AK.TECHNICAL_DIRECTOR).pk


# --- PER-4 ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", [AK.METHOD_DEVELOPER, AK.METHOD_VALIDATOR])
def test_per4_level_2_may_not_develop_or_validate_methods(make_person, grant, kind):
    with pytest.raises(RuleViolation) as info:
        grant(make_person(quals=[RM2]), kind)
    assert refused_ids(info) == ["PER-4"]


@pytest.mark.parametrize("qual", [RM1, SENIOR], ids=["level-1", "senior title"])
@pytest.mark.parametrize("kind", [AK.METHOD_DEVELOPER, AK.METHOD_VALIDATOR])
def test_per4_level_1_or_a_senior_title_may(make_person, grant, kind, qual, scope):
    assert grant(make_person(quals=[qual]), kind, methods=[scope.dmm]).pk


def test_qualifies_as_method_validator_reads_the_day(make_person):
    person = make_person(quals=[(QK.REGISTERED_METROLOGIST_1, dt.date(2020, 1, 1), DAY)])
    assert selectors.qualifies_as_method_validator(person, DAY)
    assert not selectors.qualifies_as_method_validator(person, DAY + dt.timedelta(days=1))
    assert not selectors.qualifies_as_method_validator(make_person(quals=[RM2]), DAY)


# --- PER-5 and CND-6 at grant -------------------------------------------------------------------------


def test_per5_a_qualified_trained_long_term_employee_is_granted_calibrator(make_person, grant, scope):
    auth = grant(make_person(), AK.CALIBRATOR, scope_items=[scope.dcv, scope.acv], methods=[scope.dmm])
    assert {s.pk for s in auth.scope_items.all()} == {scope.dcv.pk, scope.acv.pk}
    assert [m.pk for m in auth.methods.all()] == [scope.dmm.pk]


@pytest.mark.parametrize("kind", [AK.CALIBRATOR, AK.REVIEWER])
def test_per5_a_temporary_worker_is_refused(make_person, grant, scope, kind):
    person = make_person(employment_type=EmploymentType.TEMPORARY)
    extra = ({"scope_items": [scope.dcv], "methods": [scope.dmm]} if kind == AK.CALIBRATOR
             else {"metrology_fields": ["electrical"]})
    with pytest.raises(RuleViolation) as info:
        grant(person, kind, **extra)
    assert refused_ids(info) == ["PER-5"]


def test_per5_age_boundaries_at_grant(make_person, grant):
    sixty_five = make_person(birth_date=years_before(DAY, 65))
    assert grant(sixty_five, AK.REVIEWER, metrology_fields=["electrical"], valid_from=DAY).pk
    sixty_six = make_person(birth_date=years_before(DAY, 66))
    with pytest.raises(RuleViolation) as info:
        grant(sixty_six, AK.REVIEWER, metrology_fields=["electrical"], valid_from=DAY)
    assert refused_ids(info) == ["PER-5"]


def test_per5_and_per7_a_verifier_certificate_qualifies_a_calibrator(make_person, grant, scope, defence_agency):
    person = make_person(quals=[(QK.VERIFIER_CERTIFICATE, dt.date(2020, 1, 1), dt.date(2028, 1, 1))])
    assert grant(person, AK.CALIBRATOR, scope_items=[scope.dcv], methods=[scope.dmm]).pk


def test_per7_in_a_civil_agency_a_verifier_certificate_is_not_level_2(make_person, grant, scope):
    verifier = (QK.VERIFIER_CERTIFICATE, dt.date(2020, 1, 1), dt.date(2028, 1, 1))
    with pytest.raises(RuleViolation) as info:
        grant(make_person(quals=[verifier]), AK.CALIBRATOR, scope_items=[scope.dcv], methods=[scope.dmm])
    assert refused_ids(info) == ["PER-5"]
    with pytest.raises(RuleViolation) as info:
        grant(make_person(quals=[verifier]), AK.SIGNATORY, metrology_fields=["thermal"])
    assert refused_ids(info) == ["PER-2"]


def test_per5_without_a_qualification_is_refused(make_person, grant, scope):
    with pytest.raises(RuleViolation) as info:
        grant(make_person(quals=[SENIOR]), AK.CALIBRATOR, scope_items=[scope.dcv], methods=[scope.dmm])
    assert refused_ids(info) == ["PER-5"]


def test_cnd6_an_untrained_person_is_not_authorized_as_calibrator(make_person, grant, scope):
    person = make_person(trained=False)
    with pytest.raises(RuleViolation) as info:
        grant(person, AK.CALIBRATOR, scope_items=[scope.dcv], methods=[scope.dmm])
    assert refused_ids(info) == ["CND-6"]
    do_record_training(kind=TrainingKind.PRACTICAL, topic="实操考核", held_on=dt.date(2024, 12, 31),
                       hours=Decimal("4"), trainer_name="李工", trainer_qualification="一级注册计量师",
                       attendees=[person])
    assert grant(person, AK.CALIBRATOR, scope_items=[scope.dcv], methods=[scope.dmm]).pk


def test_cnd6_a_failed_training_does_not_count(make_person, grant, scope):
    person = make_person(trained=False)
    do_record_training(kind=TrainingKind.TECHNICAL, topic="技术培训", held_on=dt.date(2024, 6, 1), hours=Decimal("8"),
                       trainer_name="李工", trainer_qualification="高级工程师", attendees=[person], failed=[person])
    with pytest.raises(RuleViolation) as info:
        grant(person, AK.CALIBRATOR, scope_items=[scope.dcv], methods=[scope.dmm])
    assert refused_ids(info) == ["CND-6"]


def test_every_violation_of_a_grant_is_reported_together(make_person, grant, scope):
    person = make_person(quals=(), trained=False, employment_type=EmploymentType.PART_TIME)
    with pytest.raises(RuleViolation) as info:
        grant(person, AK.CALIBRATOR, scope_items=[scope.dcv], methods=[scope.dmm])
    assert sorted(refused_ids(info)) == ["CND-6", "PER-5", "PER-5"]


# --- what a grant must name -----------------------------------------------------------------------


def test_field_errors_of_a_grant(make_person, grant, scope):
    person = make_person()
    with pytest.raises(ValidationError) as info:
        grant(person, AK.SIGNATORY, valid_until=dt.date(2024, 1, 1))
    assert set(info.value.message_dict) == {"metrology_fields", "valid_until"}
    with pytest.raises(ValidationError) as info:
        grant(person, AK.CALIBRATOR)
    assert set(info.value.message_dict) == {"scope_items", "methods"}
    with pytest.raises(ValidationError) as info:
        grant(person, AK.CALIBRATOR, scope_items=[scope.temp], methods=[scope.dmm])
    assert "JJF 1587" in info.value.message_dict["methods"][0]
    with pytest.raises(ValidationError) as info:
        grant(person, AK.SUPERVISOR, scope_items=[scope.dcv], metrology_fields=["bogus"])
    assert set(info.value.message_dict) == {"scope_items", "metrology_fields"}


def test_a_document_number_is_registered_once(make_person, grant):
    grant(make_person(), AK.SUPERVISOR, document_no="MH-SQ-001")
    with pytest.raises(ValidationError) as info:
        grant(make_person(), AK.SUPERVISOR, document_no="MH-SQ-001")
    assert "__all__" in info.value.message_dict or "document_no" in info.value.message_dict


def test_a_grant_lands_in_the_ledger_with_the_actor(make_person, grant, lab_manager):
    auth = grant(make_person(), AK.SUPERVISOR, actor=lab_manager)
    entry = AuditEntry.objects.filter(model="people.Authorization", object_pk=str(auth.pk)).get()
    assert entry.action == "create" and entry.actor == "user:labmanager"
    assert auth.granted_by == lab_manager


# --- revocation, leaving, training ----------------------------------------------------------------


def test_revocation_takes_effect_on_its_day_and_is_idempotent(make_person, grant):
    auth = grant(make_person(), AK.SUPERVISOR)
    with pytest.raises(ValidationError):
        do_revoke_authorization(auth, revoked_on=DAY, reason=" ")
    auth = do_revoke_authorization(auth, revoked_on=DAY, reason="调离监督岗位")
    assert auth.validity_on(DAY - dt.timedelta(days=1)) != "revoked" and auth.validity_on(DAY) == "revoked"
    before = AuditEntry.objects.count()
    do_revoke_authorization(auth, revoked_on=DAY + dt.timedelta(days=3), reason="再次")
    assert AuditEntry.objects.count() == before


def test_update_person_writes_nothing_when_nothing_changes(make_person):
    person = make_person()
    before = AuditEntry.objects.count()
    assert do_update_person(person, name=person.name, employment_type=person.employment_type) == person
    assert AuditEntry.objects.count() == before
    with pytest.raises(ValueError):
        do_update_person(person, staff_no="X")


def test_training_needs_a_trainer_and_for_skills_the_trainers_qualification(make_person):
    person = make_person(trained=False, integrity=None)
    with pytest.raises(ValidationError) as info:
        do_record_training(kind=TrainingKind.TECHNICAL, topic="x", held_on=DAY, hours=Decimal("0"), attendees=[person])
    assert set(info.value.message_dict) == {"trainer_name", "trainer_qualification", "hours"}
    with pytest.raises(ValidationError) as info:
        do_record_training(kind=TrainingKind.SAFETY, topic="x", held_on=DAY, hours=Decimal("1"), trainer_name="王工")
    assert set(info.value.message_dict) == {"attendees"}


def test_per6_an_in_house_trainer_without_qualification_raises_a_finding(make_person):
    trainee = make_person(trained=False, integrity=None)
    qualified = make_person(quals=[RM1], trained=False, integrity=None)
    t = do_record_training(kind=TrainingKind.TECHNICAL, topic="直流电压校准", held_on=DAY, hours=Decimal("4"),
                           trainer=qualified, attendees=[trainee])
    assert "一级注册计量师" in t.trainer_qualification and not Finding.objects.exists()
    unqualified = make_person(quals=(), trained=False, integrity=None)
    do_record_training(kind=TrainingKind.PRACTICAL, topic="实操", held_on=DAY, hours=Decimal("4"),
                       trainer=unqualified, trainer_qualification="从事校准工作十年", attendees=[trainee])
    finding = Finding.objects.get()
    assert finding.rule_id == "PER-6" and finding.event == "training.record" and unqualified.name in finding.message_zh


def test_integrity_training_status(make_person):
    person = make_person(integrity=dt.date(2025, 11, 30))
    status = selectors.integrity_training_status(person, DAY)
    assert (status.last, status.due_on, status.overdue) == (dt.date(2025, 11, 30), dt.date(2026, 11, 30), False)
    assert selectors.integrity_training_status(person, dt.date(2026, 12, 1)).overdue


def test_nobody_is_authorized_from_a_day_they_are_not_on_the_staff(make_person, grant):
    person = make_person(hire_date=dt.date(2021, 3, 1))
    with pytest.raises(ValidationError) as info:
        grant(person, AK.SUPERVISOR, valid_from=dt.date(2021, 2, 28))
    assert set(info.value.message_dict) == {"valid_from"}
    assert grant(person, AK.SUPERVISOR, valid_from=dt.date(2021, 3, 1)).pk


def test_a_person_who_left_may_do_nothing_on_their_authorizations(make_person, grant):
    person = make_person(quals=[SENIOR], calibration_since=dt.date(2000, 1, 1))
    grant(person, AK.TECHNICAL_DIRECTOR, valid_until=None)
    assert [p.allowed for p in selectors.permissions_on(person, DAY)] == [True]
    person = do_update_person(person, left_on=DAY - dt.timedelta(days=1))
    assert [p.allowed for p in selectors.permissions_on(person, DAY)] == [False]
