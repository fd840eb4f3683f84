"""Demo data of the calibration app: three procedures on the demo methods, and raw records taken on
the simulated bench (pyvisa-sim, ``sim/bench.yaml``) and by hand. Idempotent; needs the methods,
equipment and people demo data first. Not yet wired into the demo seed.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth import get_user_model

from caltrace.equipment.models import Equipment
from caltrace.methods.models import MethodVersion

from . import services
from .choices import MeasurementModel, ProcedureKind
from .instruments import simulated_bench
from .models import Procedure

CALIBRATOR_USERNAME = "sunhao"

# code: method version, names, kind, quantity, unit, model, readings per point, points, equipment by role
PROCEDURES = {
    "ZY-DCV-01": {
        "version": ("JJF 1587", "2016"), "name_zh": "数字多用表直流电压示值误差校准",
        "name_en": "DC voltage of digital multimeters", "kind": ProcedureKind.AUTOMATED, "quantity": "直流电压",
        "unit": "V", "model_key": MeasurementModel.DMM_DCV, "readings_per_point": 3,
        "points": [("0.1", "100 mV 量程", "V"), ("1", "1 V 量程", "V"), ("10", "10 V 量程", "V"),
                   ("-10", "10 V 量程", "V"), ("100", "100 V 量程", "V"), ("1000", "1000 V 量程", "V")],
        "equipment": {"source": "MH-E-001"}, "others": ["MH-E-003"],
        "item": "数字多用表 Keysight 34465A MY12345678",
        # a 6½-digit DMM reading 8 ppm high plus 2 µV, with a few µV of noise
        "shows": lambda p, s: {"uut": p.nominal * Decimal("1.000008") + Decimal("0.000002") * s},
    },
    "ZY-BAL-01": {
        "version": ("JJG 1036", "2022"), "name_zh": "电子天平示值误差检定（标准砝码）",
        "name_en": "Electronic balances with standard weights", "kind": ProcedureKind.MANUAL, "quantity": "质量",
        "unit": "g", "model_key": MeasurementModel.BALANCE, "readings_per_point": 1,
        "points": [("0.01", "", "g"), ("50", "", "g"), ("100", "", "g"), ("200", "Max 220 g", "g")],
        "equipment": {}, "others": ["MH-M-001"], "item": "电子天平 Mettler XS205 B734512890",
        "typed": ["0.0100", "50.0010", "100.0002", "200.0003"],  # 50.0010: a typing slip
    },
    "ZY-TMP-01": {
        "version": ("JJG 229", "2010"), "name_zh": "铂电阻温度传感器比较法校准（恒温槽）",
        "name_en": "Temperature sensors in a bath against a standard thermometer", "kind": ProcedureKind.AUTOMATED,
        "quantity": "温度", "unit": "°C", "model_key": MeasurementModel.TEMPERATURE_COMPARISON,
        "readings_per_point": 4, "points": [("0", "", "°C"), ("50", "", "°C"), ("100", "", "°C")],
        "equipment": {"source": "WJ-T-003", "reference": "WJ-T-002"}, "others": ["WJ-T-001"],
        "item": "工业铂电阻 Pt100 A级 2025-0815",
        "shows": lambda p, s: {"reference": p.nominal + Decimal("0.0031") - Decimal("0.0004") * s,
                               "uut": p.nominal + Decimal("0.038") + Decimal("0.0012") * p.nominal / 100
                               - Decimal("0.0003") * s},
    },
}


def seed(today: dt.date) -> None:
    user = get_user_model().objects.filter(username=CALIBRATOR_USERNAME).first()
    for code, spec in PROCEDURES.items():
        method_code, edition = spec["version"]
        version = MethodVersion.objects.filter(method__code=method_code, edition=edition).first()
        if version is None or Procedure.objects.filter(code=code).exists():
            continue
        procedure = services.do_create_procedure(
            method_version=version, code=code, name_zh=spec["name_zh"], name_en=spec["name_en"], kind=spec["kind"],
            quantity=spec["quantity"], unit=spec["unit"], model_key=spec["model_key"],
            readings_per_point=spec["readings_per_point"],
            points=[{"nominal": n, "setting": s, "unit": u} for n, s, u in spec["points"]], actor="system:init-demo")
        by_asset = {e.asset_no: e for e in Equipment.objects.filter(
            asset_no__in=[*spec["equipment"].values(), *spec["others"]])}
        roles = {role: by_asset.get(asset) for role, asset in spec["equipment"].items()}
        record = services.do_start_record(procedure, equipment=list(by_asset.values()), item=spec["item"],
                                          actor=user or "system:init-demo")
        if procedure.is_automated:
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
