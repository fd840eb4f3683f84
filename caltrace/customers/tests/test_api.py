"""The customer endpoints: a customer's token sees only its own organisation; others answer 404."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from caltrace.customers.factories import CustomerContactFactory, CustomerOrganisationFactory

pytestmark = pytest.mark.django_db

BASE = "/api/v1/customers/organisations"


def test_other_organisation_is_not_found_not_forbidden(client, make_customer, bearer):
    alice, alice_org = make_customer()
    _bob, bob_org = make_customer()
    auth = bearer(alice)
    response = client.get(f"{BASE}/{bob_org.pk}", **auth)
    assert response.status_code == 404
    assert client.get(f"{BASE}/{bob_org.pk}/contacts", **auth).status_code == 404
    assert client.get(f"{BASE}/999999", **auth).status_code == 404


def test_own_organisation_is_found(client, make_customer, bearer):
    alice, alice_org = make_customer(name="苏州瑞川精密电子有限公司")
    response = client.get(f"{BASE}/{alice_org.pk}", **bearer(alice))
    assert response.status_code == 200
    assert response.json() == {"id": alice_org.pk, "name": "苏州瑞川精密电子有限公司", "name_en": "",
                               "credit_code": alice_org.credit_code, "address": alice_org.address}
    contacts = client.get(f"{BASE}/{alice_org.pk}/contacts", **bearer(alice)).json()
    assert [c["id"] for c in contacts] == list(alice_org.contacts.values_list("pk", flat=True))


def test_list_shows_only_own_organisation(client, make_customer, bearer):
    alice, alice_org = make_customer()
    for _ in range(5):
        make_customer()
    body = client.get(BASE, **bearer(alice)).json()
    assert body["count"] == 1
    assert [o["id"] for o in body["items"]] == [alice_org.pk]


def test_staff_list_sees_all(client, staff_user, bearer):
    orgs = CustomerOrganisationFactory.create_batch(4)
    body = client.get(BASE, **bearer(staff_user)).json()
    assert body["count"] == 4 and {o["id"] for o in body["items"]} == {o.pk for o in orgs}


def test_anonymous_is_refused(client, make_customer):
    _alice, alice_org = make_customer()
    assert client.get(f"{BASE}/{alice_org.pk}").status_code == 401


def _queries(client, url, auth) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, **auth).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("who", ["customer", "staff"])
def test_list_query_count_does_not_grow_with_rows(client, make_customer, staff_user, bearer, who,
                                                  django_assert_max_num_queries):
    user, org = make_customer()
    if who == "staff":
        user = staff_user
    auth = bearer(user)
    few = _queries(client, BASE, auth)
    for _ in range(12):
        CustomerContactFactory(organisation=org)
        CustomerOrganisationFactory()
    # token, roles, count, page
    with django_assert_max_num_queries(4):
        response = client.get(BASE, **auth)
    assert response.status_code == 200
    assert len(response.json()["items"]) == (1 if who == "customer" else 13)
    assert _queries(client, BASE, auth) == few
