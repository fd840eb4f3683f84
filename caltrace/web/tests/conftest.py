"""Fixtures of the UI tests: users by role, organisations, findings."""

import itertools

import pytest
from django.contrib.auth.models import Group

from caltrace.core import roles
from caltrace.core.services import do_sync_role_groups
from caltrace.core.validators import USCC_ALPHABET, uscc_check_character
from caltrace.customers.models import CustomerContact, CustomerOrganisation
from caltrace.integrity.models import Finding

PASSWORD = "ui-test-password-1"
_serial = itertools.count(1)


def credit_code(n: int) -> str:
    """A valid unified social credit code (GB 32100 check character) derived from ``n``."""
    body = "91110000"
    digits, rest = "", n
    for _ in range(9):
        rest, d = divmod(rest, len(USCC_ALPHABET))
        digits = USCC_ALPHABET[d] + digits
    first17 = body + digits
    return first17 + uscc_check_character(first17)


@pytest.fixture
def make_user(db, django_user_model):
    do_sync_role_groups()

    def make(username, *role_codes, **extra):
        user = django_user_model.objects.create_user(username=username, password=PASSWORD, **extra)
        if role_codes:
            user.groups.add(*Group.objects.filter(name__in=role_codes))
        return user

    return make


@pytest.fixture
def make_org(db):
    def make(name=None, **fields):
        n = next(_serial)
        return CustomerOrganisation.objects.create(name=name or f"测试客户单位{n:04d}", credit_code=credit_code(n),
                                                   **fields)

    return make


@pytest.fixture
def make_customer(make_user, make_org):
    """A portal account with its contact record in a (new or given) organisation."""

    def make(username, org=None, name="客户联系人"):
        org = org or make_org()
        user = make_user(username, roles.CUSTOMER)
        CustomerContact.objects.create(organisation=org, user=user, name=name, phone="010-12345678")
        return user

    return make


@pytest.fixture
def make_finding(db):
    def make(rule_id="PRH-6", status="open", **fields):
        return Finding.objects.create(
            rule_id=rule_id, event=fields.pop("event", "reading.record"), status=status,
            message_zh=fields.pop("message_zh", "读数间隔过于规律，疑似自动生成"),
            message_en=fields.pop("message_en", "Readings too regular; possibly generated"),
            **fields)

    return make


@pytest.fixture
def quality_manager(make_user):
    return make_user("qm", roles.QUALITY_MANAGER, first_name="质量", last_name="王")


@pytest.fixture
def client_as(client):
    """``client_as(user)``: the test client signed in as ``user``."""

    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Argon2 is deliberately slow; these tests make many users and hash nothing that matters.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
