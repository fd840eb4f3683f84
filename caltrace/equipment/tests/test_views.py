"""The equipment pages: who reaches them, bounded queries, forms with field errors, the timeline."""

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from caltrace.core import roles
from caltrace.equipment import services
from caltrace.equipment.choices import EquipmentStatus, ServiceEventKind
from caltrace.equipment.factories import EquipmentFactory, EquipmentRangeFactory, days, make_usable
from caltrace.equipment.models import Equipment, ServiceEvent, TraceabilityRecord
from caltrace.org.factories import RoomFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def eq():
    equipment = make_usable(EquipmentFactory(standard=True, name="多产品校准器"),
                            results=[{"quantity": "直流电压", "nominal": 10, "unit": "V", "error": "0.00003",
                                      "uncertainty": "0.00002"}])
    EquipmentRangeFactory(equipment=equipment)
    return equipment


def page_urls(eq):
    rec = eq.traceability_records.get()
    read = [reverse("equipment:list"), reverse("equipment:detail", args=[eq.pk]),
            reverse("equipment:traceability_list"), reverse("equipment:record_detail", args=[rec.pk]),
            reverse("equipment:export")]
    write = [reverse("equipment:create"), reverse("equipment:edit", args=[eq.pk]),
             reverse("equipment:range_create", args=[eq.pk]), reverse("equipment:traceability_create", args=[eq.pk]),
             reverse("equipment:check_create", args=[eq.pk]), reverse("equipment:verification_create", args=[eq.pk]),
             reverse("equipment:service_create", args=[eq.pk]), reverse("equipment:certificate_create", args=[eq.pk])]
    return read, write


def test_who_reaches_which_page(client, eq, user_with, manager, calibrator, customer):
    read, write = page_urls(eq)
    for url in read + write:
        resp = client.get(url)
        assert resp.status_code == 302 and resp.url.startswith(reverse("login")), url
    client.force_login(customer)
    for url in read + write:
        assert client.get(url).status_code == 404, url
    for role in roles.STAFF_ROLES:
        client.force_login(user_with(f"u-{role}", role))
        for url in read:
            assert client.get(url).status_code == 200, (role, url)
        for url in write:
            assert client.get(url).status_code == (200 if role == roles.EQUIPMENT_MANAGER else 403), (role, url)
    client.force_login(calibrator)
    assert client.post(reverse("equipment:check_create", args=[eq.pk]), {}).status_code == 403


def test_list_shows_derived_status_with_bounded_queries(client, manager, django_assert_max_num_queries):
    make_usable(due=-1)
    client.force_login(manager)
    url = reverse("equipment:list")
    client.get(url)  # warm the session and the role cache paths
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    for _ in range(20):
        make_usable(confirm=False)
    with django_assert_max_num_queries(len(few.captured_queries)):
        resp = client.get(url)
    assert resp.status_code == 200
    text = resp.content.decode()
    assert "已过期" in text and "未确认" in text
    resp = client.get(url, {"status": EquipmentStatus.OVERDUE})
    assert resp.context["page"].paginator.count == 1


def test_detail_is_a_timeline_newest_first(client, eq, manager):
    services.do_record_check(eq, performed_on=days(-3), method="用 3458A 核查 10 V 点", result="偏差 4 μV", passed=True)
    services.do_take_out_of_service(eq, kind=ServiceEventKind.REPAIR, on=days(-2), reason="输出不稳",
                                    provider="福禄克测试仪器（上海）有限公司")
    services.do_log_usage(eq, job_ref="JOB-2026-0007", started_at=timezone.now() - timezone.timedelta(days=4),
                          ended_at=timezone.now() - timezone.timedelta(days=4) + timezone.timedelta(hours=1))
    client.force_login(manager)
    resp = client.get(reverse("equipment:detail", args=[eq.pk]))
    assert resp.status_code == 200
    kinds = [e.kind for e in resp.context["timeline"]]
    assert kinds[:2] == ["registration", "service"] and {"registration", "traceability", "confirmation", "check", "verification",
                                      "usage"} <= set(kinds)
    dates = [e.on for e in resp.context["timeline"]]
    assert dates == sorted(dates, reverse=True)
    text = resp.content.decode()
    assert "JOB-2026-0007" in text and "eq-timeleft-bar" in text and "停用" in text


def test_detail_queries_do_not_grow_with_the_history(client, eq, manager, django_assert_max_num_queries):
    client.force_login(manager)
    url = reverse("equipment:detail", args=[eq.pk])
    client.get(url)
    with django_assert_max_num_queries(30) as first:
        client.get(url)
    for n in range(6):
        services.do_record_check(eq, performed_on=days(-n), method="核查", result="合格", passed=True)
        services.do_log_usage(eq, job_ref=f"JOB-{n}", started_at=timezone.now(), ended_at=timezone.now())
        services.do_record_traceability(eq, kind="calibration", certificate_no=f"X-{n}", provider="某院",
                                        performed_on=days(-n - 1), due_on=days(300))
    with django_assert_max_num_queries(len(first.captured_queries)):
        assert client.get(url).status_code == 200


def test_register_form_shows_field_errors_then_saves(client, manager):
    client.force_login(manager)
    url = reverse("equipment:create")
    resp = client.post(url, {"asset_no": "STD-1", "kind": "measurement_standard", "name": "标准",
                             "home_room": RoomFactory(keeps_standards=False).pk})
    assert resp.status_code == 400
    assert "测量标准应存放在登记为计量标准保存地点的房间" in resp.content.decode()
    assert resp.context["form"].errors["home_room"]
    room = RoomFactory(standards=True)
    resp = client.post(url, {"asset_no": "STD-1", "kind": "measurement_standard", "name": "标准", "home_room": room.pk,
                             "check_interval_days": "180"})
    eq = Equipment.objects.get(asset_no="STD-1")
    assert resp.status_code == 302 and resp.url == reverse("equipment:detail", args=[eq.pk])
    resp = client.post(reverse("equipment:edit", args=[eq.pk]), {"kind": "measurement_standard", "name": "直流标准",
                                                                  "home_room": room.pk})
    assert resp.status_code == 302
    eq.refresh_from_db()
    assert eq.name == "直流标准" and eq.check_interval_days is None


def test_traceability_form_with_results_and_a_correction(client, manager):
    target = EquipmentFactory()
    client.force_login(manager)
    url = reverse("equipment:traceability_create", args=[target.pk])
    base = {"kind": "calibration", "certificate_no": "JL-2026-1", "provider": "江苏省计量科学研究院",
            "performed_on": days(-3).isoformat(), "due_on": days(362).isoformat(),
            "results-TOTAL_FORMS": "3", "results-INITIAL_FORMS": "0",
            "results-0-quantity": "直流电压", "results-0-nominal": "10", "results-0-unit": "V",
            "results-0-error": "0.00001", "results-0-uncertainty": "0.00002", "results-0-k": "2"}
    resp = client.post(url, {**base, "due_on": days(-5).isoformat(), "results-1-nominal": "5", "results-1-unit": "V",
                             "results-1-k": "2"})
    assert resp.status_code == 400
    assert resp.context["form"].errors["due_on"] or resp.context["results"].errors[1]
    assert not TraceabilityRecord.objects.exists()
    resp = client.post(url, base)
    rec = TraceabilityRecord.objects.get()
    assert resp.status_code == 302 and resp.url == reverse("equipment:record_detail", args=[rec.pk])
    assert rec.results.count() == 1
    page = client.get(f"{url}?corrects={rec.pk}")
    assert page.status_code == 200 and page.context["form"].initial["certificate_no"] == "JL-2026-1"
    resp = client.post(f"{url}?corrects={rec.pk}", {**base, "due_on": days(300).isoformat()})
    assert resp.status_code == 400 and "correction_reason" in resp.context["form"].errors
    resp = client.post(f"{url}?corrects={rec.pk}", {**base, "due_on": days(300).isoformat(),
                                                    "correction_reason": "有效期录入错误"})
    assert resp.status_code == 302
    assert TraceabilityRecord.objects.get(corrects=rec).due_on == days(300)
    detail = client.get(reverse("equipment:record_detail", args=[rec.pk]))
    assert "此记录已被更正" in detail.content.decode() and detail.context["form"] is None


def test_confirmation_form_refuses_a_pass_outside_the_mpe(client, manager):
    target = EquipmentFactory(standard=True)
    EquipmentRangeFactory(equipment=target)
    rec = services.do_record_traceability(target, kind="calibration", certificate_no="C-1", provider="中国计量科学研究院",
                                          performed_on=days(-2), due_on=days(360), results=[
                                              {"nominal": Decimal("10"), "unit": "V", "error": Decimal("0.0005"),
                                               "uncertainty": Decimal("0.00002")}])
    client.force_login(manager)
    url = reverse("equipment:record_confirm", args=[rec.pk])
    resp = client.post(url, {"confirmed_on": days(0).isoformat(), "passed": "True", "requirement": "误差不超过 MPE"})
    assert resp.status_code == 400 and "不能判为合格" in resp.content.decode()
    assert resp.context["form"].errors["passed"]
    resp = client.post(url, {"confirmed_on": days(0).isoformat(), "passed": "False", "requirement": "误差不超过 MPE",
                             "notes": "10 V 点超差"})
    assert resp.status_code == 302 and rec.confirmations.get().passed is False


def test_history_forms_check_verification_and_service(client, eq, manager):
    client.force_login(manager)
    resp = client.post(reverse("equipment:check_create", args=[eq.pk]), {
        "performed_on": days(0).isoformat(), "method": "核查标准比对", "result": "偏差超出控制限", "passed": "False"})
    assert resp.status_code == 302
    assert ServiceEvent.objects.get(equipment=eq).kind == ServiceEventKind.OUT_OF_SERVICE
    resp = client.post(reverse("equipment:verification_create", args=[eq.pk]), {
        "purpose": "first_use", "performed_on": days(0).isoformat(), "criteria": "说明书", "result": "合格",
        "passed": "True"})
    assert resp.status_code == 400 and resp.context["form"].errors["purpose"]
    resp = client.post(reverse("equipment:service_create", args=[eq.pk]), {
        "kind": "out_of_service", "on": days(0).isoformat(), "reason": "再次停用"})
    assert resp.status_code == 400 and resp.context["form"].errors["kind"]
    resp = client.post(reverse("equipment:verification_create", args=[eq.pk]), {
        "purpose": "return_to_service", "performed_on": days(0).isoformat(), "criteria": "JJF 1638", "result": "合格",
        "passed": "True"})
    assert resp.status_code == 302
    detail = client.get(reverse("equipment:detail", args=[eq.pk]))
    assert detail.context["equipment"].status == EquipmentStatus.IN_SERVICE


def test_export_of_the_filtered_list(client, calibrator):
    make_usable(EquipmentFactory(asset_no="MH-X-001"))
    make_usable(EquipmentFactory(asset_no="MH-X-002"), due=-1)
    client.force_login(calibrator)
    resp = client.get(reverse("equipment:export"), {"status": "overdue"})
    assert resp["Content-Type"].startswith("text/csv")
    text = resp.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("设备编号,类别,名称") and "MH-X-002" in text and "MH-X-001" not in text
    resp = client.get(reverse("equipment:export"), {"format": "xlsx"})
    assert resp.content[:2] == b"PK"


TRANSLATED = re.compile(r"{%\s*blocktranslate\b.*?{%\s*endblocktranslate\s*%}|{%\s*translate\b.*?%}|{#.*?#}", re.S)
CJK = re.compile(r"[\u3400-\u9fff\uff01-\uff5e]")


def test_templates_have_no_untranslated_chinese():
    folder = Path(__file__).resolve().parent.parent / "templates"
    offenders = []
    for path in folder.rglob("*.html"):
        rest = TRANSLATED.sub("", path.read_text(encoding="utf-8"))
        offenders += [f"{path.name}: {line.strip()}" for line in rest.splitlines() if CJK.search(line)]
    assert not offenders, "\n".join(offenders)
