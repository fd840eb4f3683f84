"""The reception pages: work queue, order list and page, contract review with quote and approval,
receipt with the label, scanning, hand-over and the price list — access by role, the happy path
through the services, form errors and query counts."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from caltrace.core.workflows import transition
from caltrace.orders import services
from caltrace.orders.choices import DeviationKind, QuoteStatus
from caltrace.orders.factories import make_lab
from caltrace.orders.models import Deviation, Order, OrderItem, PriceListEntry, Quote

pytestmark = pytest.mark.django_db


@pytest.fixture
def lab(make_user):
    return make_lab(make_user)


def login(client, user):
    client.force_login(user)
    return client


def create(lab, **kwargs):
    kwargs.setdefault("items", [lab.item()])
    kwargs.setdefault("contact", lab.contact)
    order, _code = services.do_create_order(lab.customer, actor=lab.customer_user, **kwargs)
    return services.do_submit_order(order, actor=lab.customer_user)


def reviewed(lab, **kwargs):
    order = create(lab, **kwargs)
    for item in order.items.all():
        services.do_review_item(item, scope_item=lab.scope_item, method_version=lab.version, actor=lab.reception)
    services.do_make_quote(order, actor=lab.reception)
    return Order.objects.get(pk=order.pk)


def accepted(lab, **kwargs):
    order = reviewed(lab, **kwargs)
    services.do_complete_review(order, actor=lab.reception)
    services.do_accept_order(order, actor=lab.customer_user)
    return Order.objects.get(pk=order.pk)


def received(lab, **kwargs):
    order = accepted(lab, **kwargs)
    item = services.do_receive_item(order.items.get(), actor=lab.reception, condition="外观完好")
    return order, item


def issued(lab):
    order, item = received(lab)
    for name in ("start", "finish", "issue"):
        item = transition(item, name, actor=lab.reception)
    services.do_mark_ready_if_done(order, actor=lab.reception)
    return Order.objects.get(pk=order.pk), item


# --- access -------------------------------------------------------------------------------------

def staff_urls(order, item, quote):
    return [reverse("orders:queue"), reverse("orders:list"), reverse("orders:detail", args=[order.number]),
            reverse("orders:review", args=[order.number]), reverse("orders:approve_quote", args=[quote.pk]),
            reverse("orders:receive", args=[item.pk]), reverse("orders:label", args=[item.pk]),
            reverse("orders:hand_over", args=[item.pk]), reverse("orders:prices")]


def test_customers_get_404_and_anonymous_users_the_login_page(client, lab):
    order, item = received(lab)
    quote = order.quotes.get()
    for url in staff_urls(order, item, quote):
        assert client.get(url).status_code == 302, url
    login(client, lab.customer_user)
    for url in staff_urls(order, item, quote):
        assert client.get(url).status_code == 404, url


def test_other_staff_read_only_reception_desk_manager_everything(client, lab):
    order, item = received(lab)
    quote = order.quotes.get()
    login(client, lab.calibrator)
    assert client.get(reverse("orders:list")).status_code == 200
    assert client.get(reverse("orders:detail", args=[order.number])).status_code == 200
    for url in staff_urls(order, item, quote):
        if url not in (reverse("orders:list"), reverse("orders:detail", args=[order.number])):
            assert client.get(url).status_code == 403, url
    login(client, lab.reception)
    for url in staff_urls(order, item, quote):
        expected = 403 if url in (reverse("orders:prices"), reverse("orders:approve_quote", args=[quote.pk])) else 200
        assert client.get(url).status_code == expected, url
    login(client, lab.manager)
    for url in staff_urls(order, item, quote):
        assert client.get(url).status_code == 200, url


def test_navigation_shows_the_desk_to_reception_only(client, lab):
    login(client, lab.reception)
    body = client.get(reverse("orders:list")).content.decode()
    assert reverse("orders:queue") in body and reverse("orders:prices") not in body
    login(client, lab.calibrator)
    body = client.get(reverse("orders:list")).content.decode()
    assert reverse("orders:queue") not in body and reverse("orders:list") in body


# --- queue and list -----------------------------------------------------------------------------

def test_queue_shows_what_waits_in_constant_queries(client, lab, django_assert_max_num_queries):
    login(client, lab.manager)
    submitted = create(lab)
    below = reviewed(lab)
    Quote.objects.filter(order=below).update(status=QuoteStatus.PENDING_APPROVAL, below_cost=True)
    to_receive = accepted(lab)
    Order.objects.filter(pk=to_receive.pk).update(drop_off_on=timezone.localdate())
    _done, to_hand_over = issued(lab)
    with django_assert_max_num_queries(12) as few:
        response = client.get(reverse("orders:queue"))
    body = response.content.decode()
    assert submitted.number in body and below.quotes.get().number in body
    assert reverse("orders:receive", args=[to_receive.items.get().pk]) in body
    assert reverse("orders:hand_over", args=[to_hand_over.pk]) in body
    assert 'id="queue-appointments"' in body and to_receive.number in body
    for _ in range(5):
        create(lab)
        accepted(lab)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse("orders:queue")).status_code == 200


def test_reception_does_not_see_quotes_to_approve(client, lab):
    login(client, lab.reception)
    assert 'id="queue-approve"' not in client.get(reverse("orders:queue")).content.decode()


def test_order_list_constant_queries_filters_and_search(client, lab, django_assert_max_num_queries):
    from caltrace.org.factories import SiteFactory

    login(client, lab.reception)
    first = [create(lab) for _ in range(3)]
    with django_assert_max_num_queries(20) as few:
        assert client.get(reverse("orders:list")).status_code == 200
    for n in range(27):
        create(lab, items=[lab.item(serial_no=f"SN-X{n}")])
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("orders:list"))
    assert response.context["page"].paginator.count == 30

    other_site = SiteFactory(agency=lab.site.agency)
    Order.objects.filter(pk=first[0].pk).update(site=other_site, status="accepted")
    page = client.get(reverse("orders:list"), {"site": other_site.pk}).context["page"]
    assert [o.pk for o in page.object_list] == [first[0].pk]
    page = client.get(reverse("orders:list"), {"status": "accepted"}).context["page"]
    assert [o.pk for o in page.object_list] == [first[0].pk]
    page = client.get(reverse("orders:list"), {"q": "sn-x7"}).context["page"]
    assert [o.items.get().serial_no for o in page.object_list] == ["SN-X7"]
    page = client.get(reverse("orders:list"), {"q": first[1].number}).context["page"]
    assert [o.pk for o in page.object_list] == [first[1].pk]
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    assert client.get(reverse("orders:list"), {"created_from": tomorrow}).context["page"].paginator.count == 0
    assert client.get(reverse("orders:list"), {"customer": lab.customer.pk}).context["page"].paginator.count == 30


def test_order_list_paginates_by_50(client, lab):
    login(client, lab.reception)
    order = create(lab)
    for _ in range(50):
        services.do_create_order(lab.customer, actor=lab.reception, items=[lab.item()])
    response = client.get(reverse("orders:list"))
    assert len(response.context["page"].object_list) == 50 and response.context["page"].paginator.num_pages == 2
    assert order.number in client.get(reverse("orders:list"), {"page": 2}).content.decode()


# --- order page --------------------------------------------------------------------------------

def test_order_page_shows_items_quote_timeline_history_and_actions(client, lab):
    order = reviewed(lab, conformity_wanted=True, conformity_specification="MPE ±0.01 %")
    item = order.items.get()
    services.do_record_deviation(item, kind=DeviationKind.OUTSIDE_RANGE, description="增加 1100 V 点",
                                 actor=lab.reception)
    login(client, lab.reception)
    body = client.get(reverse("orders:detail", args=[order.number])).content.decode()
    quote = order.quotes.get()
    assert quote.number in body and "MPE ±0.01 %" in body and "增加 1100 V 点" in body
    assert lab.scope_item.code in body and "JJF 1587-2016" in body
    assert 'id="order-timeline"' in body and "申请已创建" in body
    assert 'id="order-history"' in body and "reception" in body
    assert reverse("orders:review", args=[order.number]) in body
    login(client, lab.calibrator)
    body = client.get(reverse("orders:detail", args=[order.number])).content.decode()
    assert reverse("orders:review", args=[order.number]) not in body
    assert client.get(reverse("orders:detail", args=["WT-NONE"])).status_code == 404


# --- contract review ------------------------------------------------------------------------------

def test_review_through_the_page(client, lab):
    order = create(lab, conformity_wanted=True, conformity_specification="MPE")
    item = order.items.get()
    login(client, lab.reception)
    url = reverse("orders:review", args=[order.number])
    body = client.get(url).content.decode()
    assert f'id="proposal-{item.pk}"' in body and lab.scope_item.code in body

    # a choice is required; what was typed stays
    response = client.post(url, {"action": "review", "item": item.pk, f"item{item.pk}-method_version": lab.version.pk,
                                 f"item{item.pk}-note": "我的意见"})
    assert response.status_code == 400 and "我的意见" in response.content.decode()
    assert response.context["items"][0].review_form.errors["scope_item"]

    response = client.post(url, {"action": "review", "item": item.pk, f"item{item.pk}-scope_item": lab.scope_item.pk,
                                 f"item{item.pk}-method_version": lab.version.pk})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == "reviewed" and item.method_version == lab.version

    response = client.post(url, {"action": "deviation", "item": item.pk, "kind": DeviationKind.DIFFERENT_METHOD,
                                 "description": ""})
    assert response.status_code == 400 and response.context["deviation_form"].errors["description"]
    assert client.post(url, {"action": "deviation", "item": item.pk, "kind": DeviationKind.DIFFERENT_METHOD,
                             "description": "使用 JJF 1587-2016", "justification": "现行版本"}).status_code == 302
    assert Deviation.objects.get(item=item).status == "pending"

    # completing before the quote is refused with the guard's reasons
    response = client.post(url, {"action": "complete", "decision_rule": "simple_acceptance"})
    assert response.status_code == 409 and "没有报价" in response.content.decode()
    assert Order.objects.get(pk=order.pk).status == "submitted"

    body = client.get(url).content.decode()
    assert f'name="price_{item.pk}"' in body and 'value="300.00"' in body
    assert client.post(url, {"action": "quote", f"price_{item.pk}": "320.00"}).status_code == 302
    quote = order.quotes.get()
    assert quote.total == Decimal("320.00") and quote.status == QuoteStatus.DRAFT

    response = client.post(url, {"action": "complete", "decision_rule": ""})
    assert response.status_code == 400 and response.context["decision_form"].errors["decision_rule"]
    assert client.post(url, {"action": "complete", "decision_rule": "guard_band_u"}).status_code == 302
    order.refresh_from_db()
    assert order.status == "awaiting_customer" and order.decision_rule == "guard_band_u"


def test_reject_an_item_needs_a_reason(client, lab):
    order = create(lab)
    item = order.items.get()
    login(client, lab.reception)
    url = reverse("orders:review", args=[order.number])
    response = client.post(url, {"action": "reject", "item": item.pk, f"reject{item.pk}-reason": ""})
    assert response.status_code == 400 and response.context["items"][0].reject_form.errors["reason"]
    assert client.post(url, {"action": "reject", "item": item.pk,
                             f"reject{item.pk}-reason": "超出能力范围"}).status_code == 302
    assert OrderItem.objects.get(pk=item.pk).status == "withdrawn"


def test_quote_below_cost_warns_and_waits_for_the_managers_approval(client, lab):
    order = create(lab)
    item = order.items.get()
    services.do_review_item(item, scope_item=lab.scope_item, method_version=lab.version, actor=lab.reception)
    login(client, lab.reception)
    url = reverse("orders:review", args=[order.number])
    response = client.post(url, {"action": "quote", f"price_{item.pk}": "50.00"}, follow=True)
    body = response.content.decode()
    quote = order.quotes.get()
    assert quote.status == QuoteStatus.PENDING_APPROVAL and quote.below_cost
    assert "MKT-2" in body and 'id="below-cost"' in body
    response = client.post(url, {"action": "complete"})
    assert response.status_code == 409 and "MKT-2" in response.content.decode()

    approve = reverse("orders:approve_quote", args=[quote.pk])
    assert client.get(approve).status_code == 403
    login(client, lab.manager)
    assert quote.number in client.get(reverse("orders:queue")).content.decode()
    response = client.post(approve, {"note": ""})
    assert response.status_code == 400 and response.context["form"].errors["note"]
    assert client.post(approve, {"note": "长期客户，首单优惠"}).status_code == 302
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.DRAFT and quote.approved_by == lab.manager
    login(client, lab.reception)
    assert client.post(url, {"action": "complete"}).status_code == 302
    assert Order.objects.get(pk=order.pk).status == "awaiting_customer"


# --- receipt, label, hand-over --------------------------------------------------------------------

def test_receive_then_print_the_label(client, lab, settings):
    settings.CALTRACE_BASE_URL = "https://lab.example"
    order = accepted(lab)
    item = order.items.get()
    login(client, lab.reception)
    url = reverse("orders:receive", args=[item.pk])
    response = client.post(url, {"condition": "", "deviation": "缺少表笔"})
    assert response.status_code == 400 and response.context["form"].errors["condition"]
    assert "缺少表笔" in response.content.decode()
    response = client.post(url, {"condition": "外观完好，通电正常", "deviation": "缺少表笔"})
    item.refresh_from_db()
    assert item.status == "received" and item.identification and item.receipt_deviation == "缺少表笔"
    assert response["Location"] == reverse("orders:label", args=[item.pk])

    body = client.get(response["Location"]).content.decode()
    assert f'id="label-identification">{item.identification}<' in body
    assert "<svg" in body and "label-qr" in body and order.number in body and lab.customer.name in body
    assert f"https://lab.example/scan/{item.label_code}/" in body
    assert "size: 60mm 40mm" in _static("label.css").read_text()
    assert "size: A4" in client.get(response["Location"], {"sheet": "a4"}).content.decode()


def _static(name):
    from pathlib import Path

    import caltrace.orders

    return Path(caltrace.orders.__file__).parent / "static" / "orders" / name


def test_receiving_an_item_of_an_order_not_accepted_is_refused(client, lab):
    order = reviewed(lab)
    item = order.items.get()
    login(client, lab.reception)
    response = client.post(reverse("orders:receive", args=[item.pk]), {"condition": "完好"})
    assert response.status_code == 409
    assert OrderItem.objects.get(pk=item.pk).identification is None


def test_label_of_an_item_not_received_is_404(client, lab):
    item = accepted(lab).items.get()
    login(client, lab.reception)
    assert client.get(reverse("orders:label", args=[item.pk])).status_code == 404


def test_hand_over_needs_the_courier_slip_and_closes_the_order(client, lab):
    order, item = issued(lab)
    login(client, lab.reception)
    url = reverse("orders:hand_over", args=[item.pk])
    response = client.post(url, {"method": "courier", "returned_to": "王五"})
    assert response.status_code == 400 and response.context["form"].errors["courier_slip_no"]
    assert 'value="王五"' in response.content.decode()
    assert client.post(url, {"method": "courier", "courier_slip_no": "SF123456"}).status_code == 302
    item.refresh_from_db()
    order.refresh_from_db()
    assert item.status == "returned" and item.courier_slip_no == "SF123456" and order.status == "closed"


# --- scanning ----------------------------------------------------------------------------------------

def test_scan_opens_the_job_page_once_a_job_exists(client, lab, monkeypatch):
    from caltrace.orders import views

    order, item = received(lab)
    login(client, lab.reception)
    detail = client.get(reverse("orders:detail", args=[order.number])).content.decode()
    assert reverse("calibration:job_assign", args=[item.pk]) in detail

    class FakeJobs:
        def order_by(self, *_):
            return self

        def first(self):
            return type("Job", (), {"pk": 77})()

    monkeypatch.setattr(views.OrderItem, "jobs", property(lambda self: FakeJobs()), raising=False)
    response = client.get(reverse("orders:scan_code", args=[item.label_code]))
    assert response["Location"] == reverse("calibration:job_detail", args=[77])


def test_scan_by_label_code_and_by_identification_typed_loosely(client, lab):
    order, item = received(lab)
    login(client, lab.calibrator)
    detail = reverse("orders:detail", args=[order.number]) + f"#item-{item.pk}"
    body = client.get(reverse("orders:scan")).content.decode()
    assert "autofocus" in body and "orders/scan.js" in body
    assert client.get(reverse("orders:scan_code", args=[item.label_code]))["Location"] == detail
    typed = " ".join(item.identification.lower())
    response = client.get(reverse("orders:scan"), {"code": f"  {typed} "}, follow=True)
    assert response.redirect_chain[-1][0] == detail
    # a USB scanner reading the QR code types the whole URL
    response = client.get(reverse("orders:scan"), {"code": f"https://lab.example/scan/{item.label_code}/"})
    assert response["Location"] == reverse("orders:scan_code", args=[item.label_code])


def test_scan_of_an_unknown_code_echoes_it_escaped(client, lab):
    login(client, lab.reception)
    response = client.get(reverse("orders:scan_code", args=["<b>nope"]))
    body = response.content.decode()
    assert response.status_code == 404 and 'id="scan-not-found"' in body
    assert "&lt;b&gt;nope" in body and "<b>nope" not in body
    response = client.get(reverse("orders:scan"), {"code": "<script>x</script>"})
    body = response.content.decode()
    assert response.status_code == 404 and "&lt;script&gt;x&lt;/script&gt;" in body and "<script>x" not in body


def test_scan_by_a_customer(client, lab, make_user):
    from caltrace.customers.factories import CustomerContactFactory
    from caltrace.customers.services import do_open_portal_account

    order, item = received(lab)
    stranger = do_open_portal_account(CustomerContactFactory(), username="stranger", password="pw-for-tests-1")
    login(client, stranger)
    assert client.get(reverse("orders:scan_code", args=[item.label_code])).status_code == 404
    login(client, lab.customer_user)
    response = client.get(reverse("orders:scan_code", args=[item.label_code]))
    assert response["Location"] == reverse("portal:order_detail", args=[order.number])
    response = client.get(reverse("orders:scan"), {"code": item.identification.lower()}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("portal:order_detail", args=[order.number])


# --- price list ---------------------------------------------------------------------------------------

def test_price_list_shows_cost_and_margin_and_edits_through_the_service(client, lab):
    login(client, lab.manager)
    url = reverse("orders:prices")
    body = client.get(url).content.decode()
    assert "300.00" in body and "240.00" in body and "60.00" in body  # (1 h × 150 + 50) × 1.2 = 240
    response = client.post(url, {"scope_item": lab.scope_item.pk, "price": "-1", "labour_hours": "2",
                                 "hourly_rate": "150", "equipment_cost": "50", "overhead_rate": "0.2"})
    assert response.status_code == 400 and response.context["form"].errors["price"]
    assert client.post(url, {"scope_item": lab.scope_item.pk, "price": "350", "labour_hours": "2",
                             "hourly_rate": "150", "equipment_cost": "50", "overhead_rate": "0.2"}).status_code == 302
    entry = PriceListEntry.objects.get(scope_item=lab.scope_item)
    assert entry.price == Decimal("350") and entry.cost == Decimal("420.00")
    assert "低于成本" in client.get(url).content.decode()
