"""Demo data of the calibration app: three procedures on the demo methods, a raw record of each
taken on the simulated bench (pyvisa-sim, ``sim/bench.yaml``) or by hand, signed off with its
results and budgets, and issued as a certificate (signed PDF and DCC) through the same services
the lab uses; the balance certificate is then amended. Idempotent; needs the org, methods,
equipment, people and customers demo data first.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from caltrace.equipment.models import Equipment
from caltrace.methods.models import MethodVersion

from . import services
from .choices import EquipmentRole as R
from .choices import MeasurementModel, ProcedureKind
from .instruments import simulated_bench
from .models import CalibrationRecord, Procedure

CALIBRATOR_USERNAME = "sunhao"

# code: method version, names, kind, quantity, unit, model, readings per point, points, equipment by role
PROCEDURES = {
    "ZY-DCV-01": {
        "version": ("JJF 1587", "2016"), "name_zh": "数字多用表直流电压示值误差校准",
        "name_en": "DC voltage of digital multimeters", "kind": ProcedureKind.AUTOMATED, "quantity": "直流电压",
        "unit": "V", "model_key": MeasurementModel.DMM_DCV, "readings_per_point": 3,
        "points": [("0.1", "100 mV 量程", "V"), ("1", "1 V 量程", "V"), ("10", "10 V 量程", "V"),
                   ("-10", "10 V 量程", "V"), ("100", "100 V 量程", "V"), ("1000", "1000 V 量程", "V")],
        "equipment": {"source": "MH-E-001"}, "roles": {"MH-E-001": R.SOURCE, "MH-E-003": R.ENVIRONMENT},
        "item": "数字多用表 Keysight 34465A MY12345678", "calibrator": "sunhao", "reviewer": "MH-005",
        "scope": "DMM_DCV_ITEM", "site": "MAIN_SITE", "customer": "91320594MA1P2RC53A", "number": "MH2026-E-00001",
        "description": ("数字多用表", "Digital multimeter", "Keysight", "34465A", "MY12345678", "MH26-E-0001"),
        "fields": {"appearance": "合格", "warm_up_minutes": "120", "digits": "6½", "self_test": True},
        "conditions": [("temperature", "20.3", "°C"), ("temperature", "20.6", "°C"), ("humidity", "46", "%"),
                       ("supply_voltage", "221", "V"), ("supply_frequency", "50.0", "Hz")],
        "conformity": {"unit": "V", "relative": "0.00005", "absolute": "0.000005",
                       "text": "±(0.005 % 读数 + 5 μV)", "source": "委托方要求的允许误差"},
        # a 6½-digit DMM reading 8 ppm high plus 2 µV, with a few µV of noise
        "shows": lambda p, s: {"uut": p.nominal * Decimal("1.000008") + Decimal("0.000002") * s},
    },
    "ZY-BAL-01": {
        "version": ("JJG 1036", "2022"), "name_zh": "电子天平示值误差检定（标准砝码）",
        "name_en": "Electronic balances with standard weights", "kind": ProcedureKind.MANUAL, "quantity": "质量",
        "unit": "g", "model_key": MeasurementModel.BALANCE, "readings_per_point": 1,
        "points": [("0.01", "", "g"), ("50", "", "g"), ("100", "", "g"), ("200", "Max 220 g", "g")],
        "equipment": {}, "roles": {"MH-M-002": R.REFERENCE, "MH-E-003": R.ENVIRONMENT},
        "item": "电子天平 Mettler XS205 B734512890", "calibrator": "sunhao", "reviewer": "MH-005",
        "scope": "BALANCE_ITEM", "site": "MAIN_SITE", "customer": "91320214MA1W8HE31K", "number": "MH2026-M-00001",
        "description": ("电子天平", "Electronic balance", "Mettler Toledo", "XS205", "B734512890", "MH26-M-0001"),
        "fields": {"appearance": "合格", "accuracy_class": "Ⅰ", "max_capacity": "220", "verification_interval": "0.001",
                   "levelled": True},
        "conditions": [("temperature", "20.8", "°C"), ("temperature", "21.1", "°C"), ("humidity", "52", "%"),
                       ("air_speed", "0.1", "m/s"), ("vibration", "0.2", "mm/s")],
        "amend": ("MH2026-M-00002", "委托方名称少写“有限公司”，按委托方书面要求更正",
                  "The customer's name lacked “Co., Ltd.”; corrected at the customer's written request"),
        "typed": ["0.0100", "50.0010", "100.0002", "200.0003"],  # 50.0010: a typing slip
    },
    "ZY-TMP-01": {
        "version": ("JJG 229", "2010"), "name_zh": "铂电阻温度传感器比较法校准（恒温槽）",
        "name_en": "Temperature sensors in a bath against a standard thermometer", "kind": ProcedureKind.AUTOMATED,
        "quantity": "温度", "unit": "°C", "model_key": MeasurementModel.TEMPERATURE_COMPARISON,
        "readings_per_point": 4, "points": [("0", "", "°C"), ("50", "", "°C"), ("100", "", "°C")],
        "equipment": {"source": "WJ-T-006", "reference": "WJ-T-002"},
        "roles": {"WJ-T-005": R.REFERENCE, "WJ-T-002": R.READOUT, "WJ-T-006": R.SOURCE},
        "item": "工业铂电阻 Pt100 A级 2025-0815", "calibrator": "liuyang", "reviewer": "MH-010",
        "scope": "TEMPERATURE_ITEM", "site": "WUJIANG_SITE", "customer": "91320509MA1T6K4N60",
        "number": "MH2026-T-00001",
        "description": ("工业铂电阻温度计", "Industrial platinum resistance thermometer", "恒通仪表", "WZP-230 Pt100 A级",
                        "2025-0815", "MH26-T-0001"),
        "fields": {"appearance": "合格", "sensor_type": "Pt100", "tolerance_class": "A", "insulation_resistance": "500",
                   "immersion_depth": "250"},
        "conditions": [("temperature", "21.5", "°C"), ("temperature", "22.0", "°C"), ("humidity", "48", "%")],
        "shows": lambda p, s: {"reference": p.nominal + Decimal("0.0031") - Decimal("0.0004") * s,
                               "uut": p.nominal + Decimal("0.038") + Decimal("0.0012") * p.nominal / 100
                               - Decimal("0.0003") * s},
    },
}


SIGNATORY = "MH-004"  # 陈志刚, signatory for every field
HOURS_AGO = {"ZY-DCV-01": 5, "ZY-BAL-01": 4, "ZY-TMP-01": 3}  # calibrated today; received two days before


def seed(today: dt.date) -> None:
    from caltrace.org import demo as org_demo

    users = {u.username: u for u in get_user_model().objects.filter(
        username__in={spec["calibrator"] for spec in PROCEDURES.values()})}
    for code, spec in PROCEDURES.items():
        method_code, edition = spec["version"]
        version = MethodVersion.objects.filter(method__code=method_code, edition=edition).first()
        if version is None:
            continue
        procedure = Procedure.objects.filter(code=code).first() or services.do_create_procedure(
            method_version=version, code=code, name_zh=spec["name_zh"], name_en=spec["name_en"], kind=spec["kind"],
            quantity=spec["quantity"], unit=spec["unit"], model_key=spec["model_key"],
            readings_per_point=spec["readings_per_point"],
            points=[{"nominal": n, "setting": s, "unit": u} for n, s, u in spec["points"]], actor="system:init-demo")
        if CalibrationRecord.objects.filter(procedure=procedure).exists():
            continue
        user = users.get(spec["calibrator"])
        record = _take_record(procedure, spec, user, today, org_demo)
        if record is not None and user is not None:
            _issue(record, spec, today)


def _take_record(procedure, spec, user, today, org_demo):
    from caltrace.demo import data
    from caltrace.org.models import Site

    by_asset = {e.asset_no: e for e in Equipment.objects.filter(asset_no__in=[*spec["roles"], *spec["equipment"].values()])}
    started = timezone.now() - dt.timedelta(hours=HOURS_AGO[procedure.code])
    record = services.do_start_record(
        procedure, equipment=[(by_asset[a], role) for a, role in spec["roles"].items() if a in by_asset],
        item=spec["item"], actor=user or "system:init-demo", started_at=started,
        scope_item=org_demo.scope_item(getattr(org_demo, spec["scope"])),
        site=Site.objects.filter(name=getattr(data, spec["site"])).first(), field_values=spec["fields"])
    services.do_record_conditions(record, [
        {"condition": c, "value": v, "unit": u, "at": (started + dt.timedelta(minutes=40 * i)).isoformat()}
        for i, (c, v, u) in enumerate(spec["conditions"])], actor=user or "system:init-demo")
    if procedure.is_automated:
        roles = {role: by_asset.get(asset) for role, asset in spec["equipment"].items()}
        bench = simulated_bench(procedure.model_key, equipment=roles, indications=spec["shows"])
        try:
            services.do_run_automated(record, bench=bench)
        finally:
            bench.close()
    elif user is not None:
        points = list(procedure.points.order_by("order"))
        readings = [services.do_type_reading(record, p, value, p.unit, actor=user)
                    for p, value in zip(points, spec["typed"])]
        # one typing slip, corrected with its reason; the slip stays visible
        services.do_correct_reading(readings[1], "50.0001", "g", reason="录入时误将 50.0001 记为 50.0010",
                                    actor=user)
    if user is None:
        return None
    return services.do_sign_off_record(record, actor=user)


def _issue(record, spec, today):
    from caltrace.calibration.conformity import DecisionRule, Specification
    from caltrace.certificates.document import ItemDescription, Party
    from caltrace.certificates.from_record import IssueContext
    from caltrace.certificates.models import Certificate
    from caltrace.certificates.services import do_amend_certificate, do_issue_from_record
    from caltrace.customers.models import CustomerOrganisation
    from caltrace.people.models import Person

    if Certificate.objects.filter(number=spec["number"]).exists():
        return
    people = {p.staff_no: p for p in Person.objects.filter(staff_no__in=[spec["reviewer"], SIGNATORY])}
    customer = CustomerOrganisation.objects.filter(credit_code=spec["customer"]).first()
    name, name_en, maker, model, serial, ident = spec["description"]
    calibrated = timezone.localtime(record.started_at).date()
    # the balance certificate is first issued with the customer's name cut short, then amended
    stated_name = customer.name.removesuffix("有限公司") if spec.get("amend") else customer.name
    ctx = IssueContext(
        number=spec["number"], customer=Party(stated_name, customer.address, customer.name_en),
        item=ItemDescription(name, ident, maker, model, serial, name_en, condition_on_receipt="外观完好，通电正常"),
        received_on=calibrated - dt.timedelta(days=2), issued_on=today,
        reviewer=people[spec["reviewer"]].name, signatory=people[SIGNATORY].name,
        conformity=(Specification.from_dict(spec["conformity"]), DecisionRule.GUARD_BAND)
        if spec.get("conformity") else None)
    cert = do_issue_from_record(record, ctx, reviewer=people[spec["reviewer"]], signatory=people[SIGNATORY],
                                actor=people[SIGNATORY].user or "system:init-demo", customer=customer)
    if spec.get("amend"):
        from dataclasses import replace

        number, reason, reason_en = spec["amend"]
        fixed = replace(cert.doc, number=number, issued_on=today,
                        customer=Party(customer.name, customer.address, customer.name_en))
        do_amend_certificate(cert, fixed, reason=reason, reason_en=reason_en,
                             actor=people[SIGNATORY].user or "system:init-demo")
