"""Fixtures of the methods tests: people who may and may not validate, users by role, API headers."""

import datetime as dt

import pytest

from caltrace.core import roles
from caltrace.core.services import do_issue_api_token, do_sync_role_groups
from caltrace.people.choices import QualificationKind as QK
from caltrace.people.factories import PersonFactory, QualificationFactory, UserFactory
from caltrace.people.services import do_assign_role, do_open_staff_account


@pytest.fixture
def senior(db):
    """A person with a senior technical title since 2011 (qualifies under PER-4)."""
    person = PersonFactory(name="高工")
    QualificationFactory(person=person, kind=QK.SENIOR_TITLE, title="高级工程师", number="",
                         valid_from=dt.date(2011, 12, 28), valid_until=None)
    return person


@pytest.fixture
def level1(db):
    """A level-1 registered metrologist, certificate valid 2022-06-20 … 2027-06-19."""
    person = PersonFactory(name="一级注册计量师")
    QualificationFactory(person=person, kind=QK.REGISTERED_METROLOGIST_1, valid_from=dt.date(2022, 6, 20),
                         valid_until=dt.date(2027, 6, 19))
    return person


@pytest.fixture
def level2(db):
    """A level-2 registered metrologist only: does not qualify under PER-4."""
    person = PersonFactory(name="二级注册计量师")
    QualificationFactory(person=person, kind=QK.REGISTERED_METROLOGIST_2, valid_from=dt.date(2020, 1, 1),
                         valid_until=None)
    return person


@pytest.fixture
def groups(db):
    do_sync_role_groups()


@pytest.fixture
def user_with(groups):
    """user_with("technical_director", person=…) -> a user in that role (linked to a person if given)."""

    def make(*role_codes, person=None):
        if person is not None:
            return do_open_staff_account(person, username=f"u{person.staff_no}", password="pw-for-tests-1",
                                         roles=role_codes)
        user = UserFactory()
        for code in role_codes:
            do_assign_role(user, code)
        return user

    return make


@pytest.fixture
def director(user_with, senior):
    return user_with(roles.TECHNICAL_DIRECTOR, person=senior)


@pytest.fixture
def calibrator(user_with):
    return user_with(roles.CALIBRATOR)


@pytest.fixture
def customer(user_with):
    return user_with(roles.CUSTOMER)


@pytest.fixture
def bearer():
    def header(user) -> dict:
        _token, key = do_issue_api_token(user, name="test")
        return {"HTTP_AUTHORIZATION": f"Bearer {key}"}

    return header


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
