"""The API shell: OpenAPI document, health, authentication, and how refusals are answered."""

import json

import pytest
from django.test import Client
from openapi_spec_validator import validate

from caltrace.core.models import ApiToken
from caltrace.integrity import registry
from caltrace.integrity.models import Finding
from caltrace.integrity.registry import GATE, Violation
from caltrace.integrity.services import record_findings

pytestmark = pytest.mark.django_db


@pytest.fixture
def finding():
    (f,) = record_findings([Violation("PRH-6", "FLAG", "数据雷同", "identical data set")], event="record.sign_off")
    return f


@pytest.fixture
def qm(make_user):
    return make_user("qm", roles=["quality_manager"])


def test_openapi_document_is_valid(client):
    resp = client.get("/api/v1/openapi.json")
    assert resp.status_code == 200
    doc = resp.json()
    validate(doc)
    assert "/api/v1/health" in doc["paths"]
    assert "/api/v1/integrity/findings/{finding_id}/transitions/{name}" in doc["paths"]


def test_health_needs_no_login_and_reports_the_ledger(client, finding):
    resp = client.get("/api/v1/health")
    assert resp.status_code == 200
    body = resp.json()
    assert body["status"] == "ok" and body["ledger_seq"] >= 1


def test_endpoints_need_authentication(client, finding):
    assert client.get("/api/v1/integrity/findings").status_code == 401
    bad = Client(HTTP_AUTHORIZATION="Bearer ct_not-a-real-token")
    assert bad.get("/api/v1/integrity/findings").status_code == 401


def test_a_token_authenticates_and_a_revoked_one_does_not(qm, finding):
    from caltrace.core.services import do_issue_api_token

    token, key = do_issue_api_token(qm, name="lims bridge")
    c = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert c.get("/api/v1/integrity/findings").json()["count"] == 1
    assert key not in json.dumps(list(ApiToken.objects.values()), default=str)  # only the hash is stored
    ApiToken.objects.filter(pk=token.pk).update(revoked=True)
    assert c.get("/api/v1/integrity/findings").status_code == 401


def test_session_auth_reads_and_needs_csrf_to_write(qm, finding):
    c = Client(enforce_csrf_checks=True)
    c.force_login(qm)
    assert c.get("/api/v1/integrity/findings").status_code == 200
    url = f"/api/v1/integrity/findings/{finding.pk}/transitions/acknowledge"
    assert c.post(url, {}, content_type="application/json").status_code == 403
    c.get("/api/v1/health")  # any page; the CSRF cookie comes from a form page in the UI
    from django.middleware.csrf import _get_new_csrf_string

    secret = _get_new_csrf_string()
    c.cookies["csrftoken"] = secret
    resp = c.post(url, {}, content_type="application/json", HTTP_X_CSRFTOKEN=secret)
    assert resp.status_code == 200, resp.content
    assert resp.json()["status"] == "acknowledged"


def test_transition_through_the_api_is_audited_with_the_token_user(qm, finding, token_client):
    from caltrace.core.models import AuditEntry

    c = token_client(qm)
    resp = c.post(f"/api/v1/integrity/findings/{finding.pk}/transitions/resolve",
                  {"comment": "已复核"}, content_type="application/json")
    assert resp.status_code == 200
    entry = AuditEntry.objects.filter(model="integrity.Finding").order_by("-seq").first()
    assert (entry.actor, entry.reason) == ("user:qm", "已复核")


def test_a_status_cannot_be_set_except_by_a_transition(qm, finding, token_client):
    c = token_client(qm)
    resp = c.patch(f"/api/v1/integrity/findings/{finding.pk}", {"status": "resolved"},
                   content_type="application/json")
    assert resp.status_code == 405
    assert Finding.objects.get(pk=finding.pk).status == "open"


def test_illegal_transition_answers_409_with_both_languages(qm, finding, token_client):
    c = token_client(qm)
    c.post(f"/api/v1/integrity/findings/{finding.pk}/transitions/dismiss", {"comment": "误报"},
           content_type="application/json")
    resp = c.post(f"/api/v1/integrity/findings/{finding.pk}/transitions/acknowledge", {},
                  content_type="application/json")
    assert resp.status_code == 409
    body = resp.json()
    assert body["code"] == "state" and body["zh"] and body["en"]


def test_rule_violation_answers_409_listing_each_violation(qm, finding, token_client, scratch_registry):
    @registry.rule("RPT-1", kind=GATE, events=["finding.resolve"], zh="须由不同人员审核", en="needs another reviewer")
    def other_person(rule, obj, ctx):
        yield rule.violation("须由不同人员审核", "needs another reviewer", obj, ctx["actor"])

    resp = token_client(qm).post(f"/api/v1/integrity/findings/{finding.pk}/transitions/resolve",
                                 {"comment": "关闭"}, content_type="application/json")
    assert resp.status_code == 409
    (v,) = resp.json()["violations"]
    assert v["id"] == "RPT-1" and v["zh"] == "须由不同人员审核" and v["en"] == "needs another reviewer"
    assert {"model": "integrity.Finding", "pk": str(finding.pk), "label": str(finding)} in v["objects"]
    assert any(o["model"] == "auth.User" for o in v["objects"])
    assert Finding.objects.get(pk=finding.pk).status == "open"


def test_bad_input_answers_422_naming_the_field(qm, finding, token_client):
    resp = token_client(qm).post(f"/api/v1/integrity/findings/{finding.pk}/transitions/resolve",
                                 {"comment": ["not", "text"]}, content_type="application/json")
    assert resp.status_code == 422
    assert [e["field"] for e in resp.json()["errors"]] == ["comment"]
    resp = token_client(qm).get("/api/v1/integrity/findings/not-a-number")
    assert resp.status_code == 422


def test_missing_comment_is_refused_with_409_and_nothing_changes(qm, finding, token_client):
    resp = token_client(qm).post(f"/api/v1/integrity/findings/{finding.pk}/transitions/resolve", {},
                                 content_type="application/json")
    assert resp.status_code == 409 and resp.json()["code"] == "comment"
    assert Finding.objects.get(pk=finding.pk).status == "open"


def test_a_role_without_permission_gets_403(make_user, finding, token_client):
    # A calibrator is staff (sees findings) but may not resolve them.
    cal = make_user("cal", roles=["calibrator"])
    resp = token_client(cal).post(f"/api/v1/integrity/findings/{finding.pk}/transitions/acknowledge", {},
                                  content_type="application/json")
    assert resp.status_code == 403


def test_customers_see_no_findings(make_user, finding, token_client):
    cust = make_user("cust", roles=["customer"])
    c = token_client(cust)
    assert c.get("/api/v1/integrity/findings").json()["count"] == 0
    assert c.get(f"/api/v1/integrity/findings/{finding.pk}").status_code == 404


def test_finding_list_is_paginated_with_bounded_queries(qm, token_client, django_assert_max_num_queries):
    record_findings([Violation("PRH-6", "FLAG", f"第{i}条", f"no. {i}") for i in range(30)], event="x")
    c = token_client(qm)
    with django_assert_max_num_queries(8):
        body = c.get("/api/v1/integrity/findings?limit=10&status=open").json()
    assert body["count"] == 30 and len(body["items"]) == 10


def test_rules_endpoint_lists_registered_rules(qm, token_client):
    body = token_client(qm).get("/api/v1/integrity/rules").json()
    assert [r["id"] for r in body] == [r.id for r in registry.rules()]
