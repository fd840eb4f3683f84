"""The org API: paginated lists with filters, details, adding and changing records (422 field
errors, 403 for staff without the role, 404 for customers), query counts."""

import datetime as dt

import pytest
from django.test import Client

from caltrace.core.services import do_issue_api_token
from caltrace.org.factories import QualificationCertificateFactory, RoomFactory, ScopeItemFactory
from caltrace.org.models import QualificationCertificate, ScopeItem

pytestmark = pytest.mark.django_db
BASE = "/api/v1/org"


def api(user):
    _token, key = do_issue_api_token(user, name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def scope_payload(lab, **overrides):
    payload = {"certificate_id": lab.cert.pk, "code": "E-20", "field": "electrical", "quantity": "交流电压",
               "quantity_en": "AC voltage", "item_type": "数字多用表", "item_type_en": "Digital multimeters",
               "range_min": "0.001", "range_max": "750", "unit": "V", "cmc_form": "relative", "cmc_b": "0.0002",
               "methods": ["JJF 1587"], "sites": [lab.main.pk]}
    payload.update(overrides)
    return payload


def test_openapi_lists_the_org_endpoints(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in ("/agencies", "/sites", "/rooms", "/certificates", "/certificates/{cert_id}", "/scope-items",
                 "/scope-items/{item_id}", "/public-scope"):
        assert f"{BASE}{path}" in paths, path


def test_lists_are_paginated_and_filtered(lab, reader):
    c = api(reader)
    body = c.get(f"{BASE}/scope-items", {"limit": 1}).json()
    assert body["count"] == 2 and len(body["items"]) == 1
    body = c.get(f"{BASE}/scope-items", {"field": "thermal"}).json()
    assert [i["code"] for i in body["items"]] == ["T-01"]
    item = body["items"][0]
    assert item["range_min"] == "-40" and item["unit"] == "°C" and item["range_text"] == "(-40~300) °C"
    assert item["methods"][0]["code"] == "JJG 229" and item["sites"][0]["name"] == "分部"
    assert item["valid_today"] is True and item["certificate_number"] == "CNAS L90001"
    assert c.get(f"{BASE}/scope-items", {"valid_on": "2031-01-01"}).json()["count"] == 0
    assert c.get(f"{BASE}/scope-items", {"site_id": lab.main.pk}).json()["count"] == 1
    assert c.get(f"{BASE}/scope-items", {"method_id": lab.prt.pk}).json()["count"] == 1
    assert c.get(f"{BASE}/scope-items", {"q": "multimeters"}).json()["count"] == 1
    assert c.get(f"{BASE}/certificates", {"valid_on": "2030-06-01"}).json()["count"] == 0
    assert c.get(f"{BASE}/certificates", {"valid_on": "2025-06-01"}).json()["count"] == 1
    assert c.get(f"{BASE}/sites", {"tenure": "leased"}).json()["items"][0]["name"] == "分部"
    RoomFactory(site=lab.main, keeps_standards=True, building="1号楼")
    rooms = c.get(f"{BASE}/rooms", {"keeps_standards": True}).json()
    assert rooms["count"] == 1 and rooms["items"][0]["building"] == "1号楼"
    agencies = c.get(f"{BASE}/agencies").json()
    assert agencies["items"][0]["credit_code"] == lab.agency.credit_code


def test_details(lab, reader):
    c = api(reader)
    assert c.get(f"{BASE}/scope-items/{lab.dcv.pk}").json()["cmc"] == "U = 8×10⁻⁶·x + 5 μV, k = 2"
    assert c.get(f"{BASE}/certificates/{lab.cert.pk}").json()["number"] == "CNAS L90001"
    site = c.get(f"{BASE}/sites/{lab.branch.pk}").json()
    assert site["tenure_document_no"] == "ZL-2024-1" and site["tenure_valid_until"] == "2028-12-31"
    assert c.get(f"{BASE}/scope-items/999999").status_code == 404


def test_customers_get_404_and_anonymous_401(client, lab, customer):
    c = api(customer)
    for path in ("/agencies", "/sites", "/rooms", "/certificates", f"/certificates/{lab.cert.pk}",
                 "/scope-items", f"/scope-items/{lab.dcv.pk}"):
        assert c.get(BASE + path).status_code == 404, path
        assert client.get(BASE + path).status_code == 401, path
    assert c.post(f"{BASE}/scope-items", scope_payload(lab), content_type="application/json").status_code == 404
    assert c.get(f"{BASE}/public-scope").status_code == 200


def test_add_scope_item(lab, editor):
    resp = api(editor).post(f"{BASE}/scope-items", scope_payload(lab), content_type="application/json")
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["code"] == "E-20" and body["methods"][0]["code"] == "JJF 1587" and body["range_min"] == "0.001"
    item = ScopeItem.objects.get(pk=body["id"])
    assert list(item.sites.all()) == [lab.main]


def test_add_scope_item_answers_422_with_field_errors(lab, editor):
    c = api(editor)
    resp = c.post(f"{BASE}/scope-items", scope_payload(lab, unit="furlongz", range_max="-1"),
                  content_type="application/json")
    assert resp.status_code == 422
    fields = {e["field"] for e in resp.json()["errors"]}
    assert {"unit", "range_max"} <= fields
    resp = c.post(f"{BASE}/scope-items", scope_payload(lab, methods=["JJF 0000"]), content_type="application/json")
    assert resp.status_code == 422 and resp.json()["errors"][0]["field"] == "methods"
    resp = c.post(f"{BASE}/scope-items", scope_payload(lab, certificate_id=999999), content_type="application/json")
    assert resp.status_code == 422 and resp.json()["errors"][0]["field"] == "certificate_id"
    resp = c.post(f"{BASE}/scope-items", scope_payload(lab, range_min="abc"), content_type="application/json")
    assert resp.status_code == 422
    assert not ScopeItem.objects.filter(code="E-20").exists()


def test_staff_without_the_role_cannot_write(lab, reader):
    resp = api(reader).post(f"{BASE}/scope-items", scope_payload(lab), content_type="application/json")
    assert resp.status_code == 403


def test_add_and_change_a_certificate(lab, editor):
    c = api(editor)
    payload = {"kind": "authorization", "number": "苏法计 9", "issuer": "江苏省市场监督管理局",
               "valid_from": "2025-01-01", "valid_until": "2024-01-01"}
    resp = c.post(f"{BASE}/certificates", payload, content_type="application/json")
    assert resp.status_code == 422 and resp.json()["errors"][0]["field"] == "valid_until"
    payload["valid_until"] = "2030-01-01"
    resp = c.post(f"{BASE}/certificates", payload, content_type="application/json")
    assert resp.status_code == 201 and resp.json()["agency_id"] == lab.agency.pk
    cert_id = resp.json()["id"]
    resp = c.patch(f"{BASE}/certificates/{cert_id}", {"revoked_on": "2026-01-01"}, content_type="application/json")
    assert resp.status_code == 200 and resp.json()["revoked_on"] == "2026-01-01"
    assert QualificationCertificate.objects.get(pk=cert_id).revoked_on == dt.date(2026, 1, 1)


def test_add_site_and_room_and_withdraw_an_item(lab, editor):
    c = api(editor)
    resp = c.post(f"{BASE}/sites", {"name": "仓库", "address": "某地", "tenure": "leased"},
                  content_type="application/json")
    assert resp.status_code == 422
    assert {e["field"] for e in resp.json()["errors"]} == {"tenure_document_no", "tenure_valid_until"}
    resp = c.post(f"{BASE}/rooms", {"site_id": lab.main.pk, "code": "X1", "name": "库房", "floor": "B1"},
                  content_type="application/json")
    assert resp.status_code == 201 and resp.json()["address"].endswith("B1 X1")
    resp = c.patch(f"{BASE}/scope-items/{lab.temp.pk}", {"withdrawn_on": "2026-01-01"},
                   content_type="application/json")
    assert resp.status_code == 200 and resp.json()["withdrawn_on"] == "2026-01-01"
    resp = c.patch(f"{BASE}/scope-items/{lab.temp.pk}", {"sites": []}, content_type="application/json")
    assert resp.status_code == 422 and resp.json()["errors"][0]["field"] == "sites"


def test_list_query_counts(lab, reader, django_assert_max_num_queries):
    for n in range(20):
        ScopeItemFactory(certificate=lab.cert, code=f"N-{n:02d}", methods=[lab.dmm, lab.prt],
                         sites=[lab.main, lab.branch])
        QualificationCertificateFactory(agency=lab.agency)
        RoomFactory(site=lab.main)
    c = api(reader)
    for path in ("/scope-items", "/certificates", "/sites", "/rooms", "/agencies"):
        with django_assert_max_num_queries(8):
            assert c.get(BASE + path, {"limit": 50}).status_code == 200, path
