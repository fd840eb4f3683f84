import pytest

from caltrace.core import roles
from caltrace.core.services import do_issue_api_token, do_sync_role_groups
from caltrace.customers.factories import CustomerContactFactory, CustomerOrganisationFactory
from caltrace.people.factories import UserFactory
from caltrace.people.services import do_assign_role


@pytest.fixture
def groups(db):
    do_sync_role_groups()


@pytest.fixture
def make_customer(groups):
    """A portal account of a new organisation: (user, organisation)."""

    def make(**org_fields):
        org = CustomerOrganisationFactory(**org_fields)
        user = UserFactory()
        CustomerContactFactory(organisation=org, user=user)
        do_assign_role(user, roles.CUSTOMER)
        return user, org

    return make


@pytest.fixture
def staff_user(groups):
    user = UserFactory(username="reception1")
    do_assign_role(user, roles.RECEPTION)
    return user


@pytest.fixture
def bearer():
    def header(user) -> dict:
        _token, key = do_issue_api_token(user, name="test")
        return {"HTTP_AUTHORIZATION": f"Bearer {key}"}

    return header
