"""The equipment app's part of the demo lab (called by caltrace.demo.seed after the base data).

Gives the demo equipment its characteristics and history so that the registry shows every
status: the 5522A in service, the 3458A and the pH buffer due soon, the E2 weights overdue, the
SPRT newly calibrated but not yet confirmed, the bath out of service after a failed check and a
repair. Dates count from ``today``; upstream providers are real institutes, every certificate
number is fictional. Idempotent: each step runs only when its records are missing.
"""

import datetime as dt
from decimal import Decimal as D

from caltrace.people.models import Person

from . import services
from .choices import SpecKind, TraceabilityKind, VerificationPurpose
from .models import Equipment, StandardCertificate, TraceabilityRecord

NIM = "中国计量科学研究院"
JSIM = "江苏省计量科学研究院"
SIMT = "上海市计量测试技术研究院"
SZIM = "苏州市计量测试院"
MANAGER = "MH-007"  # 黄磊, equipment manager
CALIBRATOR = "MH-006"  # 孙浩

MPE, U = SpecKind.MPE, SpecKind.UNCERTAINTY
CAL, VER, RM = TraceabilityKind.CALIBRATION, TraceabilityKind.VERIFICATION, TraceabilityKind.RM_CERTIFICATE


def _dcv(low, high, ppm, volts):
    return {"quantity": "直流电压", "range_min": D(low), "range_max": D(high), "bipolar": True, "unit": "V",
            "spec_kind": MPE, "spec_b": D(ppm) / 1000000, "spec_a": D(volts)}


def _result(nominal, unit, error, u, quantity=""):
    return {"quantity": quantity, "nominal": D(nominal), "unit": unit, "error": D(error) if error is not None else None,
            "uncertainty": D(u), "k": D(2)}


# asset_no → plan. Record dates are (performed, due) in days from today; "confirm" is the
# confirmation's offset from the performance day, or None for none.
PLANS = {
    "MH-E-001": {
        "commissioned": -1460, "check_interval": 180,
        "ranges": [_dcv("0", "0.3299999", "15", "0.000001"), _dcv("0", "3.299999", "11", "0.000002"),
                   _dcv("0", "32.99999", "12", "0.00002"), _dcv("30", "329.9999", "18", "0.00015"),
                   _dcv("100", "1020", "18", "0.0015")],
        "records": [
            {"no": "DJdy2024-10872", "provider": NIM, "kind": CAL, "dates": (-485, -120), "confirm": 4,
             "conclusion": "所校各点符合制造商一年技术指标"},
            {"no": "DJdy2025-11534", "provider": NIM, "kind": CAL, "dates": (-120, 245), "confirm": 5,
             "conclusion": "所校各点符合制造商一年技术指标",
             "results": [_result("1", "V", "0.0000031", "0.0000018", "直流电压"),
                         _result("10", "V", "0.000041", "0.000012", "直流电压"),
                         _result("100", "V", "0.00042", "0.00016", "直流电压")]},
        ],
        "certificate": {"number": "[2023]苏量标企证字第0518号", "standard_name": "多功能标准源检定装置",
                        "issuer": "苏州市市场监督管理局", "issued_on": -700, "valid_until": 1125},
        "checks": [{"on": -165, "method": "用 3458A 核查 10 V 输出（控制限 ±25 μV）", "result": "偏差 +3.2 μV",
                    "passed": True}],
        "usage": {"job_ref": "JZ2026-0158", "day": -1, "hours": (9, 11)},
    },
    "MH-E-002": {
        "commissioned": -1100, "check_interval": 180,
        "ranges": [_dcv("0", "1.2", "8", "0.0000003"), _dcv("0", "12", "8", "0.0000005"),
                   _dcv("0", "120", "10", "0.00003")],
        "records": [{"no": "JL2025-DC-04471", "provider": JSIM, "kind": CAL, "dates": (-350, 15), "confirm": 5,
                     "conclusion": "符合技术指标", "results": [_result("10", "V", "0.000019", "0.000008", "直流电压")]}],
        "certificate": None,
        "checks": [{"on": -90, "method": "用 5522A 核查 10 V 点", "result": "偏差 -2.8 μV", "passed": True}],
    },
    "MH-E-003": {
        "commissioned": -800,
        "ranges": [{"quantity": "温度", "range_min": D("0"), "range_max": D("50"), "unit": "°C", "spec_kind": MPE,
                    "spec_a": D("0.5"), "resolution": D("0.1")}],
        "records": [{"no": "SZJL2026-RW-0932", "provider": SZIM, "kind": CAL, "dates": (-200, 165), "confirm": 3,
                     "conclusion": "温度、湿度示值误差符合要求",
                     "results": [_result("20", "°C", "0.2", "0.1", "温度")]}],
    },
    "MH-M-001": {
        "commissioned": -2000,
        "ranges": [{"quantity": "质量", "range_min": D("0.001"), "range_max": D("200"), "unit": "g", "spec_kind": MPE,
                    "spec_a": D("0.000006"), "spec_b": D("0.0000015")}],
        "records": [{"no": "JJ2025-ZL-01288", "provider": JSIM, "kind": VER, "dates": (-380, -15), "confirm": 5,
                     "conclusion": "符合 E2 等级", "results": [_result("100", "g", "0.00005", "0.00003", "质量")]}],
        "certificate": {"number": "[2021]苏量标企证字第0233号", "standard_name": "E2等级砝码标准装置",
                        "issuer": "苏州市市场监督管理局", "issued_on": -1300, "valid_until": 160},
    },
    "MH-M-002": {
        "commissioned": -900,
        "ranges": [{"quantity": "质量", "range_min": D("0.001"), "range_max": D("200"), "unit": "g", "spec_kind": MPE,
                    "spec_a": D("0.000006"), "spec_b": D("0.0000015")}],
        "records": [{"no": "JJ2026-ZL-00417", "provider": JSIM, "kind": VER, "dates": (-60, 305), "confirm": 2,
                     "conclusion": "符合 E2 等级", "results": [_result("100", "g", "0.00003", "0.00005", "质量"),
                                                          _result("200", "g", "0.00006", "0.0001", "质量")]}],
    },
    "MH-C-001": {"commissioned": -160},
    "MH-C-002": {
        "commissioned": -320,
        "records": [{"no": "BW2025-PH-0316", "provider": NIM, "kind": RM, "dates": (-330, 20), "confirm": None,
                     "conclusion": "pH(25 ℃) = 6.865，U = 0.010（k=2）"}],
    },
    "WJ-T-001": {
        "commissioned": -1800,
        "ranges": [{"quantity": "温度", "range_min": D("-189.3442"), "range_max": D("419.527"), "unit": "°C",
                    "spec_kind": U, "spec_a": D("0.003"), "spec_k": D("2")}],
        "records": [
            {"no": "DJwd2024-02215", "provider": NIM, "kind": VER, "dates": (-740, -10), "confirm": 6,
             "conclusion": "符合二等标准铂电阻温度计要求"},
            {"no": "DJwd2026-02764", "provider": NIM, "kind": VER, "dates": (-10, 720), "confirm": None,
             "conclusion": "符合二等标准铂电阻温度计要求",
             "results": [_result("0.01", "°C", None, "0.0012", "水三相点"),
                         _result("231.928", "°C", None, "0.0025", "锡凝固点")]},
        ],
        "certificate": {"number": "[2022]苏量标企证字第0376号", "standard_name": "二等铂电阻温度计标准装置",
                        "issuer": "苏州市市场监督管理局", "issued_on": -1000, "valid_until": 460},
    },
    "WJ-T-002": {
        "commissioned": -1500,
        "ranges": [{"quantity": "电阻", "range_min": D("0"), "range_max": D("400"), "unit": "Ω", "spec_kind": MPE,
                    "spec_b": D("0.0000008"), "spec_a": D("0.000002")}],
        "records": [{"no": "2026SH-DX-07719", "provider": SIMT, "kind": CAL, "dates": (-90, 275), "confirm": 4,
                     "conclusion": "电阻测量示值误差符合技术指标",
                     "results": [_result("25", "Ω", "0.000008", "0.000005", "电阻")]}],
    },
    "WJ-T-003": {
        "commissioned": -1500, "check_interval": 90,
        "records": [{"no": "JL2026-RG-00852", "provider": JSIM, "kind": CAL, "dates": (-150, 215), "confirm": 3,
                     "conclusion": "波动度、均匀度符合要求"}],
        "checks": [{"on": -30, "method": "用二等铂电阻温度计测 50 ℃ 波动度（要求 ±0.005 ℃/10 min）",
                    "result": "波动度 0.012 ℃/10 min，超出要求", "passed": False}],
        "repair": {"on": -28, "reason": "控温模块故障，送厂家维修", "provider": "福禄克测试仪器（上海）有限公司"},
    },
    "WJ-T-004": {"commissioned": -90},
    "WJ-T-005": {
        "commissioned": -1200,
        "ranges": [{"quantity": "温度", "range_min": D("-189.3442"), "range_max": D("419.527"), "unit": "°C",
                    "spec_kind": U, "spec_a": D("0.003"), "spec_k": D("2")}],
        "records": [{"no": "DJwd2026-01193", "provider": NIM, "kind": VER, "dates": (-130, 600), "confirm": 5,
                     "conclusion": "符合二等标准铂电阻温度计要求",
                     "results": [_result("0.01", "°C", None, "0.0012", "水三相点"),
                                 _result("231.928", "°C", None, "0.0025", "锡凝固点")]}],
    },
    "WJ-T-006": {
        "commissioned": -600, "check_interval": 90,
        "records": [{"no": "JL2026-RG-01307", "provider": JSIM, "kind": CAL, "dates": (-75, 290), "confirm": 3,
                     "conclusion": "波动度、均匀度符合要求"}],
        "checks": [{"on": -20, "method": "用二等铂电阻温度计测 50 ℃ 波动度（要求 ±0.005 ℃/10 min）",
                    "result": "波动度 0.003 ℃/10 min", "passed": True}],
    },
    "WJ-S-001": {"commissioned": -700, "verification": ("软件确认：比对手工计算的 20 组数据", "计算结果一致，合格")},
    "WJ-D-001": {"commissioned": -1800, "verification": ("与 JJG 160-2007 附录逐项核对", "数据一致")},
}


def seed(today: dt.date):
    """Add this app's demo records (idempotent)."""
    people = {p.staff_no: p for p in Person.objects.filter(staff_no__in=[MANAGER, CALIBRATOR])}
    manager, calibrator = people.get(MANAGER), people.get(CALIBRATOR)

    def day(n):
        return today + dt.timedelta(days=n)

    for asset_no, plan in PLANS.items():
        eq = Equipment.objects.filter(asset_no=asset_no).first()
        if eq is None:
            continue
        changes = {}
        if eq.commissioned_on is None:
            changes["commissioned_on"] = day(plan["commissioned"])
        if eq.check_interval_days is None and plan.get("check_interval"):
            changes["check_interval_days"] = plan["check_interval"]
        if changes:
            eq = services.do_update_equipment(eq, **changes)
        if not eq.ranges.exists():
            for rng in plan.get("ranges", ()):
                services.do_add_range(eq, **rng)
        if not eq.verifications.exists():
            criteria, result = plan.get("verification", ("制造商技术指标及溯源证书", "各项指标符合要求"))
            services.do_record_verification(eq, purpose=VerificationPurpose.FIRST_USE,
                                            performed_on=eq.commissioned_on or day(plan["commissioned"]),
                                            criteria=criteria, result=result, passed=True, performed_by=manager)
        for rec in plan.get("records", ()):
            _seed_record(eq, rec, day, manager)
        cert = plan.get("certificate")
        if cert and not StandardCertificate.objects.filter(number=cert["number"]).exists():
            services.do_add_standard_certificate(eq, number=cert["number"], standard_name=cert["standard_name"],
                                                 issuer=cert["issuer"], issued_on=day(cert["issued_on"]),
                                                 valid_until=day(cert["valid_until"]))
        if not eq.checks.exists():
            for check in plan.get("checks", ()):
                services.do_record_check(eq, performed_on=day(check["on"]), method=check["method"],
                                         result=check["result"], passed=check["passed"], performed_by=manager)
        repair = plan.get("repair")
        if repair and not eq.service_events.filter(kind="repair").exists():
            services.do_take_out_of_service(eq, kind="repair", on=day(repair["on"]), reason=repair["reason"],
                                            provider=repair["provider"], performed_by=manager)
        usage = plan.get("usage")
        if usage and not eq.usage_records.exists():
            from django.utils import timezone

            start = timezone.make_aware(dt.datetime.combine(day(usage["day"]), dt.time(usage["hours"][0], 30)))
            end = timezone.make_aware(dt.datetime.combine(day(usage["day"]), dt.time(usage["hours"][1], 0)))
            services.do_log_usage(eq, job_ref=usage["job_ref"], started_at=start, ended_at=end, person=calibrator)


def _seed_record(eq, rec, day, manager):
    record = TraceabilityRecord.objects.filter(equipment=eq, certificate_no=rec["no"]).first()
    performed, due = rec["dates"]
    if record is None:
        record = services.do_record_traceability(eq, kind=rec["kind"], certificate_no=rec["no"],
                                                 provider=rec["provider"], performed_on=day(performed),
                                                 due_on=day(due), conclusion=rec.get("conclusion", ""),
                                                 results=rec.get("results", ()))
    if rec["confirm"] is not None and not record.confirmations.exists():
        services.do_confirm(record, confirmed_on=record.performed_on + dt.timedelta(days=rec["confirm"]), passed=True,
                            requirement="证书结果满足设备登记的准确度及所开展校准项目的要求", performed_by=manager)
