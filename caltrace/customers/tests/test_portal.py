"""The customer portal pages: registration, the application form, an order's decisions and
appointment, scoping to the organisation, and the query counts of the home page."""

import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from caltrace.core import roles
from caltrace.customers.factories import CustomerContactFactory
from caltrace.customers.models import CustomerContact, CustomerOrganisation
from caltrace.customers.services import do_open_portal_account
from caltrace.org.factories import make_credit_code
from caltrace.orders import services as orders
from caltrace.orders.choices import DeviationKind, DeviationStatus, QuoteStatus
from caltrace.orders.factories import make_lab
from caltrace.orders.models import Deviation, Order, OrderItem

pytestmark = pytest.mark.django_db

STRONG = "Kalibrier-2026-xyz"


@pytest.fixture
def lab(make_user):
    return make_lab(make_user)


@pytest.fixture
def portal(client, lab):
    client.force_login(lab.customer_user)
    return client


def make_order(lab, **kwargs):
    kwargs.setdefault("items", [lab.item()])
    order, code = orders.do_create_order(lab.customer, actor=lab.customer_user, contact=lab.contact, **kwargs)
    orders.do_submit_order(order, actor=lab.customer_user)
    return Order.objects.get(pk=order.pk), code


def awaiting_order(lab, *, deviations=0, **kwargs):
    """An order whose review is complete: quote sent, ``deviations`` pending on its first item."""
    order, _code = make_order(lab, **kwargs)
    for item in order.items.all():
        orders.do_review_item(item, scope_item=lab.scope_item, method_version=lab.version, actor=lab.reception)
    first = order.items.order_by("id").first()
    for n in range(deviations):
        orders.do_record_deviation(first, kind=DeviationKind.OUTSIDE_RANGE, description=f"增加 110{n} V 校准点",
                                   actor=lab.reception)
    orders.do_make_quote(order, actor=lab.reception)
    orders.do_complete_review(order, actor=lab.reception)
    return Order.objects.get(pk=order.pk)


def accepted_order(lab, **kwargs):
    order = awaiting_order(lab, **kwargs)
    orders.do_accept_order(order, actor=lab.customer_user)
    return Order.objects.get(pk=order.pk)


def other_customer_user():
    contact = CustomerContactFactory()
    user = do_open_portal_account(contact, username=f"other{contact.pk}", password="pw-for-tests-1")
    return user, contact.organisation


# --- registration ------------------------------------------------------------------------------------


def registration(**changes):
    data = {"name": "无锡某某仪表有限公司", "credit_code": make_credit_code(), "address": "无锡市新吴区 1 号",
            "phone": "0510-80000000", "contact_name": "李工", "contact_phone": "13900000000",
            "contact_email": "li@example.com", "username": "ligong", "password": STRONG, "password2": STRONG}
    data.update(changes)
    return data


def test_a_customer_registers_and_is_signed_in(client, make_user):
    make_user("nobody")  # syncs the role groups
    data = registration()
    response = client.post(reverse("portal:register"), data)
    assert response.status_code == 302 and response.url == reverse("portal:home")
    org = CustomerOrganisation.objects.get(credit_code=data["credit_code"])
    contact = CustomerContact.objects.get(organisation=org)
    assert contact.name == "李工" and contact.email == "li@example.com"
    assert contact.user.username == "ligong" and contact.user.check_password(STRONG)
    assert roles.is_customer(contact.user) and not roles.is_staff_member(contact.user)
    assert client.get(reverse("portal:home")).status_code == 200  # signed in


def test_a_registered_credit_code_tells_them_to_ask_their_contact_without_naming_anyone(client, lab):
    data = registration(credit_code=lab.customer.credit_code)
    response = client.post(reverse("portal:register"), data)
    assert response.status_code == 400
    text = response.content.decode()
    assert "请联系本单位已有的联系人" in text
    assert lab.customer.name not in text and lab.contact.name not in text
    assert not get_user_model().objects.filter(username="ligong").exists()


def test_a_bad_credit_code_is_refused_and_the_form_keeps_what_was_typed(client, db):
    response = client.post(reverse("portal:register"), registration(credit_code="91320200MA1X2Y3Z4A"))
    assert response.status_code == 400
    text = response.content.decode()
    assert "统一社会信用代码" in text and 'value="无锡某某仪表有限公司"' in text
    assert not CustomerOrganisation.objects.exists()


def test_a_weak_password_is_refused(client, db):
    response = client.post(reverse("portal:register"), registration(password="12345678", password2="12345678"))
    assert response.status_code == 400
    assert response.context["form"].errors["password"]
    assert not CustomerOrganisation.objects.exists() and not get_user_model().objects.exists()


def test_the_service_refuses_a_duplicate_credit_code_too(lab):
    from django.core.exceptions import ValidationError

    from caltrace.customers.services import do_register_customer

    with pytest.raises(ValidationError) as exc:
        do_register_customer(name="x", credit_code=lab.customer.credit_code.lower(), contact_name="y",
                             username="y1", password=STRONG)
    assert "credit_code" in exc.value.message_dict


def test_a_contact_invites_a_colleague(portal, lab):
    response = portal.post(reverse("portal:contacts"), {
        "contact_name": "王工", "contact_phone": "13700000000", "contact_email": "wang@example.com",
        "username": "wanggong", "password": STRONG, "password2": STRONG})
    assert response.status_code == 302
    colleague = CustomerContact.objects.get(name="王工")
    assert colleague.organisation == lab.customer and roles.is_customer(colleague.user)


# --- the application --------------------------------------------------------------------------------


def rows(*items, **header):
    data = {"items-TOTAL_FORMS": str(len(items)), "items-INITIAL_FORMS": "0", "items-MIN_NUM_FORMS": "1",
            "items-MAX_NUM_FORMS": "50", "location": "in_lab", "submit": "1"}
    data.update(header)
    for i, item in enumerate(items):
        for key, value in item.items():
            data[f"items-{i}-{key}"] = value
    return data


DMM = {"instrument_type": "数字多用表", "manufacturer": "Keysight", "model": "34465A", "serial_no": "MY001",
       "range_text": "±(0～1000) V", "range_min": "-1000", "range_max": "1000", "unit": "V", "requested_method": "",
       "quantity": "1"}


def test_an_application_with_two_instruments_is_submitted_and_shows_the_code_once(portal, lab):
    second = DMM | {"serial_no": "MY002", "requested_method": str(lab.method.pk), "quantity": "2"}
    response = portal.post(reverse("portal:apply"), rows(DMM, second, conformity_wanted="on",
                                                         conformity_specification="JJG 315 0.5 级"))
    assert response.status_code == 302
    order = Order.objects.get(customer=lab.customer)
    assert order.status == "submitted" and order.conformity_wanted and order.submitted_by == lab.customer_user
    items = list(order.items.order_by("id"))
    assert [i.serial_no for i in items] == ["MY001", "MY002"]
    assert items[0].requested_method is None and items[1].requested_method == lab.method and items[1].quantity == 2
    page = portal.get(response.url)
    code = re.search(r'id="access-code">([A-Z0-9]+)<', page.content.decode()).group(1)
    assert order.check_access_code(code)
    assert "请妥善保存此查询码" in page.content.decode()
    again = portal.get(response.url).content.decode()  # shown once only
    assert code not in again


def test_a_bad_row_is_named_and_nothing_typed_is_lost(portal, lab):
    bad = DMM | {"serial_no": "MY777", "instrument_type": "", "range_min": "10", "range_max": "5"}
    response = portal.post(reverse("portal:apply"), rows(DMM, bad, notes="请加急"))
    assert response.status_code == 400
    text = response.content.decode()
    assert "第 2 件器具" in text and "器具名称" in text and "上限不能小于下限" in text
    assert 'value="MY777"' in text and 'value="MY001"' in text and "请加急" in text
    assert not Order.objects.exists()


def test_a_unit_the_service_refuses_goes_to_its_row(portal, lab):
    response = portal.post(reverse("portal:apply"), rows(DMM, DMM | {"unit": "V/"}))
    assert response.status_code == 400
    formset = response.context["formset"]
    assert formset.forms[1].errors["unit"] and not formset.forms[0].errors
    assert not Order.objects.exists()


def test_on_site_needs_an_address(portal, lab):
    response = portal.post(reverse("portal:apply"), rows(DMM, location="on_site"))
    assert response.status_code == 400
    assert response.context["header"].errors["on_site_address"]
    assert "现场校准须填写现场地址" in response.content.decode()
    ok = portal.post(reverse("portal:apply"), rows(DMM, location="on_site", on_site_address="无锡市 2 号车间"))
    assert ok.status_code == 302 and Order.objects.get().on_site


def test_adding_and_removing_rows_keeps_what_was_typed(portal, lab):
    data = rows(DMM | {"serial_no": "KEEP1"})
    del data["submit"]
    data["add_row"] = "1"
    response = portal.post(reverse("portal:apply"), data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and len(response.context["formset"].forms) == 2
    assert 'value="KEEP1"' in response.content.decode()
    two = rows(DMM | {"serial_no": "DROP"}, DMM | {"serial_no": "KEEP2"})
    del two["submit"]
    two["remove_row"] = "0"
    response = portal.post(reverse("portal:apply"), two)
    text = response.content.decode()
    assert len(response.context["formset"].forms) == 1 and 'value="KEEP2"' in text and "DROP" not in text
    assert not Order.objects.exists()


# --- an order: deviations, acceptance, appointment -----------------------------------------------------


def test_deviations_are_decided_then_the_order_accepted(portal, lab):
    order = awaiting_order(lab, deviations=2)
    url = reverse("portal:order_detail", args=[order.number])
    page = portal.get(url)
    assert page.status_code == 200
    assert page.context["pending"] and not page.context["can_accept"]
    assert reverse("portal:order_accept", args=[order.number]) not in page.content.decode()
    first, second = Deviation.objects.filter(item__order=order).order_by("id")
    response = portal.post(reverse("portal:deviation_decide", args=[order.number, first.pk]),
                           {f"dev{first.pk}-decision": "accept"})
    assert response.status_code == 302
    # refusing needs a reason: the page comes back with the error
    response = portal.post(reverse("portal:deviation_decide", args=[order.number, second.pk]),
                           {f"dev{second.pk}-decision": "reject", f"dev{second.pk}-comment": ""})
    assert response.status_code == 400 and "不接受偏离时请说明理由" in response.content.decode()
    portal.post(reverse("portal:deviation_decide", args=[order.number, second.pk]),
                {f"dev{second.pk}-decision": "accept"})
    page = portal.get(url)
    assert page.context["can_accept"]
    assert reverse("portal:order_accept", args=[order.number]) in page.content.decode()
    assert page.context["quote"].total > 0 and "报价单" in page.content.decode()
    response = portal.post(reverse("portal:order_accept", args=[order.number]))
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == "accepted" and order.quotes.get().status == QuoteStatus.ACCEPTED


def test_accepting_with_a_refused_deviation_is_refused_readably(portal, lab):
    order = awaiting_order(lab, deviations=1)
    deviation = Deviation.objects.get(item__order=order)
    portal.post(reverse("portal:deviation_decide", args=[order.number, deviation.pk]),
                {f"dev{deviation.pk}-decision": "reject", f"dev{deviation.pk}-comment": "不需要该点"})
    assert Deviation.objects.get(pk=deviation.pk).status == DeviationStatus.REJECTED
    page = portal.get(reverse("portal:order_detail", args=[order.number]))
    assert not page.context["can_accept"] and "您不接受某项偏离" in page.content.decode()
    response = portal.post(reverse("portal:order_accept", args=[order.number]))
    assert response.status_code == 409
    assert "偏离未经客户接受" in response.content.decode()
    assert Order.objects.get(pk=order.pk).status == "awaiting_customer"


def test_declining_needs_a_reason(portal, lab):
    order = awaiting_order(lab)
    response = portal.post(reverse("portal:order_decline", args=[order.number]), {"comment": ""})
    assert response.status_code == 400 and "请填写拒绝理由" in response.content.decode()
    response = portal.post(reverse("portal:order_decline", args=[order.number]), {"comment": "价格过高"})
    assert response.status_code == 302 and Order.objects.get(pk=order.pk).status == "cancelled"


def test_deciding_a_deviation_on_a_submitted_order_is_not_offered(portal, lab):
    order, _code = make_order(lab)
    page = portal.get(reverse("portal:order_detail", args=[order.number]))
    assert not page.context["awaiting"] and page.context["appointment_form"] is None
    assert reverse("portal:order_accept", args=[order.number]) not in page.content.decode()
    response = portal.post(reverse("portal:order_accept", args=[order.number]))
    assert response.status_code == 409  # TransitionError shown as the readable refusal page


def test_booking_drop_off_and_pick_up(portal, lab):
    order = accepted_order(lab)
    url = reverse("portal:appointment", args=[order.number])
    today = timezone.localdate()
    bad = portal.post(url, {"drop_off_on": (today + dt.timedelta(days=5)).isoformat(),
                            "pick_up_on": (today + dt.timedelta(days=2)).isoformat()})
    assert bad.status_code == 400 and "取样日期不能早于送样日期" in bad.content.decode()
    past = portal.post(url, {"drop_off_on": (today - dt.timedelta(days=1)).isoformat()})
    assert past.status_code == 400 and "预约日期不能早于今天" in past.content.decode()
    ok = portal.post(url, {"drop_off_on": (today + dt.timedelta(days=2)).isoformat(),
                           "pick_up_on": (today + dt.timedelta(days=9)).isoformat()})
    assert ok.status_code == 302
    order.refresh_from_db()
    assert order.drop_off_on == today + dt.timedelta(days=2)
    page = portal.get(reverse("portal:order_detail", args=[order.number])).content.decode()
    assert "预约" in page  # on the timeline


def test_an_on_site_order_books_a_visit(portal, lab):
    order = accepted_order(lab, location="on_site", on_site_address="某厂 3 号车间")
    page = portal.get(reverse("portal:order_detail", args=[order.number]))
    assert list(page.context["appointment_form"].fields) == ["visit_on"]
    day = timezone.localdate() + dt.timedelta(days=3)
    response = portal.post(reverse("portal:appointment", args=[order.number]), {"visit_on": day.isoformat()})
    assert response.status_code == 302
    assert Order.objects.get(pk=order.pk).visit_on == day


# --- scoping -------------------------------------------------------------------------------------------


def test_another_organisations_order_answers_404(client, lab):
    order = awaiting_order(lab, deviations=1)
    deviation = Deviation.objects.get(item__order=order)
    stranger, _org = other_customer_user()
    client.force_login(stranger)
    for name, args in (("order_detail", [order.number]), ("survey", [order.number]),
                       ("order_created", [order.number])):
        assert client.get(reverse(f"portal:{name}", args=args)).status_code == 404
    for name, args in (("order_accept", [order.number]), ("order_decline", [order.number]),
                       ("appointment", [order.number]), ("deviation_decide", [order.number, deviation.pk])):
        assert client.post(reverse(f"portal:{name}", args=args), {"comment": "x"}).status_code == 404
    assert Order.objects.get(pk=order.pk).status == "awaiting_customer"


def test_staff_get_no_customer_portal_and_anonymous_users_are_sent_to_login(client, lab):
    client.force_login(lab.reception)
    assert client.get(reverse("portal:home")).status_code == 403
    client.logout()
    response = client.get(reverse("portal:apply"))
    assert response.status_code == 302 and "/login/" in response.url and "next=/portal/apply/" in response.url


# --- the home page ----------------------------------------------------------------------------------


def test_home_lists_orders_with_next_step_in_constant_queries(portal, lab, django_assert_max_num_queries):
    awaiting_order(lab)
    make_order(lab)
    with django_assert_max_num_queries(20) as first:
        response = portal.get(reverse("portal:home"))
    assert response.status_code == 200
    assert "请确认报价和偏离" in response.content.decode() and "等待实验室合同评审" in response.content.decode()
    for _n in range(6):
        make_order(lab)
    OrderItem.objects.filter(order__customer=lab.customer).update(next_due_on=timezone.localdate())
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = portal.get(reverse("portal:home"))
    assert len(response.context["page"].object_list) == 8
    assert len(response.context["due_items"]) == 8


def test_the_order_page_does_not_grow_with_its_items(portal, lab, django_assert_max_num_queries):
    small = awaiting_order(lab, deviations=1)
    big = awaiting_order(lab, deviations=3, items=[lab.item(serial_no=f"S{n}") for n in range(5)])
    with django_assert_max_num_queries(25) as first:
        assert portal.get(reverse("portal:order_detail", args=[small.number])).status_code == 200
    with django_assert_max_num_queries(len(first.captured_queries)):
        page = portal.get(reverse("portal:order_detail", args=[big.number]))
    assert len(page.context["items"]) == 5 and len(page.context["pending"]) == 3


def test_the_portal_speaks_english_when_chosen(portal, lab):
    from django.conf import settings

    order = awaiting_order(lab, deviations=1)
    portal.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for url in (reverse("portal:home"), reverse("portal:apply"), reverse("portal:order_detail", args=[order.number]),
                reverse("portal:requests"), reverse("portal:complaints"), reverse("portal:contacts")):
        response = portal.get(url)
        assert response.status_code == 200 and 'lang="en"' in response.content.decode()
