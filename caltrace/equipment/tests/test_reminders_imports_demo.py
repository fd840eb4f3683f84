"""Reminders (the DueItem contract), spreadsheet import and export, and the demo lab's equipment."""

import pytest
from django.utils import timezone

from caltrace.core import imports, reminders, roles
from caltrace.core.models import AuditEntry
from caltrace.equipment import services
from caltrace.equipment.choices import EquipmentStatus, ServiceEventKind
from caltrace.equipment.factories import EquipmentFactory, days, make_usable
from caltrace.equipment.models import Equipment, TraceabilityRecord
from caltrace.equipment.reminders import due
from caltrace.equipment.selectors import with_status
from caltrace.org.factories import RoomFactory, SiteFactory

pytestmark = pytest.mark.django_db


# --- reminders ------------------------------------------------------------------------------


def test_due_lists_traceability_rm_expiry_checks_and_certificates_up_to_until(user_with):
    mgr = user_with("eqm-1", roles.EQUIPMENT_MANAGER)
    user_with("cal-1", roles.CALIBRATOR)
    overdue = make_usable(due=-3)
    soon = make_usable(due=20)
    make_usable(due=200)  # not yet
    rm = make_usable(EquipmentFactory(reference_material=True), due=10)
    checked = make_usable(performed=-85, due=280)
    services.do_update_equipment(checked, check_interval_days=90)
    std = make_usable(EquipmentFactory(standard=True), due=300)
    services.do_add_standard_certificate(std, number="[2022]苏量标企证字第0001号", standard_name="直流电压标准装置",
                                         issuer="苏州市市场监督管理局", issued_on=days(-1400), valid_until=days(25))
    retired = make_usable(due=-40)
    services.do_take_out_of_service(retired, kind=ServiceEventKind.RETIRED, on=days(0), reason="报废")
    items = due(days(30))
    found = {(i.kind, i.due_on) for i in items}
    assert found == {("traceability", days(-3)), ("traceability", days(20)), ("rm_expiry", days(10)),
                     ("check", days(5)), ("standard_certificate", days(25))}
    assert all(i.responsible == (mgr.pk,) for i in items)
    assert all(i.url.startswith("/equipment/") for i in items)
    by_kind = {i.kind: i for i in items}
    assert rm.asset_no in by_kind["rm_expiry"].label_zh and "expires" in by_kind["rm_expiry"].label_en
    assert [i for i in items if i.due_on == days(-3)][0].overdue_on(days(0))
    assert overdue.asset_no in "".join(i.label_zh for i in items) and soon.asset_no in "".join(
        i.label_zh for i in items)
    assert set(reminders.due_for(mgr, days(30))) >= set(items)


def test_due_costs_a_fixed_number_of_queries(django_assert_max_num_queries):
    for n in range(10):
        make_usable(due=n)
    with django_assert_max_num_queries(3):
        assert len(due(days(30))) == 10


# --- import and export ----------------------------------------------------------------------


def csv(rows):
    return ("\n".join(",".join(r) for r in rows) + "\n").encode("utf-8-sig")


def spec(name):
    return imports.specs()[name]


def test_equipment_import_reports_every_bad_row_and_imports_nothing_until_clean():
    site = SiteFactory(name="总部实验室")
    RoomFactory(site=site, code="E101", keeps_standards=True)
    RoomFactory(code="E101")  # the same number at another site
    header = ["设备编号", "类别", "名称", "存放地点", "期间核查间隔（天）"]
    data = csv([header,
                ["MH-E-101", "测量标准", "多产品校准器", "总部实验室/E101", "180"],
                ["MH-E-102", "仪器", "数字表", "总部实验室/E101", ""],          # row 3: kind
                ["MH-E-103", "测量仪器", "数字表", "E101", "0"],                # row 4: ambiguous room, bad days
                ["MH-E-101", "软件", "软件", "", ""],                           # row 5: duplicate asset number
                ["", "软件", "", "", ""]])                                       # row 6: two empty columns
    before = AuditEntry.objects.count()
    report = imports.run_import(spec("equipment"), data, "eq.csv", dry_run=False)
    assert not report.ok and report.imported == 0
    assert {(e.row, e.column) for e in report.errors} == {
        (3, "类别"), (4, "存放地点"), (4, "期间核查间隔（天）"), (5, "设备编号"), (6, "设备编号"), (6, "名称")}
    assert not Equipment.objects.exists() and AuditEntry.objects.count() == before
    clean = csv([header, ["MH-E-101", "测量标准", "多产品校准器", "总部实验室/E101", "180"],
                 ["MH-S-001", "software", "自动检定软件", "", ""]])
    assert imports.run_import(spec("equipment"), clean, "eq.csv", dry_run=True).ok
    assert not Equipment.objects.exists()
    report = imports.run_import(spec("equipment"), clean, "eq.csv", dry_run=False)
    assert report.ok and report.imported == 2
    assert Equipment.objects.get(asset_no="MH-E-101").check_interval_days == 180


def test_traceability_import_goes_through_the_service_and_export_round_trips():
    eq = EquipmentFactory(asset_no="MH-E-001")
    header = ["设备编号", "溯源方式", "证书编号", "溯源机构", "校准/检定日期", "有效期至"]
    bad = csv([header,
               ["MH-E-001", "校准证书", "DJ-1", "中国计量科学研究院", days(-10).isoformat(), days(-20).isoformat()],
               ["MH-E-999", "校准证书", "DJ-2", "中国计量科学研究院", days(-10).isoformat(), days(300).isoformat()],
               ["MH-E-001", "标准物质证书", "DJ-3", "中国计量科学研究院", "2026/13/01", days(300).isoformat()]])
    report = imports.run_import(spec("traceability"), bad, "t.csv", dry_run=True)
    assert {(e.row, e.column) for e in report.errors} == {(2, "有效期至"), (3, "设备编号"), (4, "校准/检定日期")}
    good = csv([header, ["MH-E-001", "校准证书", "DJ-1", "中国计量科学研究院", days(-10).isoformat(),
                         days(355).isoformat()]])
    assert imports.run_import(spec("traceability"), good, "t.csv", dry_run=False).imported == 1
    rec = TraceabilityRecord.objects.get()
    services.do_correct_traceability(rec, reason="机构名称有误", kind=rec.kind, certificate_no=rec.certificate_no,
                                     provider="江苏省计量科学研究院", performed_on=rec.performed_on, due_on=rec.due_on)
    exported = imports.export_rows(spec("traceability"), fmt="csv").decode("utf-8-sig").splitlines()
    assert len(exported) == 2 and "江苏省计量科学研究院" in exported[1]  # the corrected one is left out
    again = imports.run_import(spec("traceability"), exported_bytes(exported), "again.csv", dry_run=True)
    assert [(e.row, e.column) for e in again.errors] == [(2, "证书编号")]  # already on file: no duplicates
    eq_export = imports.export_rows(spec("equipment"), fmt="xlsx")
    assert eq_export[:2] == b"PK" and Equipment.objects.get() == eq


def exported_bytes(lines):
    return ("\n".join(lines) + "\n").encode("utf-8")


# --- demo -----------------------------------------------------------------------------------


def test_the_demo_shows_every_status_and_is_idempotent():
    from caltrace.demo.seed import BASE_DEMOS, seed

    seed(apps=BASE_DEMOS)
    statuses = dict(with_status().values_list("asset_no", "status"))
    assert statuses["MH-E-001"] == EquipmentStatus.IN_SERVICE
    assert statuses["MH-E-002"] == EquipmentStatus.DUE_SOON
    assert statuses["MH-C-002"] == EquipmentStatus.DUE_SOON  # a reference material near expiry
    assert statuses["MH-M-001"] == EquipmentStatus.OVERDUE  # an overdue standard
    assert statuses["WJ-T-001"] == EquipmentStatus.UNCONFIRMED  # an unconfirmed standard
    assert statuses["WJ-T-003"] == EquipmentStatus.OUT_OF_SERVICE  # after a failed check and a repair
    std = Equipment.objects.get(asset_no="MH-E-001")
    assert std.usage_records.exists() and std.checks.exists() and std.standard_certificates.exists()
    assert std.ranges.count() == 5 and std.traceability_records.count() == 2
    entries = AuditEntry.objects.count()
    seed(apps=BASE_DEMOS)
    assert AuditEntry.objects.count() == entries
    assert {i.kind for i in due(timezone.localdate() + timezone.timedelta(days=30))} == {
        "traceability", "rm_expiry", "check"}


def test_the_generic_data_page_checks_and_imports_equipment_for_the_manager(client, manager, calibrator):
    from django.core.files.uploadedfile import SimpleUploadedFile

    body = "设备编号,类别,名称\nMH-S-009,软件,自动检定软件\n".encode("utf-8-sig")
    client.force_login(calibrator)
    assert client.get("/data/equipment/template.csv").status_code == 403
    client.force_login(manager)
    index = client.get("/data/").content.decode()
    assert "/data/equipment/" in index and "/data/traceability/" in index
    resp = client.post("/data/equipment/check/", {"file": SimpleUploadedFile("e.csv", body, content_type="text/csv")})
    assert resp.status_code == 200 and not Equipment.objects.exists()
    resp = client.post("/data/equipment/import/", {"token": resp.context["token"]})
    assert resp.status_code == 302 and Equipment.objects.get().asset_no == "MH-S-009"
    assert client.get("/data/traceability/export.xlsx").content[:2] == b"PK"
