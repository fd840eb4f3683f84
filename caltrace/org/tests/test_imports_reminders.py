"""Scope items from a spreadsheet and back (the 'scope' import), and what falls due (reminders)."""

import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse

from caltrace.core import imports, roles
from caltrace.core.reminders import DueItem
from caltrace.org import reminders
from caltrace.org.factories import QualificationCertificateFactory
from caltrace.org.models import ScopeItem
from caltrace.org.services import do_add_qualification_certificate, do_update_qualification_certificate

pytestmark = pytest.mark.django_db

HEADER = ["证书编号", "条目编号", "专业领域", "测量参数", "被校仪器名称", "测量范围下限", "测量范围上限", "单位",
          "CMC 表示方式", "CMC 常数项 a", "CMC 比例项 b", "适用方法", "有效场所"]


def csv_bytes(rows):
    import csv

    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    return buf.getvalue().encode("utf-8-sig")


def spec():
    return imports.specs()["scope"]


def test_import_a_clean_file(lab):
    data = csv_bytes([HEADER,
                      ["CNAS L90001", "E-30", "电磁学", "直流电流", "数字多用表", "0", "10", "A", "相对值", "", "0.0001",
                       "JJF 1587", "总部"],
                      ["CNAS L90001", "T-30", "thermal", "温度", "温度巡回检测仪", "-40", "300", "℃", "absolute", "0.1",
                       "", "JJG 229；jjf 1587", "总部、分部"]])
    report = imports.run_import(spec(), data, "scope.csv", dry_run=True)
    assert report.ok and report.rows == 2 and not ScopeItem.objects.filter(code="E-30").exists()
    report = imports.run_import(spec(), data, "scope.csv", dry_run=False)
    assert report.ok and report.imported == 2, report.errors
    t30 = ScopeItem.objects.get(code="T-30")
    assert t30.unit == "℃" and {m.code for m in t30.methods.all()} == {"JJG 229", "JJF 1587"}
    assert {s.name for s in t30.sites.all()} == {"总部", "分部"}


def test_every_bad_row_is_named_and_nothing_is_imported(lab):
    data = csv_bytes([HEADER,
                      ["CNAS L90001", "E-31", "电磁学", "直流电流", "数字多用表", "0", "10", "A", "相对值", "", "0.0001",
                       "JJF 1587", "总部"],
                      ["NO-SUCH-CERT", "E-32", "电磁学", "直流电流", "数字多用表", "0", "10", "A", "相对值", "", "0.0001",
                       "JJF 1587", "总部"],
                      ["CNAS L90001", "E-33", "电磁学", "直流电流", "数字多用表", "0", "10", "furlongz", "相对值", "",
                       "0.0001", "JJF 9999", "总部"],
                      ["CNAS L90001", "E-34", "电磁学", "直流电流", "数字多用表", "0", "10", "A", "相对值", "", "0.0001",
                       "JJF 1587", "月球实验室"],
                      ["CNAS L90001", "E-01", "电磁学", "直流电压", "数字多用表", "0", "10", "V", "相对值", "", "0.0001",
                       "JJF 1587", "总部"]])
    report = imports.run_import(spec(), data, "scope.csv", dry_run=False)
    assert not report.ok and report.imported == 0
    found = {(e.row, e.column) for e in report.errors}
    assert found == {(3, "证书编号"), (4, "适用方法"), (5, "有效场所"), (6, "条目编号")}, report.errors
    assert "该证书附件中已有此条目编号" in [e.reason for e in report.errors if e.row == 6]
    assert not ScopeItem.objects.filter(code="E-31").exists()


def test_export_imports_again(lab):
    data = imports.export_rows(spec(), fmt="xlsx")
    ws = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:2] == ("证书编号", "条目编号") and len(rows) == 3
    ScopeItem.objects.all().delete()
    report = imports.run_import(spec(), data, "scope.xlsx", dry_run=False)
    assert report.ok and report.imported == 2, report.errors
    dcv = ScopeItem.objects.get(code="E-01")
    assert dcv.bipolar and dcv.cmc_text == "U = 8×10⁻⁶·x + 5 μV, k = 2" and dcv.quantity_en == "DC voltage"


def test_import_and_export_pages(client, lab, editor):
    client.force_login(editor)
    resp = client.get(reverse("org:scope_export"), {"field": "thermal"})
    assert resp.status_code == 200 and resp["Content-Type"].startswith("text/csv")
    text = resp.content.decode("utf-8-sig")
    assert "T-01" in text and "E-01" not in text
    bad = csv_bytes([HEADER, ["NO-SUCH-CERT", "E-40", "电磁学", "直流电流", "数字多用表", "0", "10", "A", "相对值", "",
                              "0.0001", "JJF 1587", "总部"]])
    upload = io.BytesIO(bad)
    upload.name = "scope.csv"
    resp = client.post(reverse("org:scope_import"), {"file": upload, "commit": "on"})
    assert resp.status_code == 400 and "找不到资质证书" in resp.content.decode()
    good = io.BytesIO(text.encode("utf-8").replace(b"T-01", b"T-41"))
    good.name = "scope.csv"
    resp = client.post(reverse("org:scope_import"), {"file": good, "commit": "on"})
    assert resp.status_code == 302 and ScopeItem.objects.filter(code="T-41").exists()


# --- reminders -----------------------------------------------------------------------------------


def test_certificates_and_leases_falling_due(lab, user_with):
    manager = user_with("manager", roles.LAB_MANAGER)
    director = user_with("td", roles.TECHNICAL_DIRECTOR)
    user_with("qm", roles.QUALITY_MANAGER)
    assert reminders.due(dt.date(2028, 12, 30)) == []
    items = reminders.due(dt.date(2030, 1, 1))
    assert all(isinstance(i, DueItem) for i in items)
    assert [(i.kind, i.due_on) for i in items] == [("qualification", dt.date(2029, 12, 31)),
                                                   ("site_tenure", dt.date(2028, 12, 31))]
    cert_item, lease_item = items
    assert "CNAS L90001" in cert_item.label_zh and "CNAS L90001" in cert_item.label_en
    assert cert_item.url == reverse("org:certificate_detail", args=[lab.cert.pk])
    assert "ZL-2024-1" in lease_item.label_zh and lease_item.url == reverse("org:site_detail", args=[lab.branch.pk])
    assert set(cert_item.responsible) == {manager.pk, director.pk} == set(lease_item.responsible)


def test_renewed_or_revoked_certificates_are_not_due(lab):
    old = QualificationCertificateFactory(agency=lab.agency, valid_from=dt.date(2015, 1, 1),
                                          valid_until=dt.date(2020, 1, 1))
    revoked = QualificationCertificateFactory(agency=lab.agency, valid_from=dt.date(2015, 1, 1),
                                              valid_until=dt.date(2021, 1, 1))
    numbers = {i.label_en.split(" is ")[0].split()[-1] for i in reminders.due(dt.date(2026, 1, 1))}
    assert {old.number.split()[-1], revoked.number.split()[-1]} <= numbers
    do_add_qualification_certificate(lab.agency, kind=old.kind, number="RENEWED", issuer="CNAS",
                                     valid_from=dt.date(2020, 1, 2), valid_until=dt.date(2035, 1, 1), replaces=old)
    do_update_qualification_certificate(revoked, revoked_on=dt.date(2019, 1, 1))
    assert reminders.due(dt.date(2026, 1, 1)) == []
