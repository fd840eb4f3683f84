"""The certificate endpoints at /api/v1/certificates/ (RPT-3): list with the page's filters, detail,
file downloads and the withdrawal; a customer's token sees only its own organisation's certificates."""

import hashlib
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from caltrace.api.api import api
from caltrace.certificates import services
from caltrace.certificates.models import Certificate

from .conftest import module_transaction
from .test_pages import fast_rendering, issue_many, issue_shared_certificates, portal_user

pytestmark = pytest.mark.django_db

BASE = "/api/v1/certificates"
ACTOR = "system:test"


@pytest.fixture(scope="module")
def shared(django_db_setup, django_db_blocker):
    with module_transaction(django_db_blocker):
        yield issue_shared_certificates("T-API")


@pytest.fixture
def staff(token_client, make_user, shared):
    return token_client(make_user("calibrator-api", roles=["calibrator"]))


@pytest.fixture
def quality(token_client, make_user, shared):
    return token_client(make_user("quality-api", roles=["quality_manager"]))


@pytest.fixture
def customer_a(token_client, shared):
    return token_client(portal_user(shared["org_a"], "portal-api-a"))


def _items(client, **params):
    resp = client.get(f"{BASE}/", params)
    assert resp.status_code == 200, resp.content
    return resp.json()


def _numbers(client, **params) -> list[str]:
    return [c["number"] for c in _items(client, **params)["items"]]


def test_the_router_is_in_the_openapi_schema():
    paths = api.get_openapi_schema()["paths"]
    for path in (f"{BASE}/", f"{BASE}/{{number}}", f"{BASE}/{{number}}/pdf", f"{BASE}/{{number}}/dcc",
                 f"{BASE}/{{number}}/withdraw"):
        assert path in paths, path


def test_staff_list_newest_first_with_state(staff, shared):
    body = _items(staff)
    assert body["count"] == 4
    assert [c["number"] for c in body["items"]] == [shared["b"], shared["other"], shared["new"], shared["old"]]
    by_number = {c["number"]: c for c in body["items"]}
    assert by_number[shared["old"]]["status"] == "amended"
    assert by_number[shared["new"]]["status"] == "issued"
    assert by_number[shared["b"]]["item"] == "压力表 Y-100 MH26-0009999"
    assert by_number[shared["b"]]["customer"] == {"id": shared["org_b"].pk, "name": "无锡乙方电子有限公司"}
    cert = Certificate.objects.get(number=shared["b"])
    assert by_number[shared["b"]]["sha256"] == cert.sha256


def test_list_filters_and_pagination(staff, shared):
    assert _numbers(staff, status="amended") == [shared["old"]]
    assert _numbers(staff, customer=shared["org_b"].pk) == [shared["b"]]
    assert _numbers(staff, q="压力表") == [shared["b"]]
    assert _numbers(staff, issued_from="2000-01-01", issued_to="2000-12-31") == []
    page = _items(staff, limit=2, offset=2)
    assert page["count"] == 4 and [c["number"] for c in page["items"]] == [shared["new"], shared["old"]]
    resp = staff.get(f"{BASE}/", {"issued_from": "not-a-date"})
    assert resp.status_code == 422 and resp.json()["errors"][0]["field"] == "issued_from"


def test_list_queries_do_not_grow_with_rows(staff, shared, monkeypatch):
    counts = []
    with fast_rendering(monkeypatch):
        for batch, n in (("X", 3), ("Y", 27)):
            issue_many(n, prefix=f"T-API-QC-{batch}", customer=shared["org_a"])
            with CaptureQueriesContext(connection) as ctx:
                assert len(_items(staff, limit=100)["items"]) >= n
            counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1] <= 6, counts  # measured: 4


def test_detail_has_key_facts_state_hash_and_links(staff, shared):
    cert = Certificate.objects.get(number=shared["new"])
    resp = staff.get(f"{BASE}/{cert.number}")
    assert resp.status_code == 200
    body = resp.json()
    assert body["status"] == "issued" and body["sha256"] == cert.sha256
    assert body["verify_url"] == f"{settings.CALTRACE_BASE_URL}/verify/{cert.verify_token}/"
    assert body["item_identification"] == "MH26-0001234" and body["calibrated_on"] == "2026-11-18"
    assert body["methods"][0]["designation"] == "JJF 1587-2016"
    assert body["results"][1]["expanded_uncertainty"] == "0.0000080" and body["results"][1]["coverage_factor"] == "2"
    assert body["replaces"] == {"number": shared["old"], "reason": "示值录入错误"}
    assert body["pdf_url"] == f"{BASE}/{cert.number}/pdf"
    old = staff.get(f"{BASE}/{shared['old']}").json()
    assert old["status"] == "amended" and old["replaced_by"] == [{"number": shared["new"], "reason": "示值录入错误"}]


def test_files_as_issued(staff, shared):
    cert = Certificate.objects.get(number=shared["b"])
    resp = staff.get(f"{BASE}/{cert.number}/pdf")
    assert resp.status_code == 200 and resp["Content-Type"] == "application/pdf"
    assert f'filename="{cert.number}.pdf"' in resp["Content-Disposition"]
    assert hashlib.sha256(b"".join(resp.streaming_content)).hexdigest() == cert.sha256
    resp = staff.get(f"{BASE}/{cert.number}/dcc")
    assert resp.status_code == 200 and resp["Content-Type"] == "application/xml"
    assert b"".join(resp.streaming_content) == Path(cert.dcc_path).read_bytes()


def test_a_customer_token_sees_only_its_own(customer_a, token_client, shared):
    assert set(_numbers(customer_a)) == {shared["old"], shared["new"], shared["other"]}
    assert _numbers(customer_a, customer=shared["org_b"].pk) == []
    assert customer_a.get(f"{BASE}/{shared['new']}").status_code == 200
    assert customer_a.get(f"{BASE}/{shared['new']}/pdf").status_code == 200
    for suffix in ("", "/pdf", "/dcc"):
        assert customer_a.get(f"{BASE}/{shared['b']}{suffix}").status_code == 404
    other = token_client(portal_user(shared["org_b"], "portal-api-b"))
    assert _numbers(other) == [shared["b"]]
    for suffix in ("", "/pdf", "/dcc"):
        assert other.get(f"{BASE}/{shared['old']}{suffix}").status_code == 404


def test_anonymous_is_401(client, shared):
    for path in ("/", f"/{shared['old']}", f"/{shared['old']}/pdf", f"/{shared['old']}/dcc"):
        assert client.get(f"{BASE}{path}").status_code == 401
    resp = client.post(f"{BASE}/{shared['old']}/withdraw", {"reason": "x"}, content_type="application/json")
    assert resp.status_code == 401


def test_a_user_without_a_role_gets_404(token_client, make_user, shared):
    nobody = token_client(make_user("nobody-api"))
    assert nobody.get(f"{BASE}/").status_code == 404
    assert nobody.get(f"{BASE}/{shared['old']}").status_code == 404


def _withdraw(client, number, reason):
    return client.post(f"{BASE}/{number}/withdraw", {"reason": reason}, content_type="application/json")


def test_withdraw_happy_path(quality, shared):
    resp = _withdraw(quality, shared["other"], " 客户信息错误 ")
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert body["status"] == "withdrawn" and body["withdrawal_reason"] == "客户信息错误"
    assert Certificate.objects.get(number=shared["other"]).status == "withdrawn"


def test_withdraw_without_a_reason_is_422_naming_the_field(quality, shared):
    for reason in ("", "   "):
        resp = _withdraw(quality, shared["other"], reason)
        assert resp.status_code == 422
        assert [e["field"] for e in resp.json()["errors"]] == ["reason"]
    resp = quality.post(f"{BASE}/{shared['other']}/withdraw", {}, content_type="application/json")
    assert resp.status_code == 422 and resp.json()["errors"][0]["field"] == "reason"
    assert Certificate.objects.get(number=shared["other"]).status == "issued"


def test_withdraw_refused_for_other_roles(staff, customer_a, token_client, make_user, shared):
    assert _withdraw(staff, shared["other"], "x").status_code == 403
    assert _withdraw(customer_a, shared["other"], "x").status_code == 403  # its own: may read, not withdraw
    assert _withdraw(customer_a, shared["b"], "x").status_code == 404  # another's: not even there
    for role in ("lab_manager", "technical_director"):
        assert _withdraw(token_client(make_user(f"{role}-api", roles=[role])), "NO-SUCH", "x").status_code == 404
    assert Certificate.objects.get(number=shared["other"]).status == "issued"


def test_withdrawing_twice_is_409(quality, shared):
    services.do_withdraw_certificate(Certificate.objects.get(number=shared["other"]), reason="第一次", actor=ACTOR)
    resp = _withdraw(quality, shared["other"], "第二次")
    assert resp.status_code == 409 and "already withdrawn" in resp.json()["detail"]
    assert Certificate.objects.get(number=shared["other"]).withdrawal_reason == "第一次"
