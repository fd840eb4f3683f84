"""The public status lookup (DIG-1): no login; the right number and access code show the public
timeline, item states and certificate numbers; any wrong pair says the same thing; attempts are
limited per client address."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from caltrace.orders import services
from caltrace.orders.factories import make_lab
from caltrace.orders.selectors import LOOKUP_LIMIT

pytestmark = pytest.mark.django_db
URL = "/status/"


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def order_and_code(make_user):
    lab = make_lab(make_user)
    order, code = services.do_create_order(lab.customer, actor=lab.customer_user, contact=lab.contact,
                                           items=[lab.item(serial_no="SECRET-SN-1")])
    services.do_submit_order(order, actor=lab.customer_user)
    from caltrace.orders.notices import note_event

    note_event(order, "note", "内部备注：客户价格敏感", "internal", public=False, notify=False)
    return order, code


def test_the_url_is_the_one_notices_link_to():
    assert reverse("orders:status_lookup") == URL


def test_the_right_pair_shows_the_public_timeline_without_login(client, order_and_code):
    order, code = order_and_code
    assert client.get(URL).status_code == 200
    response = client.post(URL, {"number": order.number, "code": code})
    body = response.content.decode()
    assert response.status_code == 200 and 'id="lookup-result"' in body
    timeline = body.split('id="lookup-timeline"', 1)[1].split("</ol>", 1)[0]
    assert "申请已提交" in timeline
    assert "数字多用表" in body and "内部备注" not in body and "SECRET-SN-1" not in body


def test_a_wrong_code_and_an_unknown_number_look_the_same(client, order_and_code):
    order, code = order_and_code
    wrong_code = client.post(URL, {"number": order.number, "code": code + "x"})
    unknown = client.post(URL, {"number": "WT2026-999999", "code": code})
    assert wrong_code.status_code == unknown.status_code == 200
    for response in (wrong_code, unknown):
        body = response.content.decode()
        assert 'id="lookup-not-found"' in body and 'id="lookup-result"' not in body
        assert order.customer.name not in body and code not in body

    def strip(response, number):
        return response.content.decode().replace(number, "N").split('name="csrfmiddlewaretoken"')[0]

    assert strip(wrong_code, order.number) == strip(unknown, "WT2026-999999")


def test_attempts_are_limited_per_client_address(client, order_and_code):
    order, code = order_and_code
    for _ in range(LOOKUP_LIMIT):
        assert client.post(URL, {"number": order.number, "code": "nope"}).status_code == 200
    response = client.post(URL, {"number": order.number, "code": code})
    assert response.status_code == 429 and 'id="lookup-limited"' in response.content.decode()
    assert 'id="lookup-result"' not in response.content.decode()
    # another address is not held back
    other = client.post(URL, {"number": order.number, "code": code}, REMOTE_ADDR="10.9.9.9")
    assert other.status_code == 200 and 'id="lookup-result"' in other.content.decode()
