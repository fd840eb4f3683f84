"""/api/v1/orders: the whole flow through the API, scoping, errors and query counts."""

import datetime as dt

import pytest
from django.utils import timezone

from caltrace.core.workflows import transition
from caltrace.orders import services
from caltrace.orders.factories import make_lab
from caltrace.orders.models import Order

pytestmark = pytest.mark.django_db
BASE = "/api/v1/orders/"
JSON = "application/json"


@pytest.fixture
def lab(make_user):
    return make_lab(make_user)


def item_body(**changes):
    body = {"instrument_type": "数字多用表", "manufacturer": "Fluke", "model": "8846A", "serial_no": "F001",
            "range_text": "±(0～1000) V", "range_min": "-1000", "range_max": "1000", "unit": "V", "quantity": 1}
    body.update(changes)
    return body


def test_the_whole_flow_through_the_api(lab, token_client):
    customer, reception, manager = (token_client(lab.customer_user), token_client(lab.reception),
                                    token_client(lab.manager))
    resp = customer.post(BASE, {"items": [item_body(), item_body(serial_no="F002")]}, content_type=JSON)
    assert resp.status_code == 201, resp.content
    created = resp.json()
    number, code = created["order"]["number"], created["access_code"]
    assert created["order"]["status"] == "draft" and created["order"]["contact_id"] == lab.contact.pk
    assert customer.post(f"{BASE}{number}/submit").json()["status"] == "submitted"

    proposals = reception.get(f"{BASE}{number}/proposals").json()
    assert all(p["problems"] == [] and p["scope_item_id"] == lab.scope_item.pk for p in proposals)
    item_ids = [p["item_id"] for p in proposals]
    for p in proposals:
        resp = reception.post(f"{BASE}items/{p['item_id']}/review",
                              {"scope_item_id": p["scope_item_id"], "method_version_id": p["method_version_id"]},
                              content_type=JSON)
        assert resp.status_code == 200 and resp.json()["status"] == "reviewed"
    resp = reception.post(f"{BASE}items/{item_ids[0]}/deviations",
                          {"kind": "outside_range", "description": "增加 1100 V 点"}, content_type=JSON)
    assert resp.status_code == 201
    deviation_id = resp.json()["id"]
    resp = reception.post(f"{BASE}{number}/quote", {"prices": {str(item_ids[0]): "50.00"}}, content_type=JSON)
    assert resp.status_code == 201 and resp.json()["status"] == "pending_approval"
    quote_id = resp.json()["id"]
    assert reception.post(f"{BASE}{number}/complete-review", {}, content_type=JSON).status_code == 409
    assert reception.post(f"{BASE}quotes/{quote_id}/approve", {"note": "批准"}, content_type=JSON).status_code == 403
    resp = manager.post(f"{BASE}quotes/{quote_id}/approve", {"note": "首单优惠"}, content_type=JSON)
    assert resp.status_code == 200 and resp.json()["status"] == "draft"
    resp = reception.post(f"{BASE}{number}/complete-review", {}, content_type=JSON)
    assert resp.status_code == 200 and resp.json()["status"] == "awaiting_customer"

    detail = customer.get(f"{BASE}{number}").json()
    assert detail["quote"]["status"] == "sent" and "cost" not in detail["quote"]
    assert all(e["public"] for e in detail["timeline"])
    assert detail["items"][0]["deviations"][0]["status"] == "pending"
    resp = customer.post(f"{BASE}{number}/accept")
    assert resp.status_code == 409 and "CON-2" in resp.json()["en"]
    resp = customer.post(f"{BASE}deviations/{deviation_id}/decide", {"accept": True}, content_type=JSON)
    assert resp.status_code == 200 and resp.json()["status"] == "accepted"
    assert customer.post(f"{BASE}{number}/accept").json()["status"] == "accepted"
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    resp = customer.post(f"{BASE}{number}/appointment", {"drop_off_on": tomorrow.isoformat()}, content_type=JSON)
    assert resp.status_code == 200 and resp.json()["drop_off_on"] == tomorrow.isoformat()

    for item_id in item_ids:
        resp = reception.post(f"{BASE}items/{item_id}/receive", {"condition": "完好"}, content_type=JSON)
        assert resp.status_code == 200 and resp.json()["identification"].startswith("YP")
    identification = resp.json()["identification"]
    scanned = reception.get(f"{BASE}items/by-code/{identification.lower()}")
    assert scanned.status_code == 200 and scanned.json()["id"] == item_ids[-1]

    order = Order.objects.get(number=number)
    for item in order.items.all():
        for name in ("start", "finish", "issue"):
            item = transition(item, name, actor=lab.calibrator)
    services.do_mark_ready_if_done(order, actor=lab.calibrator)
    resp = reception.post(f"{BASE}items/{item_ids[0]}/hand-over", {"method": "courier"}, content_type=JSON)
    assert resp.status_code == 422 and resp.json()["errors"][0]["field"] == "courier_slip_no"
    for item_id in item_ids:
        resp = reception.post(f"{BASE}items/{item_id}/hand-over", {"method": "courier", "courier_slip_no": "SF1"},
                              content_type=JSON)
        assert resp.status_code == 200 and resp.json()["status"] == "returned"
    assert customer.get(f"{BASE}{number}").json()["status"] == "closed"

    from django.test import Client

    anonymous = Client()
    resp = anonymous.post(f"{BASE}status", {"number": number, "code": code}, content_type=JSON)
    assert resp.status_code == 200 and resp.json()["status"] == "closed"
    assert all("成本" not in e["text_zh"] for e in resp.json()["timeline"])
    # the code never travels in a URL; the page and the API share the per-address limit
    assert anonymous.get(f"{BASE}status", {"number": number, "code": code}).status_code == 405
    from caltrace.orders import selectors

    for _ in range(selectors.LOOKUP_LIMIT):
        anonymous.post(f"{BASE}status", {"number": number, "code": "WRONG"}, content_type=JSON)
    assert anonymous.post(f"{BASE}status", {"number": number, "code": code}, content_type=JSON).status_code == 429


def test_errors_map_to_status_codes(lab, token_client):
    from django.test import Client

    customer, calibrator = token_client(lab.customer_user), token_client(lab.calibrator)
    resp = customer.post(BASE, {"items": [item_body(), item_body(unit="zzq")]}, content_type=JSON)
    assert resp.status_code == 422 and [e["field"] for e in resp.json()["errors"]] == ["items[1].unit"]
    resp = customer.post(BASE, {"items": [item_body(requested_method_id=999999)]}, content_type=JSON)
    assert resp.status_code == 422 and resp.json()["errors"][0]["field"] == "items[0].requested_method_id"
    resp = customer.post(BASE, {"location": "on_site", "items": [item_body()]}, content_type=JSON)
    assert resp.status_code == 422 and resp.json()["errors"][0]["field"] == "on_site_address"
    assert Order.objects.count() == 0

    number = customer.post(BASE, {"items": [item_body()]}, content_type=JSON).json()["order"]["number"]
    assert customer.post(f"{BASE}{number}/submit").status_code == 200
    resp = customer.post(f"{BASE}{number}/submit")
    assert resp.status_code == 409 and resp.json()["code"] == "state"
    item_id = Order.objects.get(number=number).items.get().pk
    resp = calibrator.post(f"{BASE}items/{item_id}/review",
                           {"scope_item_id": lab.scope_item.pk, "method_version_id": lab.version.pk},
                           content_type=JSON)
    assert resp.status_code == 403
    resp = customer.post(f"{BASE}items/{item_id}/receive", {"condition": "好"}, content_type=JSON)
    assert resp.status_code == 403
    assert Client().get(BASE).status_code == 401
    assert Client().post(f"{BASE}{number}/submit").status_code == 401
    assert customer.patch(f"{BASE}{number}", {"status": "closed"}, content_type=JSON).status_code == 405
    assert customer.patch(f"{BASE}items/{item_id}", {"status": "returned"}, content_type=JSON).status_code == 405


def test_customers_see_only_their_own_orders(lab, token_client, make_user):
    from caltrace.customers.factories import CustomerContactFactory
    from caltrace.customers.services import do_open_portal_account

    order, _code = services.do_create_order(lab.customer, items=[lab.item()], actor=lab.customer_user)
    item = order.items.get()
    stranger = token_client(do_open_portal_account(CustomerContactFactory(), username="other", password="pw-for-t-1"))
    assert stranger.get(f"{BASE}{order.number}").status_code == 404
    assert stranger.post(f"{BASE}{order.number}/submit").status_code == 404
    assert stranger.get(f"{BASE}items/{item.pk}").status_code == 404
    assert stranger.get(f"{BASE}items/by-code/{item.label_code}").status_code == 404
    assert stranger.get(BASE).json()["count"] == 0
    assert token_client(lab.customer_user).get(BASE).json()["count"] == 1
    assert token_client(lab.calibrator).get(BASE).json()["count"] == 1


def test_the_status_lookup_reveals_nothing_without_the_right_code(lab):
    from django.test import Client

    order, code = services.do_create_order(lab.customer, items=[lab.item()], actor=lab.customer_user)
    c = Client()
    wrong = c.post(f"{BASE}status", {"number": order.number, "code": "WRONGCODE2"}, content_type=JSON)
    unknown = c.post(f"{BASE}status", {"number": "WT1999-000001", "code": code}, content_type=JSON)
    empty = c.post(f"{BASE}status", {"number": "", "code": ""}, content_type=JSON)
    assert wrong.status_code == unknown.status_code == empty.status_code == 404
    assert wrong.content == unknown.content == empty.content
    right = c.post(f"{BASE}status", {"number": order.number, "code": code}, content_type=JSON)
    assert right.status_code == 200 and right.json()["number"] == order.number
    assert "customer" not in right.json()


def test_the_list_filters_by_site_status_customer_and_text(lab, token_client):
    from caltrace.org.factories import SiteFactory

    branch = SiteFactory(agency=lab.site.agency)
    main, _code = services.do_create_order(lab.customer, items=[lab.item()], actor=lab.customer_user)
    other, _code = services.do_create_order(lab.customer, items=[lab.item(serial_no="ZZ-42")],
                                            actor=lab.customer_user, site=branch)
    services.do_submit_order(other, actor=lab.customer_user)
    c = token_client(lab.reception)

    def numbers(**params):
        return [o["number"] for o in c.get(BASE, params).json()["items"]]

    assert numbers(site=lab.site.pk) == [main.number] and numbers(site=branch.pk) == [other.number]
    assert numbers(status="submitted") == [other.number]
    assert numbers(q="zz-42") == [other.number]
    assert sorted(numbers(customer=lab.customer.pk)) == sorted([main.number, other.number])


def test_the_list_takes_a_constant_number_of_queries(lab, token_client, django_assert_max_num_queries):
    c = token_client(lab.customer_user)
    services.do_create_order(lab.customer, items=[lab.item()], actor=lab.customer_user)
    with django_assert_max_num_queries(20) as few:
        assert c.get(BASE).status_code == 200
    for i in range(8):
        services.do_create_order(lab.customer, items=[lab.item(), lab.item(serial_no=f"N{i}")],
                                 actor=lab.customer_user)
    with django_assert_max_num_queries(len(few.captured_queries)):
        resp = c.get(BASE)
    assert resp.json()["count"] == 9 and resp.json()["items"][0]["item_count"] == 2
