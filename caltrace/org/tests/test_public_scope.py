"""The public scope page (QUAL-2): no login, exactly the valid scope, Chinese and English, JSON too."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from caltrace.org.factories import QualificationCertificateFactory, ScopeItemFactory
from caltrace.org.services import do_update_scope_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def today(monkeypatch):
    day = dt.date(2026, 11, 21)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: day)
    return day


@pytest.fixture
def scope(lab, today):
    """The lab of conftest plus an expired certificate and a withdrawn item that must not show."""
    expired = QualificationCertificateFactory(agency=lab.agency, number="EXPIRED-CERT-1", valid_from=dt.date(2018, 1, 1),
                                              valid_until=today - dt.timedelta(days=1))
    lab.expired_item = ScopeItemFactory(certificate=expired, code="W-09", item_type="过期的砝码条目",
                                        item_type_en="Expired weights item", methods=[lab.dmm], sites=[lab.main])
    lab.withdrawn = ScopeItemFactory(certificate=lab.cert, code="Z-99", item_type="已撤出的条目",
                                     item_type_en="Withdrawn item", methods=[lab.dmm], sites=[lab.main])
    do_update_scope_item(lab.withdrawn, withdrawn_on=today)
    return lab


def test_public_scope_page_lists_the_valid_scope_items_and_no_expired_one(client, scope):
    resp = client.get("/scope/")
    assert resp.status_code == 200
    html = resp.content.decode()
    # the agency, its credit code and the certificate in force
    assert scope.agency.name in html and scope.agency.credit_code in html and "CNAS L90001" in html
    # every valid item, with quantity, item type, range with unit, CMC as stated, methods and sites
    for text in ("数字多用表", "直流电压", "±(0~1000) V", "U = 8×10⁻⁶·x + 5 μV, k = 2", "JJF 1587", "总部",
                 "工业铂热电阻", "温度", "(-40~300) °C", "U = 0.05 °C, k = 2", "JJG 229", "分部"):
        assert text in html, text
    # grouped by field, in the order of the field list (热学 before 电磁学)
    assert html.index("热学") < html.index("工业铂热电阻") < html.index("电磁学") < html.index("数字多用表")
    # nothing expired or withdrawn
    for text in ("EXPIRED-CERT-1", "过期的砝码条目", "W-09", "已撤出的条目", "Z-99"):
        assert text not in html, text


def test_public_scope_needs_no_login_and_shows_the_language_switch(client, scope):
    html = client.get("/scope/").content.decode()
    assert 'action="/i18n/setlang/"' in html and 'name="language" value="en"' in html
    assert "csrfmiddlewaretoken" in html


def test_english_through_the_language_switch(scope):
    client = Client(enforce_csrf_checks=True)
    html = client.get("/scope/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    resp = client.post("/i18n/setlang/", {"language": "en", "next": "/scope/", "csrfmiddlewaretoken": token})
    assert resp.status_code == 302 and resp.url == "/scope/"
    html = client.get("/scope/").content.decode()
    assert '<html lang="en">' in html
    for text in ("Test Calibration Ltd.", "Digital multimeters", "DC voltage", "Industrial platinum resistance thermometers",
                 "Temperature", "Calibration Specification for Digital Multimeters", "Headquarters",
                 "China National Accreditation Service"):
        assert text in html, text
    assert "Expired weights item" not in html and "Withdrawn item" not in html
    assert "数字多用表" not in html  # the item type's Chinese gives way to its English


def test_public_scope_without_any_valid_certificate(client, db, today):
    QualificationCertificateFactory(valid_until=today - dt.timedelta(days=1))
    resp = client.get("/scope/")
    assert resp.status_code == 200
    assert "目前没有有效的资质证书" in resp.content.decode()


def test_public_scope_is_read_only(client, scope):
    assert client.post("/scope/", {}).status_code in (403, 404, 405)


def test_public_scope_json_lists_exactly_the_valid_items(client, scope, today):
    resp = client.get("/api/v1/org/public-scope")
    assert resp.status_code == 200
    body = resp.json()
    assert body["on"] == today.isoformat()
    (agency,) = body["agencies"]
    assert agency["credit_code"] == scope.agency.credit_code
    assert [c["number"] for c in agency["certificates"]] == ["CNAS L90001"]
    fields = {f["field"]: f for f in agency["fields"]}
    assert list(fields) == ["thermal", "electrical"]
    assert fields["thermal"]["label_zh"] == "热学" and fields["thermal"]["label_en"]
    codes = [i["code"] for f in agency["fields"] for i in f["items"]]
    assert codes == ["T-01", "E-01"]
    dcv = fields["electrical"]["items"][0]
    assert dcv["range_min"] == "0" and dcv["range_max"] == "1000" and dcv["bipolar"] is True
    assert dcv["quantity_en"] == "DC voltage" and dcv["cmc"] == "U = 8×10⁻⁶·x + 5 μV, k = 2"
    assert [m["code"] for m in dcv["methods"]] == ["JJF 1587"] and dcv["sites"][0]["name_en"] == "Headquarters"


def test_public_scope_query_counts_do_not_grow_with_items(client, scope, django_assert_max_num_queries):
    for n in range(15):
        ScopeItemFactory(certificate=scope.cert, code=f"N-{n:02d}", methods=[scope.dmm, scope.prt],
                         sites=[scope.main, scope.branch])
    with django_assert_max_num_queries(10):
        assert client.get("/scope/").status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get("/api/v1/org/public-scope").status_code == 200
