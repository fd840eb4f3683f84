"""The method pages: who sees and writes them, forms with field errors, refusals, query counts."""

import datetime as dt

import pytest
from django.urls import reverse

from caltrace.methods.choices import MethodKind
from caltrace.methods.factories import MethodFactory, MethodValidationFactory, MethodVersionFactory
from caltrace.methods.models import Method, MethodValidation
from caltrace.methods.services import do_set_environment_limits, do_set_record_fields, do_supersede_method_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def version():
    v = MethodVersionFactory(method__code="JJF 1587", method__title="数字多用表校准规范", edition="2016",
                             effective_on=dt.date(2016, 12, 27))
    do_set_environment_limits(v, [{"condition": "temperature", "minimum": 18, "maximum": 22, "text": "(20±2)℃"}])
    do_set_record_fields(v, [{"name": "warm_up", "label_zh": "预热时间", "field_type": "number", "unit": "min"}])
    return v


def pages(version):
    validation = MethodValidationFactory()
    return [reverse("methods:method_list"), reverse("methods:method_detail", args=[version.method_id]),
            reverse("methods:validation_list"), reverse("methods:validation_detail", args=[validation.pk]),
            reverse("methods:method_export") + "?fmt=xlsx"]


def write_pages(version):
    return [reverse("methods:method_create"), reverse("methods:method_edit", args=[version.method_id]),
            reverse("methods:version_create", args=[version.method_id]),
            reverse("methods:version_edit", args=[version.pk]), reverse("methods:version_limits", args=[version.pk]),
            reverse("methods:version_fields", args=[version.pk]),
            reverse("methods:validation_create", args=[version.pk]), reverse("methods:method_import")]


def test_customer_gets_404_everywhere(client, customer, version):
    client.force_login(customer)
    for url in pages(version) + write_pages(version):
        assert client.get(url).status_code == 404, url


def test_anonymous_is_sent_to_login(client, version):
    response = client.get(reverse("methods:method_list"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_calibrator_reads_but_may_not_write(client, calibrator, version):
    client.force_login(calibrator)
    for url in pages(version):
        assert client.get(url).status_code == 200, url
    for url in write_pages(version):
        assert client.get(url).status_code == 403, url
    body = client.get(reverse("methods:method_detail", args=[version.method_id])).content.decode()
    assert "JJF 1587-2016" in body and "(20±2)℃" in body and "warm_up" in body
    assert reverse("methods:version_limits", args=[version.pk]) not in body


def test_director_sees_every_page(client, director, version):
    client.force_login(director)
    for url in pages(version) + write_pages(version):
        assert client.get(url).status_code == 200, url


def test_method_page_shows_the_timeline_badges_and_warnings(client, calibrator):
    old = MethodVersionFactory(method__code="JJG 1036", method__kind=MethodKind.JJG, edition="2008",
                               effective_on=dt.date(2008, 5, 20))
    new = MethodVersionFactory(method=old.method, edition="2022", effective_on=dt.date(2023, 3, 27))
    do_supersede_method_version(old, new)
    soon = MethodVersionFactory(method=old.method, edition="2026",
                                effective_on=dt.date.today() - dt.timedelta(days=1),
                                withdrawn_on=dt.date.today() + dt.timedelta(days=10))
    client.force_login(calibrator)
    body = client.get(reverse("methods:method_detail", args=[old.method_id])).content.decode()
    assert 'class="mt-bar state-dismissed' in body  # 2008: superseded
    assert 'data-status="superseded"' in body and 'data-status="withdrawal_soon"' in body
    assert f"{soon.designation} 将于" in body
    assert f'id="version-{soon.pk}" open' in body


def test_register_method_with_field_errors_then_success(client, director):
    client.force_login(director)
    url = reverse("methods:method_create")
    response = client.post(url, {"code": "JJF 1587-2016", "kind": "jjf", "title": "数字多用表校准规范"})
    assert response.status_code == 400
    assert "方法编号不含年代号" in response.content.decode()
    response = client.post(url, {"code": "JJF 1587", "kind": "jjf", "title": "数字多用表校准规范"})
    method = Method.objects.get(code="JJF 1587")
    assert response.status_code == 302 and response["Location"] == reverse("methods:version_create",
                                                                           args=[method.pk])


def test_add_version_superseding_the_last_one(client, director, version):
    client.force_login(director)
    url = reverse("methods:version_create", args=[version.method_id])
    response = client.post(url, {"edition": "2025", "effective_on": "2025-06-01", "supersedes": version.pk})
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.superseded_by.edition == "2025" and version.withdrawn_on == dt.date(2025, 6, 1)


def test_limits_formset_saves_and_shows_row_errors(client, director, version):
    client.force_login(director)
    url = reverse("methods:version_limits", args=[version.pk])
    data = {"limits-TOTAL_FORMS": "2", "limits-INITIAL_FORMS": "1",
            "limits-0-condition": "temperature", "limits-0-minimum": "18", "limits-0-maximum": "22",
            "limits-0-unit": "°C", "limits-1-condition": "humidity", "limits-1-minimum": "80",
            "limits-1-maximum": "20"}
    response = client.post(url, data)
    assert response.status_code == 400
    assert "上限不能小于下限" in response.content.decode()
    data["limits-1-minimum"] = ""
    data["limits-1-maximum"] = "75"
    assert client.post(url, data).status_code == 302
    assert set(version.limits.values_list("condition", flat=True)) == {"temperature", "humidity"}
    data["limits-0-DELETE"] = "on"
    assert client.post(url, data).status_code == 302
    assert list(version.limits.values_list("condition", flat=True)) == ["humidity"]


def test_record_fields_formset(client, director, version):
    client.force_login(director)
    url = reverse("methods:version_fields", args=[version.pk])
    data = {"fields-TOTAL_FORMS": "2", "fields-INITIAL_FORMS": "0",
            "fields-0-name": "accuracy_class", "fields-0-label_zh": "准确度等级", "fields-0-field_type": "choice",
            "fields-0-options": "Ⅰ|Ⅱ|Ⅲ", "fields-0-required": "on",
            "fields-1-name": "Bad Name", "fields-1-label_zh": "备注", "fields-1-field_type": "text"}
    response = client.post(url, data)
    assert response.status_code == 400 and "字段标识只能由" in response.content.decode()
    data["fields-1-name"] = "remarks"
    assert client.post(url, data).status_code == 302
    assert [(f.name, f.options, f.required) for f in version.record_fields.all()] == [
        ("accuracy_class", ["Ⅰ", "Ⅱ", "Ⅲ"], True), ("remarks", [], False)]


def test_unqualified_validator_gets_the_refusal_page(client, director, level2, senior):
    method = MethodFactory(code="MH/ZY-08", kind=MethodKind.IN_HOUSE)
    v = MethodVersionFactory(method=method, developed_by=senior)
    client.force_login(director)
    data = {"use": "in_house", "subject": "方法整体", "techniques": ["method_comparison", "uncertainty"],
            "result": "En ≤ 1", "conclusion": "fit", "validated_by": level2.pk, "validated_on": "2024-07-01"}
    response = client.post(reverse("methods:validation_create", args=[v.pk]), data)
    assert response.status_code == 409
    assert "PER-4" in response.content.decode()
    assert not MethodValidation.objects.exists()
    data["validated_by"] = senior.pk
    response = client.post(reverse("methods:validation_create", args=[v.pk]), data)
    validation = MethodValidation.objects.get()
    assert response.status_code == 302
    response = client.post(reverse("methods:validation_approve", args=[validation.pk]), {"approved_on": "2024-07-02"})
    assert response.status_code == 302
    validation.refresh_from_db()
    assert validation.approved_by == senior


def test_validation_form_needs_a_technique(client, director, senior):
    v = MethodVersionFactory(method__code="MH/ZY-10", method__kind=MethodKind.IN_HOUSE, developed_by=senior)
    client.force_login(director)
    response = client.post(reverse("methods:validation_create", args=[v.pk]), {
        "use": "in_house", "subject": "方法整体", "result": "x", "conclusion": "fit", "validated_by": senior.pk,
        "validated_on": "2024-07-01"})
    assert response.status_code == 400


@pytest.mark.parametrize("name", ["methods:method_list", "methods:validation_list"])
def test_list_query_counts_do_not_grow(client, calibrator, name, django_assert_max_num_queries):
    client.force_login(calibrator)
    url = reverse(name)
    MethodValidationFactory()
    client.get(url)
    for _ in range(10):
        old = MethodVersionFactory(edition="2001", effective_on=dt.date(2001, 1, 1))
        do_supersede_method_version(old, MethodVersionFactory(method=old.method, edition="2020",
                                                              effective_on=dt.date(2020, 1, 1)))
        MethodValidationFactory()
    # session, user, roles (access), roles (navigation) … count, page, editions
    with django_assert_max_num_queries(10):
        assert client.get(url).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(url + "?status=current&kind=jjf&q=JJF").status_code == 200


def test_list_filters(client, calibrator):
    withdrawn = MethodVersionFactory(method__code="MH/ZY-01", method__kind=MethodKind.OTHER,
                                     effective_on=dt.date(2015, 3, 1), withdrawn_on=dt.date(2024, 6, 30))
    MethodVersionFactory(method__code="JJF 1587", effective_on=dt.date(2016, 12, 27))
    client.force_login(calibrator)
    body = client.get(reverse("methods:method_list") + "?status=withdrawn").content.decode()
    assert withdrawn.method.code in body and "JJF 1587" not in body
    body = client.get(reverse("methods:method_list") + "?status=current&on=2020-01-01").content.decode()
    assert withdrawn.method.code in body and "JJF 1587" in body


def test_export_and_import_pages(client, director, version):
    client.force_login(director)
    csv = client.get(reverse("methods:method_export") + "?fmt=csv").content
    assert "JJF 1587".encode() in csv
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("m.csv", "方法编号,类别,名称,版本(年代号),实施日期\nJJF 1033,jjf,计量标准考核规范,2023,2023-09-01\n"
                                .encode("utf-8"))
    response = client.post(reverse("methods:method_import"), {"file": upload, "check": "1"})
    assert response.status_code == 200 and not Method.objects.filter(code="JJF 1033").exists()
    upload.seek(0)
    response = client.post(reverse("methods:method_import"), {"file": upload, "commit": "1"})
    assert response.status_code == 302 and Method.objects.filter(code="JJF 1033").exists()
