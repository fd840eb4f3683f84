"""Staff and qualifications: the checks of one record and the services."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from caltrace.core import roles
from caltrace.core.models import AuditEntry
from caltrace.core.services import do_sync_role_groups
from caltrace.people.choices import QualificationKind
from caltrace.people.factories import PersonFactory, QualificationFactory
from caltrace.people.models import Qualification, years_between
from caltrace.people.services import (
    do_assign_role,
    do_open_staff_account,
    do_record_qualification,
    do_register_person,
)

pytestmark = pytest.mark.django_db


def _person(**kw):
    fields = dict(staff_no="P-1", name="王五", birth_date=dt.date(1990, 3, 1), hire_date=dt.date(2012, 7, 1))
    fields.update(kw)
    return do_register_person(**fields)


def test_years_between_counts_whole_years():
    assert years_between(dt.date(1960, 3, 1), dt.date(2025, 2, 28)) == 64
    assert years_between(dt.date(1960, 3, 1), dt.date(2025, 3, 1)) == 65


def test_person_hired_under_sixteen_is_refused():
    with pytest.raises(ValidationError) as info:
        _person(hire_date=dt.date(2006, 2, 28))
    assert info.value.message_dict["hire_date"] == ["入职时未满16周岁"]


def test_calibration_experience_cannot_start_before_birth_and_leaving_before_hiring():
    person = PersonFactory.build(calibration_since=dt.date(1980, 1, 1), birth_date=dt.date(1985, 1, 1),
                                 left_on=dt.date(2009, 1, 1), hire_date=dt.date(2010, 1, 1))
    with pytest.raises(ValidationError) as info:
        person.full_clean()
    assert {"calibration_since", "left_on"} <= set(info.value.message_dict)


def test_age_experience_and_employment_on_a_day():
    person = _person(calibration_since=dt.date(2012, 7, 1))
    assert person.age_on(dt.date(2025, 2, 28)) == 34
    assert person.age_on(dt.date(2025, 3, 1)) == 35
    assert person.calibration_years_on(dt.date(2017, 6, 30)) == 4
    assert person.calibration_years_on(dt.date(2017, 7, 1)) == 5
    assert person.calibration_years_on(dt.date(2000, 1, 1)) == 0
    assert person.employed_on(dt.date(2012, 7, 1)) and not person.employed_on(dt.date(2012, 6, 30))


def test_qualification_validity_and_required_fields():
    person = PersonFactory()
    with pytest.raises(ValidationError) as info:
        do_record_qualification(person, kind=QualificationKind.REGISTERED_METROLOGIST_1, issuer="国家市场监督管理总局",
                                valid_from=dt.date(2024, 1, 1), valid_until=dt.date(2023, 1, 1))
    assert set(info.value.message_dict) == {"number", "valid_until"}
    with pytest.raises(ValidationError) as info:
        do_record_qualification(person, kind=QualificationKind.SENIOR_TITLE, issuer="某省人社厅",
                                valid_from=dt.date(2015, 12, 1))
    assert set(info.value.message_dict) == {"title"}


def test_a_certificate_number_is_registered_once_per_kind():
    q = QualificationFactory(number="RM2-32-0001")
    with pytest.raises(ValidationError):
        do_record_qualification(PersonFactory(), kind=q.kind, number="RM2-32-0001", issuer="某局",
                                valid_from=dt.date(2022, 1, 1))
    other_kind = do_record_qualification(PersonFactory(), kind=QualificationKind.OTHER, number="RM2-32-0001",
                                         issuer="某局", valid_from=dt.date(2022, 1, 1))
    assert other_kind.pk


def test_valid_on():
    person = PersonFactory()
    current = QualificationFactory(person=person, valid_from=dt.date(2022, 1, 1), valid_until=dt.date(2026, 12, 31))
    lifelong = QualificationFactory(person=person, kind=QualificationKind.SENIOR_TITLE, title="高级工程师",
                                    valid_from=dt.date(2015, 1, 1), valid_until=None)
    QualificationFactory(person=person, valid_from=dt.date(2015, 1, 1), valid_until=dt.date(2019, 12, 31))
    day = dt.date(2026, 12, 31)
    assert set(Qualification.objects.valid_on(day)) == {current, lifelong}
    assert current.is_valid_on(day) and not current.is_valid_on(day + dt.timedelta(days=1))


def test_open_staff_account_gives_login_and_roles_once():
    do_sync_role_groups()
    person = PersonFactory()
    user = do_open_staff_account(person, username="wangwu", password="a-long-password", roles=(roles.CALIBRATOR,))
    person.refresh_from_db()
    assert person.user == user and user.get_full_name() == person.name
    assert roles.roles_of(user) == {roles.CALIBRATOR}
    assert user.check_password("a-long-password")
    with pytest.raises(ValidationError):
        do_open_staff_account(person, username="wangwu2", password="a-long-password")


def test_staff_account_cannot_be_a_customer():
    with pytest.raises(ValidationError):
        do_open_staff_account(PersonFactory(), username="x", password="a-long-password", roles=(roles.CUSTOMER,))


def test_assign_role_is_a_no_op_the_second_time():
    do_sync_role_groups()
    user = do_open_staff_account(PersonFactory(), username="zhaoliu", password="a-long-password")
    assert do_assign_role(user, roles.REVIEWER) is True
    before = AuditEntry.objects.count()
    assert do_assign_role(user, roles.REVIEWER) is False
    assert AuditEntry.objects.count() == before
    with pytest.raises(ValidationError):
        do_assign_role(user, "janitor")
