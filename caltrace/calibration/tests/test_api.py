"""The read-only API of raw records at /api/v1/calibration/: the list with its filters, a record
with every reading (provenance, corrections), the budgets of a signed-off record; access."""

import math
from decimal import Decimal

import pytest

from caltrace.calibration import services
from caltrace.calibration.choices import MeasurementModel, ReadingRole
from caltrace.calibration.factories import make_procedure
from caltrace.calibration.models import Reading
from caltrace.calibration.tests.test_results import run_dmm

pytestmark = pytest.mark.django_db

BASE = "/api/v1/calibration"


@pytest.fixture
def api(make_user, token_client):
    return token_client(make_user("rev", roles=["reviewer"]))


@pytest.fixture
def signed(calibrator_5522a, only_cnd3, alice):
    record = run_dmm(calibrator_5522a)
    first = Reading.objects.filter(record=record, role=ReadingRole.UUT).order_by("point__order", "sequence").first()
    services.do_correct_reading(first, first.value + Decimal("0.000001"), first.unit, reason="读数抄错", actor=alice)
    return services.do_sign_off_record(record, actor="system:test")


def test_the_list_is_paginated_and_filtered(api, signed, alice):
    draft = services.do_start_record(make_procedure(MeasurementModel.BALANCE), item="XS205 B123", actor=alice)
    body = api.get(f"{BASE}/records").json()
    assert body["count"] == 2 and {r["id"] for r in body["items"]} == {signed.pk, draft.pk}
    row = next(r for r in body["items"] if r["id"] == signed.pk)
    assert row["status"] == "signed_off" and row["procedure_code"] == signed.procedure.code
    assert [r["id"] for r in api.get(f"{BASE}/records", {"status": "draft"}).json()["items"]] == [draft.pk]
    assert [r["id"] for r in api.get(f"{BASE}/records", {"q": "34465a"}).json()["items"]] == [signed.pk]
    assert [r["id"] for r in api.get(f"{BASE}/records", {"procedure": draft.procedure_id}).json()["items"]] == [draft.pk]
    day = signed.started_at.date().isoformat()
    assert api.get(f"{BASE}/records", {"started_from": day, "started_to": day}).json()["count"] == 2
    assert api.get(f"{BASE}/records", {"started_to": "2000-01-01"}).json()["count"] == 0
    page = api.get(f"{BASE}/records", {"limit": 1, "offset": 1}).json()
    assert page["count"] == 2 and len(page["items"]) == 1


def test_the_list_takes_the_same_queries_for_3_and_30_records(api, alice, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    procedure = make_procedure(MeasurementModel.DMM_DCV)
    for i in range(3):
        services.do_start_record(procedure, item=f"UUT {i}", actor=alice)
    with CaptureQueriesContext(connection) as three:
        api.get(f"{BASE}/records")
    for i in range(27):
        services.do_start_record(procedure, item=f"UUT {i + 3}", actor=alice)
    with django_assert_max_num_queries(len(three)):
        assert len(api.get(f"{BASE}/records", {"limit": 100}).json()["items"]) == 30


def test_a_record_has_readings_with_provenance_and_corrections(api, signed, calibrator_5522a, alice):
    body = api.get(f"{BASE}/records/{signed.pk}").json()
    assert body["method_version"] == signed.procedure.method_version.designation
    assert body["equipment"] == [{"equipment_id": calibrator_5522a.pk, "asset_no": calibrator_5522a.asset_no,
                                  "name": calibrator_5522a.name, "role": "source"}]
    readings = {r["id"]: r for r in body["readings"]}
    assert len(readings) == Reading.objects.filter(record=signed).count()
    fix = next(r for r in readings.values() if r["corrects_id"])
    old = readings[fix["corrects_id"]]
    assert fix["provenance"] == "typed" and fix["typed_by"] == "alice" and fix["correction_reason"] == "读数抄错"
    assert fix["is_current"] and not old["is_current"] and old["superseded_by_id"] == fix["id"]
    assert old["provenance"] == "instrument" and old["visa_resource"] and old["raw_response"] and old["read_at"]
    assert Decimal(fix["value"]) == Decimal(old["value"]) + Decimal("0.000001")
    assert [r["nominal"] for r in body["results"]] == ["1", "10", "-10", "100"]


def test_the_uncertainty_budgets(api, signed):
    body = api.get(f"{BASE}/records/{signed.pk}/uncertainty").json()
    assert body["record_id"] == signed.pk and len(body["points"]) == 4
    one = body["points"][0]
    assert one["model"] == "δ = V_x − V_s − d_s + r_x"
    assert [r["symbol"] for r in one["rows"]] == ["V_x", "V_s", "d_s", "r_x"]
    v_s = next(r for r in one["rows"] if r["symbol"] == "V_s")
    assert v_s["kind"] == "B" and v_s["dof"] is None and math.isclose(v_s["standard_uncertainty"], 0.000008 / 2)
    assert math.isclose(one["expanded_uncertainty"], one["coverage_factor"] * one["combined_standard_uncertainty"])
    assert one["reported"]["U"] == signed.results[0]["reported"]["U"]


def test_a_draft_has_no_budgets_yet(api, alice):
    record = services.do_start_record(make_procedure(MeasurementModel.DMM_DCV), item="UUT", actor=alice)
    answer = api.get(f"{BASE}/records/{record.pk}/uncertainty")
    assert answer.status_code == 409 and answer.json()["status"] == "draft" and "尚未签署" in answer.json()["detail"]
    assert api.get(f"{BASE}/records/{record.pk}").json()["results"] == []


def test_the_record_takes_the_same_queries_whatever_the_number_of_readings(api, alice, weights,
                                                                           django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from caltrace.calibration.tests.test_pages import typed_draft

    few, many = typed_draft(1, alice, weights), typed_draft(6, alice, weights)
    with CaptureQueriesContext(connection) as one:
        assert len(api.get(f"{BASE}/records/{few.pk}").json()["readings"]) == 6
    with django_assert_max_num_queries(len(one)):
        assert len(api.get(f"{BASE}/records/{many.pk}").json()["readings"]) == 21


@pytest.mark.parametrize("path", ["/records", "/records/{pk}", "/records/{pk}/uncertainty"])
def test_access(client, make_user, token_client, alice, path):
    record = services.do_start_record(make_procedure(MeasurementModel.DMM_DCV), item="UUT", actor=alice)
    url = BASE + path.format(pk=record.pk)
    assert client.get(url).status_code == 401
    assert token_client(make_user("cust", roles=["customer"])).get(url).status_code == 403
    assert token_client(make_user("desk", roles=["reception"])).get(url).status_code == 403
    for role in ("calibrator", "reviewer", "signatory", "technical_director", "quality_manager", "lab_manager"):
        assert token_client(make_user(f"u-{role}", roles=[role])).get(url).status_code in (200, 409)
    assert token_client(make_user("cal2", roles=["calibrator"])).get(f"{BASE}/records/999999").status_code == 404


def test_the_endpoints_are_in_the_openapi_schema(api):
    schema = api.get("/api/v1/openapi.json").json()
    for path in ("/api/v1/calibration/records", "/api/v1/calibration/records/{record_id}",
                 "/api/v1/calibration/records/{record_id}/uncertainty"):
        assert "get" in schema["paths"][path]
