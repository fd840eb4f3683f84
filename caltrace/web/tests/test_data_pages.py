"""The import/export page: check, then import exactly what was checked; roles; bad files."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from caltrace.customers.models import CustomerOrganisation

pytestmark = pytest.mark.django_db

GOOD = "91320594MA1MH7Q225"
BAD = "91440300708461136A"


def upload(text, name="c.csv"):
    return SimpleUploadedFile(name, text.encode("utf-8-sig"), content_type="text/csv")


@pytest.fixture
def reception(client, make_user):
    client.force_login(make_user("desk", "reception"))
    return client


def test_index_lists_only_the_lists_my_role_may_import(reception):
    page = reception.get("/data/").content.decode()
    assert "客户单位" in page and "customers" in page


def test_check_then_import_exactly_the_checked_file(reception):
    resp = reception.post("/data/customers/check/", {"file": upload(f"单位名称,统一社会信用代码\n甲公司,{GOOD}\n")})
    assert resp.status_code == 200
    assert CustomerOrganisation.objects.count() == 0  # a check imports nothing
    token = resp.context["token"]
    assert token
    resp = reception.post("/data/customers/import/", {"token": token})
    assert resp.status_code == 302
    assert CustomerOrganisation.objects.get().name == "甲公司"
    # the token is spent
    reception.post("/data/customers/import/", {"token": token})
    assert CustomerOrganisation.objects.count() == 1


def test_bad_rows_are_listed_and_no_import_is_offered(reception):
    resp = reception.post("/data/customers/check/",
                          {"file": upload(f"单位名称,统一社会信用代码\n,{GOOD}\n丙公司,{BAD}\n")})
    page = resp.content.decode()
    assert resp.context["token"] == ""
    assert "确认导入" not in page
    rows = [(e.row, e.column) for e in resp.context["report"].errors]
    assert rows == [(2, "单位名称"), (3, "统一社会信用代码")]


def test_a_wrong_file_type_is_a_form_error(reception):
    resp = reception.post("/data/customers/check/", {"file": SimpleUploadedFile("x.pdf", b"%PDF")})
    assert resp.status_code == 400
    assert "只支持 .csv 和 .xlsx 文件" in resp.content.decode()


def test_a_file_missing_a_column_is_a_form_error(reception):
    resp = reception.post("/data/customers/check/", {"file": upload("单位名称\n甲公司\n")})
    assert resp.status_code == 400 and "缺少必需的列" in resp.content.decode()


def test_export_and_template_download(reception):
    CustomerOrganisation.objects.create(name="甲公司", credit_code=GOOD)
    resp = reception.get("/data/customers/export.xlsx")
    assert resp.status_code == 200 and resp.content[:2] == b"PK"
    csv_text = reception.get("/data/customers/export.csv").content.decode("utf-8-sig")
    assert "甲公司" in csv_text
    template = reception.get("/data/customers/template.csv").content.decode("utf-8-sig")
    assert template.strip().startswith("单位名称,统一社会信用代码")


def test_roles_without_the_list_are_refused(client, make_user):
    client.force_login(make_user("cal", "calibrator"))
    assert client.get("/data/").status_code == 403
    assert client.get("/data/customers/export.csv").status_code == 403
    client.force_login(make_user("cust", "customer"))
    assert client.get("/data/customers/export.csv").status_code == 404
    assert client.post("/data/customers/import/", {"token": "x"}).status_code == 404
