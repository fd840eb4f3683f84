"""The people endpoints: who may read and write, filters, the grant's 409 with the ids, 422 with
field names, and query counts that do not grow with the rows."""

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from caltrace.core import roles
from caltrace.customers.factories import CustomerContactFactory, CustomerOrganisationFactory
from caltrace.people.choices import AuthorizationKind as AK
from caltrace.people.choices import QualificationKind as QK
from caltrace.people.factories import AuthorizationFactory, PersonFactory, QualificationFactory

pytestmark = pytest.mark.django_db

BASE = "/api/v1/people"
TODAY = timezone.localdate()


def post(client, url, body, auth):
    return client.post(url, json.dumps(body, default=str), content_type="application/json", **auth)


@pytest.fixture
def manager_auth(lab_manager, bearer):
    return bearer(lab_manager)


def test_customers_get_404_and_other_staff_403(client, user_in, bearer, make_person):
    person = make_person()
    customer = user_in(roles.CUSTOMER)
    CustomerContactFactory(organisation=CustomerOrganisationFactory(), user=customer)
    for url in (f"{BASE}/persons", f"{BASE}/persons/{person.pk}", f"{BASE}/authorizations"):
        assert client.get(url, **bearer(customer)).status_code == 404
        assert client.get(url, **bearer(user_in(roles.CALIBRATOR))).status_code == 403
    assert client.get(f"{BASE}/persons").status_code == 401


def test_the_quality_manager_reads_but_may_not_grant(client, user_in, bearer, make_person):
    person = make_person()
    auth = bearer(user_in(roles.QUALITY_MANAGER))
    assert client.get(f"{BASE}/persons/{person.pk}", **auth).status_code == 200
    body = {"person_id": person.pk, "kind": AK.SUPERVISOR, "valid_from": TODAY}
    assert post(client, f"{BASE}/authorizations", body, auth).status_code == 403


def test_person_list_filters(client, manager_auth, make_person):
    a = make_person(name="张三丰", category="management")
    b = make_person(name="李四", employment_type="temporary")
    c = make_person(name="王五", left_on=TODAY - dt.timedelta(days=1))
    AuthorizationFactory(person=b, kind=AK.SUPERVISOR, valid_from=TODAY, valid_until=None)

    def ids(query):
        body = client.get(f"{BASE}/persons{query}", **manager_auth).json()
        return {p["id"] for p in body["items"]}

    assert ids("") == {a.pk, b.pk, c.pk}
    assert ids("?q=张三") == {a.pk}
    assert ids(f"?q={a.staff_no}") == {a.pk}
    assert ids("?category=management") == {a.pk}
    assert ids("?employment_type=temporary") == {b.pk}
    assert ids("?employed=false") == {c.pk}
    assert ids("?authorization=supervisor") == {b.pk}


def test_person_detail_shows_qualifications_authorizations_trainings_and_integrity(client, manager_auth, calibrator):
    body = client.get(f"{BASE}/persons/{calibrator.pk}", **manager_auth).json()
    assert body["staff_no"] == calibrator.staff_no and body["employed"] is True
    assert [q["status"] for q in body["qualifications"]] == ["valid"]
    assert body["authorizations"][0]["kind"] == "calibrator" and body["authorizations"][0]["status"] in (
        "valid", "expiring", "lapsed")
    assert {t["kind"] for t in body["trainings"]} == {"technical", "integrity"}
    assert set(body["integrity_training"]) == {"last", "due_on", "overdue"}


def test_grant_through_the_api(client, manager_auth, make_person, lab_manager):
    person = make_person(quals=[(QK.REGISTERED_METROLOGIST_2, dt.date(2020, 1, 1), None)])
    body = {"person_id": person.pk, "kind": AK.SIGNATORY, "valid_from": TODAY,
            "valid_until": TODAY + dt.timedelta(days=365), "metrology_fields": ["electrical", "thermal"],
            "document_no": "API-001"}
    response = post(client, f"{BASE}/authorizations", body, manager_auth)
    assert response.status_code == 201, response.content
    out = response.json()
    assert out["metrology_fields"] == ["thermal", "electrical"] and out["status"] == "valid"
    assert person.authorizations.get().granted_by == lab_manager


def test_a_refused_grant_answers_409_with_the_ids(client, manager_auth, make_person):
    person = make_person(quals=[(QK.REGISTERED_METROLOGIST_2, dt.date(2020, 1, 1), None)])
    body = {"person_id": person.pk, "kind": AK.SIGNATORY, "valid_from": TODAY,
            "metrology_fields": ["electrical", "thermal", "mechanical", "length"]}
    response = post(client, f"{BASE}/authorizations", body, manager_auth)
    assert response.status_code == 409
    violations = response.json()["violations"]
    assert [v["id"] for v in violations] == ["PER-2"]
    assert violations[0]["objects"][0]["pk"] == str(person.pk)
    td = post(client, f"{BASE}/authorizations", {"person_id": person.pk, "kind": AK.TECHNICAL_DIRECTOR,
                                                 "valid_from": TODAY}, manager_auth)
    assert td.status_code == 409 and {v["id"] for v in td.json()["violations"]} == {"PER-3"}
    assert not person.authorizations.exists()


def test_invalid_grants_answer_422_with_field_names(client, manager_auth, make_person, scope):
    person = make_person()
    response = post(client, f"{BASE}/authorizations", {"person_id": person.pk, "kind": AK.CALIBRATOR,
                                                       "valid_from": TODAY, "scope_items": [scope.temp.pk],
                                                       "methods": [scope.dmm.pk]}, manager_auth)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["methods"]
    response = post(client, f"{BASE}/authorizations", {"person_id": person.pk, "kind": AK.CALIBRATOR,
                                                       "valid_from": TODAY, "scope_items": [999999]}, manager_auth)
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "scope_items"
    response = post(client, f"{BASE}/authorizations", {"person_id": person.pk, "kind": "signatory",
                                                       "valid_from": "not a date"}, manager_auth)
    assert response.status_code == 422


def test_register_a_person_and_record_a_qualification_and_training(client, manager_auth):
    body = {"staff_no": "API-1", "name": "钱七", "birth_date": "1990-01-01", "hire_date": "2015-07-01",
            "category": "calibration"}
    response = post(client, f"{BASE}/persons", body, manager_auth)
    assert response.status_code == 201
    pk = response.json()["id"]
    again = post(client, f"{BASE}/persons", body, manager_auth)
    assert again.status_code == 422 and again.json()["errors"][0]["field"] == "staff_no"
    q = post(client, f"{BASE}/qualifications", {"person_id": pk, "kind": "rm2", "number": "RM2-API-1",
                                                "issuer": "江苏省市场监督管理局", "valid_from": "2020-01-01"},
             manager_auth)
    assert q.status_code == 201 and q.json()["status"] == "valid"
    t = post(client, f"{BASE}/trainings", {"kind": "integrity", "topic": "诚信", "held_on": TODAY, "hours": "2",
                                           "trainer_name": "王老师", "attendees": [pk]}, manager_auth)
    assert t.status_code == 201 and t.json()["attendances"] == [{"person_id": pk, "passed": True, "score": ""}]
    patch = client.patch(f"{BASE}/persons/{pk}", json.dumps({"left_on": "2014-01-01"}),
                         content_type="application/json", **manager_auth)
    assert patch.status_code == 422 and patch.json()["errors"][0]["field"] == "left_on"


def test_revoke_and_status_filters(client, manager_auth, make_person, grant):
    person = make_person()
    auth = grant(person, AK.SUPERVISOR, valid_from=TODAY - dt.timedelta(days=10), valid_until=None, today=TODAY)
    lapsed = AuthorizationFactory(person=person, kind=AK.SUPERVISOR, valid_from=dt.date(2020, 1, 1),
                                  valid_until=TODAY - dt.timedelta(days=1))
    response = post(client, f"{BASE}/authorizations/{auth.pk}/revoke", {"revoked_on": TODAY, "reason": "调岗"},
                    manager_auth)
    assert response.status_code == 200 and response.json()["status"] == "revoked"

    def ids(query):
        return {a["id"] for a in client.get(f"{BASE}/authorizations{query}", **manager_auth).json()["items"]}

    assert ids("?status=revoked") == {auth.pk}
    assert ids("?status=lapsed") == {lapsed.pk}
    assert ids(f"?person_id={person.pk}") == {auth.pk, lapsed.pk}


def test_field_and_scope_filters(client, manager_auth, make_person, scope):
    sig = AuthorizationFactory(kind=AK.SIGNATORY, metrology_fields=["electrical", "thermal"])
    AuthorizationFactory(kind=AK.SIGNATORY, metrology_fields=["mechanical"])
    cal = AuthorizationFactory(kind=AK.CALIBRATOR, scope_items=[scope.dcv], methods=[scope.dmm])
    body = client.get(f"{BASE}/authorizations?field=thermal", **manager_auth).json()
    assert [a["id"] for a in body["items"]] == [sig.pk]
    body = client.get(f"{BASE}/authorizations?scope_item_id={scope.dcv.pk}", **manager_auth).json()
    assert [a["id"] for a in body["items"]] == [cal.pk]


def test_permissions_and_can_perform(client, manager_auth, calibrator, scope):
    rows = client.get(f"{BASE}/persons/{calibrator.pk}/permissions?on=2026-11-21", **manager_auth).json()
    assert [(r["kind"], r["allowed"]) for r in rows] == [("calibrator", True)]
    found = client.get(f"{BASE}/persons/{calibrator.pk}/can-perform?scope_item_id={scope.acv.pk}"
                       f"&method_version_id={scope.versions['JJF 1587'].pk}&at=2026-11-21", **manager_auth).json()
    assert "CND-6" in {v["id"] for v in found}
    bad = client.get(f"{BASE}/persons/{calibrator.pk}/can-perform?role=janitor", **manager_auth)
    assert bad.status_code == 422


def test_coverage(client, manager_auth, calibrator):
    rows = client.get(f"{BASE}/coverage?on=2026-11-21", **manager_auth).json()
    assert {r["code"]: r["covered"] for r in rows} == {"management": False, "technical": False,
                                                        "supervision": False, "calibration": True}


def _count(client, url, auth) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, **auth).status_code == 200
    return len(ctx.captured_queries)


# token, roles, count, page, then the prefetches: qualifications and authorizations in force;
# scope items and methods; none; attendances
@pytest.mark.parametrize("url,most", [("/persons", 6), ("/authorizations", 6), ("/qualifications", 4),
                                      ("/trainings", 5)])
def test_list_query_counts_do_not_grow_with_rows(client, manager_auth, url, most, scope,
                                                 django_assert_max_num_queries):
    def rows():
        p = PersonFactory()
        QualificationFactory(person=p)
        QualificationFactory(person=p, kind=QK.SENIOR_TITLE, title="高级工程师", valid_until=None)
        AuthorizationFactory(person=p, kind=AK.CALIBRATOR, scope_items=[scope.dcv], methods=[scope.dmm],
                             valid_until=None)
        from caltrace.people.factories import TrainingFactory

        TrainingFactory(attendees=[p])

    rows()
    few = _count(client, BASE + url, manager_auth)
    for _ in range(10):
        rows()
    with django_assert_max_num_queries(most):
        client.get(BASE + url, **manager_auth)
    assert _count(client, BASE + url, manager_auth) == few


def test_unknown_records_answer_404(client, manager_auth):
    for url in ("/persons/999999", "/authorizations/999999", "/qualifications/999999", "/trainings/999999",
                "/persons/999999/permissions"):
        assert client.get(BASE + url, **manager_auth).status_code == 404, url
