"""The methods API: staff read, the technical director writes, customers get 404; refusals answer
409 with the requirement id and bad input 422 with the field."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from caltrace.methods.choices import MethodKind
from caltrace.methods.factories import MethodFactory, MethodVersionFactory, MethodValidationFactory
from caltrace.methods.services import do_set_environment_limits, do_supersede_method_version

pytestmark = pytest.mark.django_db

BASE = "/api/v1/methods"


def post(client, url, auth, payload, method="post"):
    return getattr(client, method)(url, payload, content_type="application/json", **auth)


def test_outsiders_get_404_or_401(client, customer, bearer):
    version = MethodVersionFactory()
    auth = bearer(customer)
    for url in (f"{BASE}/", f"{BASE}/{version.method_id}", f"{BASE}/versions", f"{BASE}/versions/{version.pk}",
                f"{BASE}/validations"):
        assert client.get(url, **auth).status_code == 404, url
        assert client.get(url).status_code == 401, url
    assert post(client, f"{BASE}/", auth, {"code": "JJF 1", "kind": "jjf", "title": "x"}).status_code == 404


def test_other_staff_read_but_do_not_write(client, calibrator, bearer):
    version = MethodVersionFactory()
    auth = bearer(calibrator)
    assert client.get(f"{BASE}/{version.method_id}", **auth).status_code == 200
    response = post(client, f"{BASE}/", auth, {"code": "JJF 1033", "kind": "jjf", "title": "计量标准考核规范"})
    assert response.status_code == 403
    assert post(client, f"{BASE}/{version.method_id}/versions", auth,
                {"edition": "2024", "effective_on": "2024-01-01"}).status_code == 403


def test_director_registers_a_method_and_its_editions(client, director, bearer):
    auth = bearer(director)
    response = post(client, f"{BASE}/", auth, {"code": "JJF  1033", "kind": "jjf", "title": "计量标准考核规范"})
    assert response.status_code == 201, response.content
    method_id = response.json()["id"]
    assert response.json()["code"] == "JJF 1033"
    old = post(client, f"{BASE}/{method_id}/versions", auth,
               {"edition": "2016", "effective_on": "2016-11-30", "min_duration_minutes": 30})
    assert old.status_code == 201, old.content
    new = post(client, f"{BASE}/{method_id}/versions", auth,
               {"edition": "2023", "effective_on": "2023-09-01", "supersedes": old.json()["id"]})
    assert new.status_code == 201
    detail = client.get(f"{BASE}/{method_id}?on=2024-01-01", **auth).json()
    assert detail["current_version"] == "JJF 1033-2023"
    statuses = {v["designation"]: (v["status"], v["superseded_by"]) for v in detail["versions"]}
    assert statuses == {"JJF 1033-2023": ("current", None), "JJF 1033-2016": ("superseded", "JJF 1033-2023")}
    assert client.get(f"{BASE}/{method_id}?on=2020-01-01", **auth).json()["current_version"] == "JJF 1033-2016"


def test_field_errors_answer_422(client, director, bearer):
    auth = bearer(director)
    response = post(client, f"{BASE}/", auth, {"code": "JJF 1587-2016", "kind": "jjf", "title": "x"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "code"
    method = MethodFactory()
    response = post(client, f"{BASE}/{method.pk}/versions", auth,
                    {"edition": "2016", "effective_on": "2016-01-01", "withdrawn_on": "2015-01-01"})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "withdrawn_on"
    response = post(client, f"{BASE}/{method.pk}/versions", auth, {"edition": "2016"})
    assert response.status_code == 422 and "effective_on" in {e["field"] for e in response.json()["errors"]}
    assert post(client, f"{BASE}/", auth, {"code": "X", "kind": "bogus", "title": "x"}).status_code == 422


def test_limits_and_record_fields_round_trip(client, director, bearer):
    version = MethodVersionFactory()
    auth = bearer(director)
    limits = [{"condition": "temperature", "minimum": "18", "maximum": "22", "unit": "°C", "max_variation": "1",
               "variation_minutes": 60, "text": "(20±2)℃"}, {"condition": "humidity", "maximum": "75"}]
    response = post(client, f"{BASE}/versions/{version.pk}/environment-limits", auth, limits, method="put")
    assert response.status_code == 200, response.content
    assert {r["condition"] for r in response.json()} == {"temperature", "humidity"}
    bad = post(client, f"{BASE}/versions/{version.pk}/environment-limits", auth,
               [{"condition": "temperature", "minimum": "25", "maximum": "15"}], method="put")
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "limits.0.maximum"
    fields = [{"name": "warm_up", "label_zh": "预热时间", "field_type": "number", "unit": "min"}]
    response = post(client, f"{BASE}/versions/{version.pk}/record-fields", auth, fields, method="put")
    assert response.status_code == 200 and response.json()[0]["required"] is True
    detail = client.get(f"{BASE}/versions/{version.pk}", **auth).json()
    assert detail["environment_limits"][0]["condition"] == "humidity"
    assert detail["record_fields"][0]["name"] == "warm_up"


def test_conditions_check(client, calibrator, bearer):
    version = MethodVersionFactory()
    do_set_environment_limits(version, [{"condition": "temperature", "minimum": 18, "maximum": 22},
                                        {"condition": "humidity", "maximum": 75}])
    body = post(client, f"{BASE}/versions/{version.pk}/conditions-check", bearer(calibrator),
                {"readings": [{"condition": "temperature", "value": "23.5", "unit": "°C",
                               "at": "2025-03-10T09:00:00+08:00"}]}).json()
    assert [b["kind"] for b in body["breaches"]] == ["above_max"] and body["uncovered"] == ["humidity"]


def test_validation_by_an_unqualified_person_answers_409_with_per_4(client, director, bearer, level2, senior):
    method = MethodFactory(code="MH/ZY-07", kind=MethodKind.IN_HOUSE)
    version = MethodVersionFactory(method=method, developed_by=senior)
    payload = {"use": "in_house", "subject": "方法整体", "techniques": ["method_comparison"], "result": "En ≤ 1",
               "conclusion": "fit", "validated_by": level2.pk, "validated_on": "2024-07-01"}
    auth = bearer(director)
    response = post(client, f"{BASE}/versions/{version.pk}/validations", auth, payload)
    assert response.status_code == 409
    assert [v["id"] for v in response.json()["violations"]] == ["PER-4"]
    payload["validated_by"] = senior.pk
    created = post(client, f"{BASE}/versions/{version.pk}/validations", auth, payload)
    assert created.status_code == 201 and created.json()["approved_on"] is None
    approved = post(client, f"{BASE}/validations/{created.json()['id']}/approve", auth, {"approved_on": "2024-07-05"})
    assert approved.status_code == 200 and approved.json()["approved_by_id"] == senior.pk
    again = post(client, f"{BASE}/validations/{created.json()['id']}/approve", auth, {})
    assert again.status_code == 422
    listed = client.get(f"{BASE}/validations?approved=true&version={version.pk}", **auth).json()
    assert listed["count"] == 1


def test_supersede_and_withdrawal_through_the_api(client, director, bearer):
    auth = bearer(director)
    old = MethodVersionFactory(edition="2008", effective_on=dt.date(2008, 5, 20))
    new = MethodVersionFactory(method=old.method, edition="2022", effective_on=dt.date(2023, 3, 27))
    response = post(client, f"{BASE}/versions/{old.pk}/supersede?on=2024-01-01", auth, {"successor": new.pk})
    assert response.status_code == 200 and response.json()["status"] == "superseded"
    response = post(client, f"{BASE}/versions/{new.pk}?on=2030-01-01", auth, {"withdrawn_on": "2030-01-01"},
                    method="patch")
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"
    response = post(client, f"{BASE}/versions/{new.pk}/supersede", auth, {"successor": new.pk})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "superseded_by"


def test_filters_by_kind_status_and_search(client, calibrator, bearer):
    auth = bearer(calibrator)
    jjg = MethodVersionFactory(method__code="JJG 1036", method__kind=MethodKind.JJG, method__title="电子天平",
                               edition="2008", effective_on=dt.date(2008, 5, 20))
    new = MethodVersionFactory(method=jjg.method, edition="2022", effective_on=dt.date(2023, 3, 27))
    do_supersede_method_version(jjg, new)
    MethodVersionFactory(method__code="JJF 1587", method__title="数字多用表校准规范", edition="2016",
                         effective_on=dt.date(2016, 12, 27), withdrawn_on=dt.date(2025, 4, 1))

    def codes(query):
        body = client.get(f"{BASE}/?{query}", **auth).json()
        return sorted(m["code"] for m in body["items"])

    assert codes("kind=jjg") == ["JJG 1036"]
    assert codes("q=天平") == ["JJG 1036"]
    assert codes("q=2016") == ["JJF 1587"]
    assert codes("status=superseded&on=2024-01-01") == ["JJG 1036"]
    assert codes("status=withdrawal_soon&on=2025-03-01") == ["JJF 1587"]
    assert codes("status=withdrawn&on=2025-04-01") == ["JJF 1587"]
    versions = client.get(f"{BASE}/versions?status=current&on=2024-01-01", **auth).json()
    assert sorted(v["designation"] for v in versions["items"]) == ["JJF 1587-2016", "JJG 1036-2022"]
    assert client.get(f"{BASE}/?status=bogus", **auth).status_code == 422


def _queries(client, url, auth) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, **auth).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", [f"{BASE}/", f"{BASE}/versions", f"{BASE}/validations"])
def test_list_query_counts_do_not_grow_with_rows(client, calibrator, bearer, url, django_assert_max_num_queries):
    auth = bearer(calibrator)
    MethodValidationFactory()
    few = _queries(client, url, auth)
    for n in range(8):
        old = MethodVersionFactory(edition="2001", effective_on=dt.date(2001, 1, 1))
        new = MethodVersionFactory(method=old.method, edition="2020", effective_on=dt.date(2020, 1, 1))
        do_supersede_method_version(old, new)
        MethodValidationFactory()
    # token, roles, count, page (+ the editions of the page's methods)
    with django_assert_max_num_queries(5):
        assert client.get(url, **auth).status_code == 200
    assert _queries(client, url, auth) == few


def test_detail_query_count_is_fixed(client, calibrator, bearer, django_assert_max_num_queries):
    version = MethodVersionFactory()
    for edition in ("2001", "2005", "2010"):
        MethodVersionFactory(method=version.method, edition=edition, effective_on=dt.date(int(edition), 1, 1))
    auth = bearer(calibrator)
    # token, roles, method, editions, and their limits, fields, validations, the editions they replace
    with django_assert_max_num_queries(8):
        assert client.get(f"{BASE}/{version.method_id}", **auth).status_code == 200
    with django_assert_max_num_queries(9):  # one edition: its method, and its siblings for the warnings
        assert client.get(f"{BASE}/versions/{version.pk}", **auth).status_code == 200
