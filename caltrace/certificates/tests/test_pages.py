"""The certificate pages (RPT-3): list with filters and pagination, detail with the amendment chain,
downloads of the signed PDF and the DCC, the withdrawal by quality staff, and customer scoping:
a customer sees only its own organisation's certificates; another's answers 404."""

import contextlib
import datetime as dt
import hashlib
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from caltrace.certificates import services, views
from caltrace.certificates.document import ItemDescription, Party
from caltrace.certificates.models import Certificate
from caltrace.certificates.samples import sample_document
from caltrace.core.services import do_sync_role_groups
from caltrace.customers import services as customers
from caltrace.org.factories import make_credit_code

from .conftest import module_transaction

pytestmark = pytest.mark.django_db

ACTOR = "system:test"


def issue_shared_certificates(prefix: str) -> dict:
    """Two customer organisations; A has a certificate amended once and a second one, B one pressure
    gauge. Returns the organisations and the numbers by role."""
    do_sync_role_groups()
    org_a = customers.do_register_customer_organisation(name="苏州甲方精密仪器有限公司", credit_code=make_credit_code())
    org_b = customers.do_register_customer_organisation(name="无锡乙方电子有限公司", credit_code=make_credit_code())
    numbers = {"old": f"{prefix}-A-0001", "new": f"{prefix}-A-0001-R1", "other": f"{prefix}-A-0002",
               "b": f"{prefix}-B-0001"}
    old = services.do_issue_certificate(sample_document(number=numbers["old"]), actor=ACTOR, customer=org_a)
    services.do_amend_certificate(old, sample_document(number=numbers["new"]), reason="示值录入错误", actor=ACTOR)
    services.do_issue_certificate(sample_document(number=numbers["other"]), actor=ACTOR, customer=org_a)
    gauge = ItemDescription("压力表", "MH26-0009999", manufacturer="上仪", model="Y-100")
    doc_b = sample_document(number=numbers["b"], item=gauge, customer=Party("无锡乙方电子有限公司", "江苏省无锡市"))
    services.do_issue_certificate(doc_b, actor=ACTOR, customer=org_b)
    return {"org_a": org_a, "org_b": org_b, **numbers}


@contextlib.contextmanager
def fast_rendering(monkeypatch):
    """Issue through the real service, but skip rendering and signing the PDF (a second each)."""
    from caltrace.certificates import pdf, signing

    monkeypatch.setattr(pdf, "render_pdf", lambda doc: b"%PDF-1.7 test " + doc.number.encode())
    monkeypatch.setattr(signing, "sign_pdf", lambda data, **kw: data)
    yield


def issue_many(n: int, *, prefix: str, customer=None):
    for i in range(n):
        services.do_issue_certificate(sample_document(number=f"{prefix}-{i:04d}"), actor=ACTOR, customer=customer)


def portal_user(org, username):
    contact = customers.do_add_customer_contact(org, name=f"{username} 联系人")
    return customers.do_open_portal_account(contact, username=username, password="pw-for-tests-1")


@pytest.fixture(scope="module")
def shared(django_db_setup, django_db_blocker):
    with module_transaction(django_db_blocker):
        yield issue_shared_certificates("T-PG")


@pytest.fixture
def staff(client, make_user, shared):
    client.force_login(make_user("calibrator1", roles=["calibrator"]))
    return client


@pytest.fixture
def quality(client, make_user, shared):
    client.force_login(make_user("quality1", roles=["quality_manager"]))
    return client


@pytest.fixture
def customer_a(client, shared):
    client.force_login(portal_user(shared["org_a"], "portal-a"))
    return client


def _list(client, **params):
    resp = client.get(reverse("certificates:list"), params)
    assert resp.status_code == 200
    return resp


def _numbers(resp) -> list[str]:
    return [c.number for c in resp.context["page"].object_list]


# --- the list ---------------------------------------------------------------------------------


def test_staff_list_shows_every_certificate_newest_first_with_state_badges(staff, shared):
    resp = _list(staff)
    assert _numbers(resp) == [shared["b"], shared["other"], shared["new"], shared["old"]]
    html = resp.content.decode()
    for text in (shared["old"], "数字多用表 34465A MH26-0001234", "苏州甲方精密仪器有限公司", "无锡乙方电子有限公司",
                 timezone.localdate().isoformat(), "已被替代", "有效"):
        assert text in html
    assert f'href="{reverse("certificates:detail", args=[shared["old"]])}"' in html


def test_the_list_is_in_the_navigation_for_staff_and_customers(staff, customer_a):
    for client in (staff, customer_a):
        nav = [i["url"] for i in _list(client).context["nav_items"]]
        assert reverse("certificates:list") in nav


def test_filters_by_state_customer_search_and_issue_date(staff, shared):
    assert _numbers(_list(staff, status="amended")) == [shared["old"]]
    assert set(_numbers(_list(staff, status="issued"))) == {shared["new"], shared["other"], shared["b"]}
    assert _numbers(_list(staff, status="withdrawn")) == []
    assert _numbers(_list(staff, customer=shared["org_b"].pk)) == [shared["b"]]
    assert _numbers(_list(staff, q="压力表")) == [shared["b"]]
    assert _numbers(_list(staff, q="Y-100")) == [shared["b"]]
    assert _numbers(_list(staff, q="a-0001")) == [shared["new"], shared["old"]]
    today = timezone.localdate()
    assert len(_numbers(_list(staff, issued_from=today.isoformat(), issued_to=today.isoformat()))) == 4
    assert _numbers(_list(staff, issued_from=(today + dt.timedelta(days=1)).isoformat())) == []
    assert _numbers(_list(staff, issued_to=(today - dt.timedelta(days=1)).isoformat())) == []


def test_an_inverted_date_range_is_a_form_error(staff):
    today = timezone.localdate()
    resp = _list(staff, issued_from=today.isoformat(), issued_to=(today - dt.timedelta(days=3)).isoformat())
    assert resp.context["form"].errors["issued_to"]
    assert _numbers(resp) == []


def test_withdrawn_filter_and_badge(staff, shared):
    services.do_withdraw_certificate(Certificate.objects.get(number=shared["other"]), reason="客户退回", actor=ACTOR)
    resp = _list(staff, status="withdrawn")
    assert _numbers(resp) == [shared["other"]]
    assert "已撤回" in resp.content.decode()


def test_the_list_is_paginated_fifty_a_page(staff, shared, monkeypatch):
    assert views.PAGE_SIZE == 50
    with fast_rendering(monkeypatch):
        issue_many(47, prefix="T-PG-PAGE")  # 4 shared + 47 = 51
    first = _list(staff)
    assert len(first.context["page"].object_list) == 50
    assert first.context["page"].paginator.num_pages == 2
    second = _list(staff, page=2)
    assert _numbers(second) == [shared["old"]]  # the oldest, last


@pytest.mark.parametrize("who", ["staff", "customer"])
def test_the_list_costs_the_same_queries_for_3_and_30_rows(who, client, make_user, shared, monkeypatch,
                                                          django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    org = shared["org_a"]
    if who == "staff":
        client.force_login(make_user("reader1", roles=["reviewer"]))
    else:
        client.force_login(portal_user(org, "portal-count"))
    counts = []
    with fast_rendering(monkeypatch):
        for batch, n in (("X", 3), ("Y", 27)):
            issue_many(n, prefix=f"T-PG-QC-{batch}", customer=org)
            with CaptureQueriesContext(connection) as ctx:
                resp = _list(client)
            counts.append(len(ctx.captured_queries))
    assert len(resp.context["page"].object_list) >= 30
    assert counts[0] == counts[1], counts
    with django_assert_max_num_queries(8):  # measured: 6 for staff (with the customer filter), 5 for a customer
        _list(client)


# --- the detail page ----------------------------------------------------------------------------


def test_detail_shows_key_facts_results_hash_and_links(staff, shared):
    cert = Certificate.objects.get(number=shared["new"])
    resp = staff.get(reverse("certificates:detail", args=[cert.number]))
    assert resp.status_code == 200
    html = resp.content.decode()
    for fact in (cert.number, "苏州瑞川精密电子有限公司", "数字多用表", "MH26-0001234", "2026-11-16", "2026-11-18",
                 "2026-11-20", "JJF 1587-2016", "0.0000080", "10.000052", cert.sha256, "陈志刚"):
        assert fact in html, fact
    assert f'href="{reverse("certificates:pdf", args=[cert.number])}"' in html
    assert f'href="{reverse("certificates:dcc", args=[cert.number])}"' in html
    assert f'href="{reverse("certificates:verify", args=[cert.verify_token])}"' in html
    assert 'id="withdraw-form"' not in html  # a calibrator may not withdraw


def test_detail_shows_the_amendment_chain_both_ways(staff, shared):
    old_html = staff.get(reverse("certificates:detail", args=[shared["old"]])).content.decode()
    new_html = staff.get(reverse("certificates:detail", args=[shared["new"]])).content.decode()
    for html in (old_html, new_html):
        assert shared["old"] in html and shared["new"] in html and "示值录入错误" in html
    assert f'href="{reverse("certificates:detail", args=[shared["new"]])}"' in old_html
    assert f'href="{reverse("certificates:detail", args=[shared["old"]])}"' in new_html
    assert "此证书已被替代" in old_html


def test_unknown_number_is_404(staff):
    assert staff.get(reverse("certificates:detail", args=["NO-SUCH-0001"])).status_code == 404


# --- downloads --------------------------------------------------------------------------------


def test_staff_download_the_signed_pdf_and_the_dcc(staff, shared):
    cert = Certificate.objects.get(number=shared["b"])
    resp = staff.get(reverse("certificates:pdf", args=[cert.number]))
    assert resp.status_code == 200 and resp["Content-Type"] == "application/pdf"
    assert f'filename="{cert.number}.pdf"' in resp["Content-Disposition"]
    assert resp["Content-Disposition"].startswith("attachment")
    data = b"".join(resp.streaming_content)
    assert hashlib.sha256(data).hexdigest() == cert.sha256
    resp = staff.get(reverse("certificates:dcc", args=[cert.number]))
    assert resp.status_code == 200 and resp["Content-Type"] == "application/xml"
    assert f'filename="{cert.number}.xml"' in resp["Content-Disposition"]
    assert b"".join(resp.streaming_content) == Path(cert.dcc_path).read_bytes()


# --- customers see only their own ---------------------------------------------------------------


def test_a_customer_sees_only_its_own_organisations_certificates(customer_a, shared):
    resp = _list(customer_a)
    assert set(_numbers(resp)) == {shared["old"], shared["new"], shared["other"]}
    assert "customer" not in resp.context["form"].fields
    assert shared["b"] not in resp.content.decode()
    assert _numbers(_list(customer_a, q=shared["b"])) == []
    own = customer_a.get(reverse("certificates:detail", args=[shared["new"]]))
    assert own.status_code == 200 and 'id="withdraw-form"' not in own.content.decode()
    assert customer_a.get(reverse("certificates:pdf", args=[shared["new"]])).status_code == 200
    assert customer_a.get(reverse("certificates:dcc", args=[shared["new"]])).status_code == 200


def test_another_customers_certificate_is_404_everywhere(customer_a, client, shared):
    for name in ("detail", "pdf", "dcc"):
        assert customer_a.get(reverse(f"certificates:{name}", args=[shared["b"]])).status_code == 404
    client.force_login(portal_user(shared["org_b"], "portal-b"))
    assert _numbers(_list(client)) == [shared["b"]]
    for name in ("detail", "pdf", "dcc"):
        assert client.get(reverse(f"certificates:{name}", args=[shared["old"]])).status_code == 404


def test_a_customer_cannot_withdraw_even_its_own(customer_a, shared):
    resp = customer_a.post(reverse("certificates:withdraw", args=[shared["new"]]), {"reason": "不要了"})
    assert resp.status_code == 404
    assert Certificate.objects.get(number=shared["new"]).status == "issued"


def test_anonymous_is_sent_to_the_login_page(client, shared):
    for url in (reverse("certificates:list"), reverse("certificates:detail", args=[shared["old"]]),
                reverse("certificates:pdf", args=[shared["old"]]), reverse("certificates:dcc", args=[shared["old"]])):
        resp = client.get(url)
        assert resp.status_code == 302 and resp["Location"].startswith(reverse("login")), url
    resp = client.post(reverse("certificates:withdraw", args=[shared["old"]]), {"reason": "x"})
    assert resp.status_code == 302 and resp["Location"].startswith(reverse("login"))


def test_a_user_without_a_role_gets_404(client, make_user, shared):
    client.force_login(make_user("nobody"))
    assert client.get(reverse("certificates:list")).status_code == 404
    assert client.get(reverse("certificates:detail", args=[shared["old"]])).status_code == 404


# --- withdrawal -------------------------------------------------------------------------------


def test_quality_manager_withdraws_with_a_reason(quality, shared):
    number = shared["other"]
    page = quality.get(reverse("certificates:detail", args=[number])).content.decode()
    assert 'id="withdraw-form"' in page
    resp = quality.post(reverse("certificates:withdraw", args=[number]), {"reason": "  客户信息错误  "})
    assert resp.status_code == 302 and resp["Location"] == reverse("certificates:detail", args=[number])
    cert = Certificate.objects.get(number=number)
    assert cert.status == "withdrawn" and cert.withdrawal_reason == "客户信息错误"
    html = quality.get(resp["Location"]).content.decode()
    assert "已撤回" in html and "客户信息错误" in html and 'id="withdraw-form"' not in html


def test_withdraw_without_a_reason_is_a_form_error(quality, shared):
    number = shared["other"]
    for reason in ("", "   "):
        resp = quality.post(reverse("certificates:withdraw", args=[number]), {"reason": reason})
        assert resp.status_code == 400
        assert resp.context["form"].errors["reason"] == ["请填写撤回原因"]
        assert "has-error" in resp.content.decode()
    assert Certificate.objects.get(number=number).status == "issued"


def test_withdrawing_twice_is_refused(quality, shared):
    number = shared["other"]
    services.do_withdraw_certificate(Certificate.objects.get(number=number), reason="第一次", actor=ACTOR)
    resp = quality.post(reverse("certificates:withdraw", args=[number]), {"reason": "第二次"})
    assert resp.status_code == 409
    assert "已撤回，不能再次撤回" in resp.content.decode()
    assert Certificate.objects.get(number=number).withdrawal_reason == "第一次"


def test_withdraw_is_post_only_and_for_quality_staff(staff, client, make_user, shared):
    number = shared["other"]
    assert staff.post(reverse("certificates:withdraw", args=[number]), {"reason": "x"}).status_code == 403
    for role in ("lab_manager", "technical_director", "quality_manager"):
        client.force_login(make_user(f"{role}-w", roles=[role]))
        assert client.get(reverse("certificates:withdraw", args=[number])).status_code == 405
    assert Certificate.objects.get(number=number).status == "issued"
