"""Customer pages: the desk's list, an organisation's page, a customer's own organisation."""

import re

import pytest
from django.urls import reverse

from caltrace.core import roles
from caltrace.customers.models import CustomerContact, CustomerOrganisation

from .conftest import credit_code

pytestmark = pytest.mark.django_db


def test_customer_sees_own_organisation_and_not_another(client_as, make_customer, make_org):
    mine, other = make_org("甲方计量用户单位"), make_org("乙方其他单位")
    client = client_as(make_customer("c-own", org=mine, name="张三"))
    resp = client.get(reverse("web:customer_detail", args=[mine.pk]))
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "甲方计量用户单位" in html and "张三" in html
    assert "乙方其他单位" not in html
    assert client.get(reverse("web:customer_detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("web:customer_detail", args=[999999])).status_code == 404


def test_my_organisation_for_customer(client_as, make_customer, make_org):
    org = make_org("自己的单位", name_en="Own Org Ltd")
    client = client_as(make_customer("c-mine", org=org))
    resp = client.get(reverse("web:my_organisation"))
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "自己的单位" in html and "Own Org Ltd" in html and org.credit_code in html
    # No link back to the staff list for a customer.
    assert reverse("web:customer_list") not in html


def test_my_organisation_without_contact_record(client_as, make_user):
    client = client_as(make_user("lonely", roles.CUSTOMER))
    resp = client.get(reverse("web:my_organisation"))
    assert resp.status_code == 200
    assert "尚未关联客户单位" in resp.content.decode()


def test_my_organisation_for_staff(client_as, make_user):
    desk = client_as(make_user("desk", roles.RECEPTION))
    resp = desk.get(reverse("web:my_organisation"))
    assert resp.status_code == 302 and resp.url == reverse("web:customer_list")
    calibrator = client_as(make_user("cal", roles.CALIBRATOR))
    assert calibrator.get(reverse("web:my_organisation")).status_code == 404


def test_staff_see_any_organisation(client_as, make_user, make_org):
    org = make_org()
    for role in (roles.RECEPTION, roles.CALIBRATOR):
        client = client_as(make_user(f"s-{role}", role))
        assert client.get(reverse("web:customer_detail", args=[org.pk])).status_code == 200


def test_home_shows_customer_their_organisation(client_as, make_customer, make_org):
    org = make_org("首页单位")
    client = client_as(make_customer("c-home", org=org, name="李四"))
    html = client.get(reverse("web:home")).content.decode()
    assert "首页单位" in html and "李四" in html


def make_many(n):
    orgs = CustomerOrganisation.objects.bulk_create([
        CustomerOrganisation(name=f"批量单位{i:03d}", name_en=f"Bulk Org {i:03d}", credit_code=credit_code(5000 + i))
        for i in range(n)])
    CustomerContact.objects.bulk_create([CustomerContact(organisation=o, name=f"联系人{o.pk}") for o in orgs])
    return orgs


def test_customer_list_paginates_searches_and_filters(client_as, make_user, make_customer):
    make_many(60)
    portal = make_customer("portal-user")  # one organisation with a portal account
    client = client_as(make_user("desk2", roles.RECEPTION))
    url = reverse("web:customer_list")

    first = client.get(url).content.decode()
    assert "共 61 家单位" in first
    assert 'href="?page=2"' in first
    seen = []
    for page in (1, 2, 3):
        html = client.get(url, {"page": page}).content.decode()
        seen += re.findall(r">(批量单位\d{3}|测试客户单位\d{4})</a>", html)
    assert len(seen) == len(set(seen)) == 61
    assert client.get(url, {"page": "junk"}).status_code == 200
    assert client.get(url, {"page": 999}).status_code == 200

    found = client.get(url, {"q": "单位007"}).content.decode()
    assert "共 1 家单位" in found and "批量单位007" in found
    by_en = client.get(url, {"q": "bulk org 012"}).content.decode()
    assert "批量单位012" in by_en
    by_code = client.get(url, {"q": credit_code(5003)[:17].lower()}).content.decode()
    assert "批量单位003" in by_code

    with_portal = client.get(url, {"portal": "yes"}).content.decode()
    assert "共 1 家单位" in with_portal and str(portal.customer_contact.organisation) in with_portal
    without = client.get(url, {"portal": "no"}).content.decode()
    assert "共 60 家单位" in without
    # The page number link keeps the filter.
    paged = client.get(url, {"portal": "no"}).content.decode()
    assert 'href="?portal=no&amp;page=2"' in paged


def test_customer_list_query_count(client_as, make_user, django_assert_max_num_queries):
    make_many(80)
    client = client_as(make_user("desk3", roles.RECEPTION))
    client.get(reverse("web:customer_list"))  # warm the session
    with django_assert_max_num_queries(6):
        resp = client.get(reverse("web:customer_list"), {"page": 2})
    assert resp.status_code == 200


def test_customer_detail_query_count(client_as, make_user, make_org, django_assert_max_num_queries):
    org = make_org()
    CustomerContact.objects.bulk_create([CustomerContact(organisation=org, name=f"人{i}") for i in range(30)])
    client = client_as(make_user("desk4", roles.QUALITY_MANAGER))
    with django_assert_max_num_queries(5):
        resp = client.get(reverse("web:customer_detail", args=[org.pk]))
    assert "人29" in resp.content.decode()
