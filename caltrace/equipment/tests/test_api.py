"""The equipment API: reads for staff, writes for the equipment manager, 404 for customers, 422
naming the field, append-only history, derived status, bounded queries."""

import pytest

from caltrace.core.models import AuditEntry
from caltrace.equipment.choices import EquipmentStatus
from caltrace.equipment.factories import EquipmentFactory, EquipmentRangeFactory, days, make_usable
from caltrace.equipment.models import Equipment, ServiceEvent, TraceabilityRecord
from caltrace.org.factories import RoomFactory

pytestmark = pytest.mark.django_db

BASE = "/api/v1/equipment/"


def test_openapi_schema_lists_the_equipment_endpoints(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/equipment/", "/api/v1/equipment/{equipment_id}", "/api/v1/equipment/traceability",
            "/api/v1/equipment/{equipment_id}/traceability",
            "/api/v1/equipment/traceability/{record_id}/confirmations"} <= set(paths)
    for path, ops in paths.items():
        if "/traceability" in path:
            assert not {"put", "patch", "delete"} & set(ops), path


def test_staff_read_customers_get_404_and_writes_need_the_manager(token_client, calibrator, customer, manager):
    eq = make_usable()
    as_cal, as_cust, as_mgr = token_client(calibrator), token_client(customer), token_client(manager)
    assert as_cal.get(BASE).status_code == 200
    assert as_cal.get(f"{BASE}{eq.pk}").status_code == 200
    for url in (BASE, f"{BASE}{eq.pk}", f"{BASE}{eq.pk}/timeline", f"{BASE}traceability"):
        assert as_cust.get(url).status_code == 404, url
    body = {"performed_on": days(0).isoformat(), "method": "核查", "result": "合格", "passed": True}
    assert as_cust.post(f"{BASE}{eq.pk}/checks", body, content_type="application/json").status_code == 404
    assert as_cal.post(f"{BASE}{eq.pk}/checks", body, content_type="application/json").status_code == 403
    assert as_mgr.post(f"{BASE}{eq.pk}/checks", body, content_type="application/json").status_code == 201
    assert as_mgr.get(f"{BASE}999999").status_code == 404


def test_list_filters_by_derived_status_kind_and_search(token_client, calibrator):
    ok = make_usable(EquipmentFactory(name="数字多用表"))
    overdue = make_usable(due=-1)
    make_usable(EquipmentFactory(reference_material=True))
    c = token_client(calibrator)
    data = c.get(BASE, {"status": "overdue"}).json()
    assert [i["id"] for i in data["items"]] == [overdue.pk]
    assert data["items"][0]["status_label"] == "已过期"
    assert c.get(BASE, {"q": "多用表"}).json()["items"][0]["id"] == ok.pk
    assert c.get(BASE, {"kind": "reference_material"}).json()["count"] == 1
    row = c.get(f"{BASE}{ok.pk}").json()
    assert row["status"] == EquipmentStatus.IN_SERVICE and row["traceability_due_on"] == days(265).isoformat()


def test_list_is_paginated_with_bounded_queries(token_client, calibrator, django_assert_max_num_queries):
    for _ in range(15):
        make_usable()
    c = token_client(calibrator)
    with django_assert_max_num_queries(8):
        data = c.get(BASE, {"limit": 10}).json()
    assert data["count"] == 15 and len(data["items"]) == 10
    with django_assert_max_num_queries(9):
        data = c.get(f"{BASE}traceability", {"limit": 10}).json()
    assert data["count"] == 15 and len(data["items"]) == 10


def test_register_and_update_with_422_naming_the_field(token_client, manager):
    c = token_client(manager)
    room = RoomFactory(standards=True)
    bad = c.post(BASE, {"kind": "measurement_standard", "asset_no": "STD-9", "name": "标准"},
                 content_type="application/json")
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"home_room"}
    missing = c.post(BASE, {"kind": "software", "asset_no": "S-1", "name": "软件", "home_room": 987654},
                     content_type="application/json")
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "home_room"
    schema_bad = c.post(BASE, {"kind": "software"}, content_type="application/json")
    assert schema_bad.status_code == 422 and any("asset_no" in e["field"] for e in schema_bad.json()["errors"])
    ok = c.post(BASE, {"kind": "measurement_standard", "asset_no": "STD-9", "name": "多产品校准器",
                       "home_room": room.pk}, content_type="application/json")
    assert ok.status_code == 201 and ok.json()["status"] == "unverified"
    pk = ok.json()["id"]
    changed = c.patch(f"{BASE}{pk}", {"check_interval_days": 180}, content_type="application/json")
    assert changed.status_code == 200 and changed.json()["check_interval_days"] == 180
    assert c.patch(f"{BASE}{pk}", {"status": "in_service"}, content_type="application/json").json()["status"] == \
        "unverified"  # the status is derived, never set


def test_traceability_post_confirm_correct_and_no_way_to_rewrite(token_client, manager):
    eq = EquipmentFactory(standard=True)
    EquipmentRangeFactory(equipment=eq)
    c = token_client(manager)
    body = {"kind": "calibration", "certificate_no": "DLzs2026-0418", "provider": "中国计量科学研究院",
            "performed_on": days(-5).isoformat(), "due_on": days(360).isoformat(),
            "results": [{"quantity": "直流电压", "nominal": "10", "unit": "V", "error": "0.00001",
                         "uncertainty": "0.00002"}]}
    bad = c.post(f"{BASE}{eq.pk}/traceability", {**body, "due_on": days(-9).isoformat(),
                                                   "results": [{**body["results"][0], "unit": "??"}]},
                 content_type="application/json")
    assert bad.status_code == 422 and {e["field"] for e in bad.json()["errors"]} == {"due_on", "results"}
    resp = c.post(f"{BASE}{eq.pk}/traceability", body, content_type="application/json")
    assert resp.status_code == 201
    rec = resp.json()
    assert rec["results"][0]["nominal"] == "10.000000000" and rec["confirmation_passed"] is None
    url = f"{BASE}traceability/{rec['id']}"
    for method in ("put", "patch", "delete"):
        assert getattr(c, method)(url, {}, content_type="application/json").status_code == 405
    conf = c.post(f"{url}/confirmations", {"confirmed_on": days(-4).isoformat(), "passed": True,
                                           "requirement": "10 V 点误差不超过 ±120 μV"}, content_type="application/json")
    assert conf.status_code == 201
    assert c.get(url).json()["confirmation_passed"] is True
    fix = c.post(f"{url}/corrections", {**body, "due_on": days(355).isoformat(), "reason": "有效期录入错误"},
                 content_type="application/json")
    assert fix.status_code == 201 and fix.json()["corrects"] == rec["id"]
    assert c.get(url).json()["corrected"] is True
    assert TraceabilityRecord.objects.count() == 2
    listed = c.get(f"{BASE}traceability", {"include_corrected": "false"}).json()
    assert [r["id"] for r in listed["items"]] == [fix.json()["id"]]


def test_service_life_through_the_api(token_client, manager):
    eq = make_usable()
    c = token_client(manager)
    out = c.post(f"{BASE}{eq.pk}/service-events", {"kind": "repair", "on": days(-2).isoformat(), "reason": "送修",
                                                   "provider": "福禄克测试仪器（上海）有限公司"},
                 content_type="application/json")
    assert out.status_code == 201
    assert c.get(f"{BASE}{eq.pk}").json()["status"] == "out_of_service"
    sneaky = c.post(f"{BASE}{eq.pk}/service-events", {"kind": "return_to_service", "on": days(0).isoformat(),
                                                      "reason": "直接恢复"}, content_type="application/json")
    assert sneaky.status_code == 422 and sneaky.json()["errors"][0]["field"] == "kind"
    back = c.post(f"{BASE}{eq.pk}/verifications", {"purpose": "return_to_service", "performed_on": days(0).isoformat(),
                                                   "criteria": "JJF 1033 附录", "result": "示值误差合格", "passed": True},
                  content_type="application/json")
    assert back.status_code == 201
    assert c.get(f"{BASE}{eq.pk}").json()["status"] == "in_service"
    assert ServiceEvent.objects.filter(equipment=eq).count() == 2
    timeline = c.get(f"{BASE}{eq.pk}/timeline").json()
    assert timeline[0]["kind"] in ("verification", "service")


def test_usage_logged_through_the_api_is_audited_with_the_token_user(token_client, manager, user_with):
    eq = make_usable()
    c = token_client(manager)
    resp = c.post(f"{BASE}{eq.pk}/usage", {"job_ref": "JOB-2026-0042", "started_at": "2026-01-05T09:00:00",
                                           "ended_at": "2026-01-05T10:30:00"}, content_type="application/json")
    assert resp.status_code == 201
    entry = AuditEntry.objects.filter(model="equipment.UsageRecord").get()
    assert entry.actor == f"user:{manager.username}"
    assert c.get(f"{BASE}{eq.pk}/usage").json()["items"][0]["job_ref"] == "JOB-2026-0042"
    bad = c.post(f"{BASE}{eq.pk}/usage", {"job_ref": "J", "started_at": "2026-01-05T09:00:00",
                                          "ended_at": "2026-01-05T08:00:00", "person": 424242},
                 content_type="application/json")
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "person"
    assert Equipment.objects.count() == 1
