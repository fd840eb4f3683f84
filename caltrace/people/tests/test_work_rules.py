"""The rules on people at the moments of work, asked through ``can_perform``: PER-5 and CND-6 for
calibrators and reviewers, PER-2 and CND-6 for signatories, PER-7 as input, HR-3 as a flag.
Each refusal names its requirement id; each has its lawful twin; boundaries are exact days."""

import datetime as dt

import pytest

from caltrace.integrity import registry
from caltrace.integrity.work import WORK_EVENTS, Work, can_perform
from caltrace.people.choices import AuthorizationKind as AK
from caltrace.people.choices import EmploymentType
from caltrace.people.choices import QualificationKind as QK
from caltrace.people.services import do_revoke_authorization, do_update_person

from .conftest import DAY, years_before

pytestmark = pytest.mark.django_db

PEOPLE_GATES = {"PER-2", "PER-3", "PER-4", "PER-5", "CND-6"}
YESTERDAY = DAY - dt.timedelta(days=1)


def ids(violations, kind="GATE"):
    return {v.rule_id for v in violations if v.kind == kind}


def as_calibrator(person, scope, item=None, method=None, at=DAY):
    item = item or scope.dcv
    version = scope.versions[(method or scope.dmm).code]
    return can_perform(person, item, version, at=at, role="calibrator", site=scope.site)


# --- calibrators: PER-5 and CND-6 ----------------------------------------------------------------


def test_an_authorized_qualified_calibrator_may_work(calibrator, scope):
    assert not ids(as_calibrator(calibrator, scope)) & PEOPLE_GATES


def test_the_people_rules_are_bound_to_every_work_event():
    for event in WORK_EVENTS:
        bound = {(r.id, r.kind) for r in registry.rules(event) if r.name.startswith("caltrace.people.")}
        assert bound == {("PER-5", "GATE"), ("CND-6", "GATE"), ("PER-2", "GATE"), ("HR-3", "FLAG")}, event


def test_age_65_on_the_activity_day_is_allowed(make_person, grant, scope):
    person = make_person(birth_date=years_before(DAY, 65), site=scope.site)  # 65th birthday today
    grant(person, AK.CALIBRATOR, scope_items=[scope.dcv], methods=[scope.dmm])
    assert "PER-5" not in ids(as_calibrator(person, scope))


def test_the_day_before_the_66th_birthday_is_allowed_and_the_birthday_is_refused(make_person, grant, scope):
    person = make_person(birth_date=years_before(DAY, 66) + dt.timedelta(days=1), site=scope.site)
    grant(person, AK.CALIBRATOR, scope_items=[scope.dcv], methods=[scope.dmm])
    assert "PER-5" not in ids(as_calibrator(person, scope))  # still 65
    refused = as_calibrator(person, scope, at=DAY + dt.timedelta(days=1))  # 66 today
    assert "PER-5" in ids(refused)
    assert any("66" in v.zh and "65" in v.zh for v in refused if v.rule_id == "PER-5")


def test_age_66_on_the_activity_day_is_refused(make_person, grant, scope):
    person = make_person(birth_date=years_before(DAY, 66), site=scope.site)
    grant(person, AK.CALIBRATOR, scope_items=[scope.dcv], methods=[scope.dmm], valid_from=dt.date(2024, 1, 1),
          today=dt.date(2024, 1, 1))
    assert "PER-5" in ids(as_calibrator(person, scope))


@pytest.mark.parametrize("employment", [e for e in EmploymentType if e != EmploymentType.LONG_TERM])
def test_only_long_term_employees_may_calibrate(calibrator, scope, employment):
    calibrator = do_update_person(calibrator, employment_type=employment)
    refused = as_calibrator(calibrator, scope)
    assert "PER-5" in ids(refused)
    assert any("长期聘用" in v.zh for v in refused)


def test_a_calibrator_who_left_may_not_calibrate_after_the_last_day(calibrator, scope):
    calibrator = do_update_person(calibrator, left_on=DAY)
    assert "PER-5" not in ids(as_calibrator(calibrator, scope))
    assert "PER-5" in ids(as_calibrator(calibrator, scope, at=DAY + dt.timedelta(days=1)))


def test_qualification_valid_until_today_is_allowed_until_yesterday_refused(make_person, grant, scope):
    person = make_person(quals=[(QK.REGISTERED_METROLOGIST_2, dt.date(2022, 1, 1), DAY)], site=scope.site)
    grant(person, AK.CALIBRATOR, scope_items=[scope.dcv], methods=[scope.dmm])
    assert "PER-5" not in ids(as_calibrator(person, scope))
    lapsed = make_person(quals=[(QK.REGISTERED_METROLOGIST_2, dt.date(2022, 1, 1), YESTERDAY)], site=scope.site)
    grant(lapsed, AK.CALIBRATOR, scope_items=[scope.dcv], methods=[scope.dmm], today=dt.date(2025, 1, 1))
    assert "PER-5" in ids(as_calibrator(lapsed, scope))


def test_per7_a_valid_verifier_certificate_counts_as_level_2(make_person, grant, scope, defence_agency):
    person = make_person(quals=[(QK.VERIFIER_CERTIFICATE, dt.date(2020, 1, 1), dt.date(2028, 1, 1))],
                         site=scope.site)
    grant(person, AK.CALIBRATOR, scope_items=[scope.dcv], methods=[scope.dmm])
    assert "PER-5" not in ids(as_calibrator(person, scope))


def test_per7_not_in_a_civil_agency(make_person, grant, scope, defence_agency):
    from caltrace.org.models import Agency

    person = make_person(quals=[(QK.VERIFIER_CERTIFICATE, dt.date(2020, 1, 1), dt.date(2028, 1, 1))],
                         site=scope.site)
    grant(person, AK.CALIBRATOR, scope_items=[scope.dcv], methods=[scope.dmm])
    Agency.objects.update(defence_agency=False)  # the same person, judged for a civil agency
    assert "PER-5" in ids(as_calibrator(person, scope))


@pytest.mark.parametrize("kind", [QK.SENIOR_TITLE, QK.OTHER])
def test_a_senior_title_or_other_certificate_is_not_a_calibrators_qualification(make_person, scope, kind):
    person = make_person(quals=[(kind, dt.date(2020, 1, 1), None)], site=scope.site)
    refused = as_calibrator(person, scope)
    assert {"PER-5", "CND-6"} <= ids(refused)


def test_a_calibrator_without_authorization_is_refused(make_person, scope):
    refused = as_calibrator(make_person(site=scope.site), scope)
    assert "CND-6" in ids(refused)
    assert any("没有有效的校准人员授权" in v.zh for v in refused)


def test_a_calibrator_is_refused_another_scope_item_or_another_method(calibrator, scope):
    other_item = as_calibrator(calibrator, scope, item=scope.acv)
    assert "CND-6" in ids(other_item)
    assert any("E-02" in v.zh for v in other_item if v.rule_id == "CND-6")
    other_method = as_calibrator(calibrator, scope, method=scope.source)
    assert "CND-6" in ids(other_method)
    assert any("JJF 1638" in v.zh for v in other_method if v.rule_id == "CND-6")


def test_authorization_valid_until_today_is_allowed_until_yesterday_refused(make_person, grant, scope):
    today = make_person(site=scope.site)
    grant(today, AK.CALIBRATOR, scope_items=[scope.dcv], methods=[scope.dmm], valid_until=DAY)
    assert "CND-6" not in ids(as_calibrator(today, scope))
    yesterday = make_person(site=scope.site)
    grant(yesterday, AK.CALIBRATOR, scope_items=[scope.dcv], methods=[scope.dmm], valid_until=YESTERDAY)
    assert "CND-6" in ids(as_calibrator(yesterday, scope))


def test_an_authorization_not_yet_in_force_or_revoked_does_not_count(make_person, grant, scope, calibrator):
    later = make_person(site=scope.site)
    grant(later, AK.CALIBRATOR, scope_items=[scope.dcv], methods=[scope.dmm], valid_from=DAY + dt.timedelta(days=1))
    assert "CND-6" in ids(as_calibrator(later, scope))
    do_revoke_authorization(calibrator.authorizations.get(), revoked_on=DAY, reason="调岗")
    assert "CND-6" not in ids(as_calibrator(calibrator, scope, at=YESTERDAY))
    assert "CND-6" in ids(as_calibrator(calibrator, scope))


# --- reviewers ------------------------------------------------------------------------------------


def test_a_reviewer_needs_a_reviewer_authorization_for_the_field(make_person, grant, scope):
    person = make_person()
    assert "CND-6" in ids(can_perform(person, scope.dcv, scope.versions["JJF 1587"], at=DAY, role="reviewer"))
    grant(person, AK.REVIEWER, metrology_fields=["thermal"])
    refused = can_perform(person, scope.dcv, scope.versions["JJF 1587"], at=DAY, role="reviewer")
    assert "CND-6" in ids(refused) and any("电磁学" in v.zh for v in refused)
    grant(person, AK.REVIEWER, metrology_fields=["electrical"])
    assert not ids(can_perform(person, scope.dcv, scope.versions["JJF 1587"], at=DAY, role="reviewer")) & PEOPLE_GATES


def test_a_reviewer_over_65_is_refused_under_per5(make_person, grant, scope):
    person = make_person(birth_date=years_before(DAY, 66))
    grant(person, AK.REVIEWER, metrology_fields=["electrical"], valid_from=dt.date(2024, 1, 1),
          today=dt.date(2024, 1, 1))
    assert "PER-5" in ids(can_perform(person, scope.dcv, None, at=DAY, role="reviewer"))


# --- signatories: PER-2 and CND-6 --------------------------------------------------------------------


def as_signatory(person, scope, item=None, at=DAY):
    return can_perform(person, item or scope.dcv, scope.versions["JJF 1587"], at=at, role="signatory")


def test_a_signatory_signs_inside_the_authorized_fields_only(make_person, grant, scope):
    person = make_person()
    grant(person, AK.SIGNATORY, metrology_fields=["electrical"])
    assert not ids(as_signatory(person, scope)) & PEOPLE_GATES
    refused = as_signatory(person, scope, item=scope.temp)
    assert "CND-6" in ids(refused) and any("热学" in v.zh for v in refused)


def test_a_lapsed_signatory_authorization_is_refused(make_person, grant, scope):
    until_today = make_person()
    grant(until_today, AK.SIGNATORY, metrology_fields=["electrical"], valid_until=DAY)
    assert "CND-6" not in ids(as_signatory(until_today, scope))
    lapsed = make_person()
    grant(lapsed, AK.SIGNATORY, metrology_fields=["electrical"], valid_until=YESTERDAY)
    assert "CND-6" in ids(as_signatory(lapsed, scope))


def test_a_signatory_who_left_may_not_sign(make_person, grant, scope):
    person = make_person()
    grant(person, AK.SIGNATORY, metrology_fields=["electrical"])
    person = do_update_person(person, left_on=YESTERDAY)
    assert "CND-6" in ids(as_signatory(person, scope))


def test_per2_three_fields_with_level_2_may_sign(make_person, grant, scope):
    person = make_person()
    grant(person, AK.SIGNATORY, metrology_fields=["electrical", "thermal", "mechanical"])
    assert "PER-2" not in ids(as_signatory(person, scope))


def test_per2_more_than_three_fields_need_level_1_when_signing(make_person, grant, scope):
    rm1_until_yesterday = (QK.REGISTERED_METROLOGIST_1, dt.date(2020, 1, 1), YESTERDAY)
    rm2 = (QK.REGISTERED_METROLOGIST_2, dt.date(2020, 1, 1), dt.date(2028, 1, 1))
    person = make_person(quals=[rm1_until_yesterday, rm2])
    grant(person, AK.SIGNATORY, metrology_fields=["electrical", "thermal", "mechanical", "length"],
          today=dt.date(2025, 1, 1))
    assert "PER-2" not in ids(as_signatory(person, scope, at=YESTERDAY))
    refused = as_signatory(person, scope)
    assert "PER-2" in ids(refused) and any("4" in v.zh for v in refused if v.rule_id == "PER-2")


def test_per2_a_signatory_without_any_valid_qualification_may_not_sign(make_person, grant, scope):
    person = make_person(quals=[(QK.REGISTERED_METROLOGIST_2, dt.date(2020, 1, 1), YESTERDAY)])
    grant(person, AK.SIGNATORY, metrology_fields=["electrical"], today=dt.date(2025, 1, 1))
    assert "PER-2" in ids(as_signatory(person, scope))


def test_per7_a_verifier_certificate_qualifies_a_signatory_for_up_to_three_fields(make_person, grant, scope,
                                                                                    defence_agency):
    person = make_person(quals=[(QK.VERIFIER_CERTIFICATE, dt.date(2020, 1, 1), dt.date(2028, 1, 1))])
    grant(person, AK.SIGNATORY, metrology_fields=["electrical", "thermal", "mechanical"])
    assert "PER-2" not in ids(as_signatory(person, scope))


def test_every_violation_is_returned_at_once(make_person, scope):
    person = make_person(quals=(), employment_type=EmploymentType.TEMPORARY, birth_date=years_before(DAY, 70),
                         hire_date=dt.date(2000, 1, 1))
    refused = [v for v in as_calibrator(person, scope) if v.rule_id == "PER-5"]
    assert len(refused) == 3  # no qualification, not long-term, over 65


# --- HR-3: integrity training, a flag ------------------------------------------------------------


def hr3(person, at=DAY):
    return [v for v in can_perform(person, None, None, at=at, role="calibrator") if v.rule_id == "HR-3"]


def test_integrity_training_exactly_twelve_months_ago_still_counts(make_person):
    person = make_person(integrity=dt.date(2025, 11, 21))
    assert hr3(person) == []
    flagged = hr3(person, at=dt.date(2026, 11, 22))
    assert len(flagged) == 1 and flagged[0].kind == "FLAG" and "2025-11-21" in flagged[0].zh


def test_no_integrity_training_is_flagged_not_refused(make_person, grant, scope):
    person = make_person(integrity=None, site=scope.site)
    grant(person, AK.CALIBRATOR, scope_items=[scope.dcv], methods=[scope.dmm])
    flagged = hr3(person)
    assert [v.kind for v in flagged] == ["FLAG"]
    work = Work(at=DAY, calibrator=person, scope_item=scope.dcv, method_version=scope.versions["JJF 1587"],
                site=scope.site)
    returned = registry.enforce("job.start", work)  # lawful otherwise: no RuleViolation, the flag comes back
    assert [v.rule_id for v in returned] == ["HR-3"]


def test_the_integrity_training_period_is_a_setting(make_person, settings):
    person = make_person(integrity=dt.date(2026, 5, 1))
    assert hr3(person) == []
    settings.CALTRACE = {**settings.CALTRACE, "INTEGRITY_TRAINING_MONTHS": 6}
    assert len(hr3(person)) == 1


def test_one_flag_per_person_even_in_two_roles(make_person):
    person = make_person(integrity=None)
    work = Work(at=DAY, calibrator=person, signatory=person)
    assert len([v for v in registry.check("certificate.issue", work) if v.rule_id == "HR-3"]) == 1
