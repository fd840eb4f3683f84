"""Who sees which customer organisations."""

import pytest

from caltrace.core.services import do_sync_role_groups
from caltrace.customers.factories import CustomerContactFactory, CustomerOrganisationFactory
from caltrace.customers.selectors import organisation_of, visible_organisations
from caltrace.customers.services import (
    do_add_customer_contact,
    do_open_portal_account,
    do_register_customer_organisation,
)
from caltrace.org.factories import make_credit_code
from caltrace.people.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_customer_sees_only_its_own_organisation(make_customer, staff_user):
    alice, alice_org = make_customer()
    bob, bob_org = make_customer()
    assert list(visible_organisations(alice)) == [alice_org]
    assert list(visible_organisations(bob)) == [bob_org]
    assert organisation_of(alice) == alice_org
    assert set(visible_organisations(staff_user)) == {alice_org, bob_org}


def test_user_without_a_role_sees_nothing(make_customer):
    make_customer()
    assert not visible_organisations(UserFactory()).exists()
    # A contact's login that lacks the customer role sees nothing either.
    contact = CustomerContactFactory(user=UserFactory())
    assert not visible_organisations(contact.user).exists()


def test_portal_account_through_the_services():
    do_sync_role_groups()
    org = do_register_customer_organisation(name="某客户", credit_code=" " + make_credit_code().lower())
    assert org.credit_code == org.credit_code.upper()
    contact = do_add_customer_contact(org, name="陈静", email="chenjing@example.test")
    user = do_open_portal_account(contact, username="chenjing", password="a-long-password")
    assert user.email == "chenjing@example.test"
    assert list(visible_organisations(user)) == [org]
    CustomerOrganisationFactory()
    assert list(visible_organisations(user)) == [org]
    with pytest.raises(Exception):
        do_open_portal_account(contact, username="chenjing2", password="a-long-password")
