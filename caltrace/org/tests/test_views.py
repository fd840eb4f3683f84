"""Staff pages of the org app: who sees them, lists with filters, detail pages, forms with field errors."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from caltrace.core import roles
from caltrace.org.choices import SiteTenure
from caltrace.org.factories import QualificationCertificateFactory, RoomFactory, ScopeItemFactory, SiteFactory
from caltrace.org.models import Agency, QualificationCertificate, Room, ScopeItem, Site

pytestmark = pytest.mark.django_db

LIST_PAGES = ["org:agency", "org:site_list", "org:room_list", "org:certificate_list", "org:scope_item_list"]
FORM_PAGES = ["org:agency_edit", "org:site_create", "org:room_create", "org:certificate_create",
              "org:scope_item_create", "org:scope_import"]


def detail_urls(lab):
    room = RoomFactory(site=lab.main)
    return [reverse("org:site_detail", args=[lab.main.pk]), reverse("org:room_detail", args=[room.pk]),
            reverse("org:certificate_detail", args=[lab.cert.pk]), reverse("org:scope_item_detail", args=[lab.dcv.pk])]


def test_staff_read_every_page(client, lab, reader):
    client.force_login(reader)
    for url in [reverse(n) for n in LIST_PAGES] + detail_urls(lab):
        assert client.get(url).status_code == 200, url


def test_customers_get_404_and_anonymous_users_the_login(client, lab, customer):
    urls = [reverse(n) for n in LIST_PAGES + FORM_PAGES] + detail_urls(lab)
    for url in urls:
        resp = client.get(url)
        assert resp.status_code == 302 and resp.url.startswith(reverse("login")), url
    client.force_login(customer)
    for url in urls:
        assert client.get(url).status_code == 404, url


def test_only_the_lab_manager_and_technical_director_edit(client, lab, user_with):
    client.force_login(user_with("cal", roles.CALIBRATOR))
    for name in FORM_PAGES:
        assert client.get(reverse(name)).status_code == 403, name
    assert "添加条目" not in client.get(reverse("org:scope_item_list")).content.decode()
    for role in (roles.LAB_MANAGER, roles.TECHNICAL_DIRECTOR):
        client.force_login(user_with(f"u-{role}", role))
        for name in FORM_PAGES:
            assert client.get(reverse(name)).status_code == 200, (role, name)


def test_agency_page_shows_the_legal_entity(client, lab, reader):
    client.force_login(reader)
    html = client.get(reverse("org:agency")).content.decode()
    assert lab.agency.name in html and lab.agency.credit_code in html and lab.agency.legal_representative in html
    assert "CNAS L90001" in html and "分部" in html


def test_agency_form_refuses_a_bad_credit_code_with_a_field_error(client, lab, editor):
    client.force_login(editor)
    data = {"name": "改名机构", "credit_code": "91320594MA1MH7Q226", "legal_representative": "李四",
            "address": "某地"}
    resp = client.post(reverse("org:agency_edit"), data)
    assert resp.status_code == 400
    assert "统一社会信用代码校验位错误" in resp.content.decode()
    data["credit_code"] = "91320594MA1MH7Q225"
    resp = client.post(reverse("org:agency_edit"), data)
    assert resp.status_code == 302
    agency = Agency.objects.get(pk=lab.agency.pk)
    assert agency.name == "改名机构" and agency.credit_code == "91320594MA1MH7Q225"


def test_site_form_needs_the_lease_document_of_a_leased_site(client, lab, editor):
    client.force_login(editor)
    data = {"agency": lab.agency.pk, "name": "新租场所", "address": "某地", "tenure": SiteTenure.LEASED,
            "is_enclosed": "on"}
    resp = client.post(reverse("org:site_create"), data)
    assert resp.status_code == 400
    html = resp.content.decode()
    assert "非自有场所须登记租赁凭证或独立使用证明的编号" in html and "非自有场所须登记凭证的有效期" in html
    data.update(tenure_document_no="ZL-9", tenure_valid_from="2025-01-01", tenure_valid_until="2027-12-31")
    resp = client.post(reverse("org:site_create"), data)
    site = Site.objects.get(name="新租场所")
    assert resp.status_code == 302 and resp.url == reverse("org:site_detail", args=[site.pk])
    resp = client.post(reverse("org:site_edit", args=[site.pk]), {**data, "tenure_valid_until": "2029-12-31"})
    assert resp.status_code == 302
    site.refresh_from_db()
    assert site.tenure_valid_until == dt.date(2029, 12, 31)


def test_room_form_with_building_and_floor(client, lab, editor):
    client.force_login(editor)
    resp = client.post(reverse("org:room_create"), {"site": lab.main.pk, "code": "E201", "name": "电学实验室",
                                                    "building": "3号楼", "floor": "2层", "area_m2": "-5"})
    assert resp.status_code == 400 and "面积应大于零" in resp.content.decode()
    resp = client.post(reverse("org:room_create"), {"site": lab.main.pk, "code": "E201", "name": "电学实验室",
                                                    "building": "3号楼", "floor": "2层", "keeps_standards": "on"})
    room = Room.objects.get(code="E201")
    assert resp.status_code == 302 and room.location == "3号楼 2层 E201" and room.keeps_standards
    html = client.get(reverse("org:room_detail", args=[room.pk])).content.decode()
    assert "3号楼" in html and lab.main.address in html


def test_certificate_form_creates_and_edits(client, lab, editor):
    client.force_login(editor)
    data = {"agency": lab.agency.pk, "kind": "authorization", "number": "苏法计 1", "issuer": "江苏省市场监督管理局",
            "valid_from": "2025-01-01", "valid_until": "2024-01-01"}
    resp = client.post(reverse("org:certificate_create"), data)
    assert resp.status_code == 400 and "有效期止不能早于有效期起" in resp.content.decode()
    data["valid_until"] = "2030-01-01"
    assert client.post(reverse("org:certificate_create"), data).status_code == 302
    cert = QualificationCertificate.objects.get(number="苏法计 1")
    resp = client.post(reverse("org:certificate_edit", args=[cert.pk]), {**data, "revoked_on": "2026-01-01"})
    assert resp.status_code == 302
    cert.refresh_from_db()
    assert cert.revoked_on == dt.date(2026, 1, 1)


def scope_form_data(lab, **overrides):
    data = {"certificate": lab.cert.pk, "code": "E-09", "field": "electrical", "quantity": "直流电流",
            "quantity_en": "DC current", "item_type": "数字多用表", "range_min": "0", "range_max": "10",
            "unit": "A", "cmc_form": "relative", "cmc_a": "0", "cmc_b": "0.0001", "cmc_k": "2",
            "methods": [lab.dmm.pk], "sites": [lab.main.pk]}
    data.update(overrides)
    return data


def test_scope_item_form_shows_every_field_error(client, lab, editor):
    client.force_login(editor)
    resp = client.post(reverse("org:scope_item_create"),
                       scope_form_data(lab, unit="furlongz", range_max="-1", cmc_b="0", methods=[], sites=[]))
    assert resp.status_code == 400
    html = resp.content.decode()
    for message in ("无法识别的单位", "测量范围上限不能小于下限", "相对值形式的 CMC 须填写比例项 b"):
        assert message in html, message
    assert 'aria-invalid="true"' in html
    assert not ScopeItem.objects.filter(code="E-09").exists()


def test_scope_item_form_creates_and_edits(client, lab, editor):
    client.force_login(editor)
    resp = client.post(reverse("org:scope_item_create"), scope_form_data(lab))
    item = ScopeItem.objects.get(code="E-09")
    assert resp.status_code == 302 and resp.url == reverse("org:scope_item_detail", args=[item.pk])
    assert list(item.methods.all()) == [lab.dmm] and list(item.sites.all()) == [lab.main]
    data = scope_form_data(lab, range_max="20", sites=[lab.main.pk, lab.branch.pk])
    del data["certificate"]
    assert client.post(reverse("org:scope_item_edit", args=[item.pk]), data).status_code == 302
    item.refresh_from_db()
    assert item.range_max == Decimal("20") and item.sites.count() == 2
    html = client.get(reverse("org:scope_item_detail", args=[item.pk])).content.decode()
    assert "(0~20) A" in html and "Urel = 1×10⁻⁴, k = 2" in html


def test_scope_list_filters(client, lab, reader):
    client.force_login(reader)
    url = reverse("org:scope_item_list")
    html = client.get(url, {"field": "thermal"}).content.decode()
    assert "工业铂热电阻" in html and "数字多用表" not in html
    html = client.get(url, {"q": "1587"}).content.decode()
    assert "数字多用表" in html and "工业铂热电阻" not in html
    html = client.get(url, {"site": lab.branch.pk}).content.decode()
    assert "工业铂热电阻" in html and "数字多用表" not in html
    html = client.get(url, {"valid_on": "2031-01-01"}).content.decode()
    assert "没有符合条件的能力范围条目" in html
    html = client.get(url, {"valid_on": "not a date"}).content.decode()
    assert "没有符合条件的能力范围条目" in html
    other = QualificationCertificateFactory(agency=lab.agency)
    ScopeItemFactory(certificate=other, item_type="别的证书的条目", methods=[lab.dmm], sites=[lab.main])
    html = client.get(url, {"certificate": other.pk}).content.decode()
    assert "别的证书的条目" in html and "数字多用表" not in html


def test_site_and_certificate_list_filters(client, lab, reader):
    client.force_login(reader)
    html = client.get(reverse("org:site_list"), {"tenure": "leased"}).content.decode()
    assert "分部" in html and "总部" not in html
    html = client.get(reverse("org:site_list"), {"state": "not_in_date"}).content.decode()
    assert "没有符合条件的场所" in html
    QualificationCertificateFactory(agency=lab.agency, number="OLD-1", valid_from=dt.date(2010, 1, 1),
                                    valid_until=dt.date(2015, 1, 1))
    html = client.get(reverse("org:certificate_list"), {"state": "invalid"}).content.decode()
    assert "OLD-1" in html and "CNAS L90001" not in html
    html = client.get(reverse("org:certificate_list"), {"q": "90001"}).content.decode()
    assert "OLD-1" not in html and "CNAS L90001" in html


def test_list_pages_query_counts(client, lab, reader, django_assert_max_num_queries):
    for n in range(30):
        ScopeItemFactory(certificate=lab.cert, code=f"N-{n:02d}", methods=[lab.dmm, lab.prt],
                         sites=[lab.main, lab.branch])
        RoomFactory(site=lab.main)
        SiteFactory(agency=lab.agency)
        QualificationCertificateFactory(agency=lab.agency)
    client.force_login(reader)
    for name in LIST_PAGES:
        with django_assert_max_num_queries(14):
            assert client.get(reverse(name)).status_code == 200, name
    with django_assert_max_num_queries(14):
        assert client.get(reverse("org:certificate_detail", args=[lab.cert.pk])).status_code == 200
