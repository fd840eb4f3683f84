"""The methods app's part of the demo lab (called by caltrace.demo.seed after the base data and the
org part). Idempotent: each record is looked up first and written only when missing; limits and
record fields are set only on a version that has none, so a user's later edits stay.

The environmental limits, record fields and durations of the published methods are illustrative
values in the spirit of those documents, not quotations: check the published text before relying
on them. The in-house methods are fictional.
"""

import datetime as dt
from decimal import Decimal

from caltrace.people.models import Person

from .choices import Condition as C
from .choices import FieldType as F
from .choices import MethodKind, MethodUse, ValidationConclusion, ValidationTechnique
from .models import Method, MethodValidation, MethodVersion
from .services import (
    do_add_method_version,
    do_approve_validation,
    do_record_validation,
    do_register_method,
    do_set_environment_limits,
    do_set_record_fields,
    do_update_method_version,
)

D = dt.date.fromisoformat
TECHNICAL_DIRECTOR = "MH-002"  # 李明远: level-1 registered metrologist and senior engineer
QUALITY_MANAGER = "MH-003"  # 王秀兰: senior engineer (qualifies for PER-4 by the title)


def _lim(condition, minimum=None, maximum=None, unit="", text="", max_variation=None, variation_minutes=None):
    return {"condition": condition, "minimum": minimum, "maximum": maximum, "unit": unit, "text": text,
            "max_variation": max_variation, "variation_minutes": variation_minutes}


def _field(name, label_zh, label_en, field_type, unit="", options=(), required=True):
    return {"name": name, "label_zh": label_zh, "label_en": label_en, "field_type": field_type, "unit": unit,
            "options": list(options), "required": required}


APPEARANCE = _field("appearance", "外观及工作正常性检查", "Appearance and function check", F.CHOICE,
                    options=("合格", "不合格"))

# (code, edition): minimum duration in minutes, environmental limits, record fields.
PROFILES = {
    ("JJF 1587", "2016"): (90, [
        _lim(C.TEMPERATURE, Decimal("18"), Decimal("22"), "°C", "(20±2)℃", Decimal("1"), 60),
        _lim(C.HUMIDITY, None, Decimal("75"), "%", "≤75%RH"),
        _lim(C.SUPPLY_VOLTAGE, Decimal("198"), Decimal("242"), "V", "(220±22)V"),
        _lim(C.SUPPLY_FREQUENCY, Decimal("49"), Decimal("51"), "Hz", "(50±1)Hz"),
    ], [
        APPEARANCE,
        _field("warm_up_minutes", "预热时间", "Warm-up time", F.NUMBER, unit="min"),
        _field("digits", "显示位数", "Display digits", F.CHOICE, options=("4½", "5½", "6½", "7½", "8½")),
        _field("self_test", "自检通过", "Self-test passed", F.BOOL),
        _field("remarks", "备注", "Remarks", F.TEXT, required=False),
    ]),
    ("JJG 1036", "2022"): (60, [
        _lim(C.TEMPERATURE, Decimal("15"), Decimal("30"), "°C", "15℃～30℃", Decimal("1"), 60),
        _lim(C.HUMIDITY, None, Decimal("80"), "%", "≤80%RH"),
        _lim(C.AIR_SPEED, None, Decimal("0.2"), "m/s", "无明显气流"),
        _lim(C.VIBRATION, None, Decimal("0.5"), "mm/s", "无明显振动"),
    ], [
        APPEARANCE,
        _field("accuracy_class", "准确度等级", "Accuracy class", F.CHOICE, options=("Ⅰ", "Ⅱ", "Ⅲ", "Ⅳ")),
        _field("max_capacity", "最大秤量 Max", "Maximum capacity Max", F.NUMBER, unit="g"),
        _field("verification_interval", "检定分度值 e", "Verification scale interval e", F.NUMBER, unit="g"),
        _field("levelled", "已调水平", "Levelled", F.BOOL),
    ]),
    ("JJG 229", "2010"): (180, [
        _lim(C.TEMPERATURE, Decimal("15"), Decimal("35"), "°C", "(15～35)℃"),
        _lim(C.HUMIDITY, Decimal("30"), Decimal("80"), "%", "(30～80)%RH"),
    ], [
        APPEARANCE,
        _field("sensor_type", "分度号", "Type", F.CHOICE, options=("Pt100", "Pt10", "Cu50", "Cu100")),
        _field("tolerance_class", "允差等级", "Tolerance class", F.CHOICE, options=("AA", "A", "B", "C")),
        _field("insulation_resistance", "绝缘电阻", "Insulation resistance", F.NUMBER, unit="MΩ"),
        _field("immersion_depth", "插入深度", "Immersion depth", F.NUMBER, unit="mm"),
    ]),
}

# Fictional in-house methods: one withdrawn without successor, one current with an approved
# validation, and one whose withdrawal date falls inside the warning period (set from "today").
IN_HOUSE = [
    {"code": "MH/ZY-01", "title": "温湿度计校准方法", "title_en": "Calibration Method for Thermohygrometers",
     "edition": "2015", "effective_on": D("2015-03-01"), "withdrawn_on": D("2024-06-30"), "minutes": 120},
    {"code": "MH/ZY-03", "title": "数字温度显示仪表在线校准方法",
     "title_en": "On-site Calibration Method for Digital Temperature Indicators",
     "edition": "2024", "effective_on": D("2024-09-01"), "minutes": 150,
     "validation": {"subject": "方法整体，测量范围 (-50～300)℃", "validated_on": D("2024-07-15"),
                    "approved_on": D("2024-08-20"),
                    "techniques": [ValidationTechnique.METHOD_COMPARISON, ValidationTechnique.UNCERTAINTY,
                                   ValidationTechnique.INTERLABORATORY],
                    "result": "与 JJF 1171-2007 方法比对 12 个点，|En| ≤ 0.62；实验室间比对 En = 0.41；"
                              "扩展不确定度 U = 0.12℃（k=2）"}},
    {"code": "MH/ZY-02", "title": "交流电压表快速校准方法", "title_en": "Rapid Calibration Method for AC Voltmeters",
     "edition": "2020", "effective_on": D("2020-01-01"), "withdraw_in_days": 45, "minutes": 45,
     "validation": {"subject": "方法整体，频率 (40～1000)Hz", "validated_on": D("2019-11-20"),
                    "approved_on": D("2019-12-10"),
                    "techniques": [ValidationTechnique.REFERENCE_STANDARDS, ValidationTechnique.ROBUSTNESS],
                    "result": "以多功能标准源为参考，示值误差重复测量极差不大于允差的 1/5；改变预热时间和接线方式结果无显著差异"}},
]


def seed(today: dt.date) -> None:
    """Add this app's demo records (idempotent)."""
    for (code, edition), (minutes, limits, fields) in PROFILES.items():
        version = MethodVersion.objects.filter(method__code=code, edition=edition).first()
        if version is None:
            continue
        if version.min_duration_minutes is None:
            do_update_method_version(version, withdrawn_on=version.withdrawn_on, min_duration_minutes=minutes)
        if not version.limits.exists():
            do_set_environment_limits(version, limits)
        if not version.record_fields.exists():
            do_set_record_fields(version, fields)
    developer = Person.objects.filter(staff_no=TECHNICAL_DIRECTOR).first()
    validator = Person.objects.filter(staff_no=QUALITY_MANAGER).first()
    if developer is None or validator is None:
        return
    for row in IN_HOUSE:
        _seed_in_house(row, today, developer, validator)


def _seed_in_house(row: dict, today: dt.date, developer: Person, validator: Person) -> None:
    method = Method.objects.filter(code=row["code"]).first() or do_register_method(
        code=row["code"], kind=MethodKind.IN_HOUSE, title=row["title"], title_en=row["title_en"])
    version = method.versions.filter(edition=row["edition"]).first()
    if version is None:
        withdrawn_on = row.get("withdrawn_on")
        if "withdraw_in_days" in row:
            withdrawn_on = today + dt.timedelta(days=row["withdraw_in_days"])
        version = do_add_method_version(method, edition=row["edition"], effective_on=row["effective_on"],
                                        withdrawn_on=withdrawn_on, min_duration_minutes=row["minutes"],
                                        developed_by=developer)
    v = row.get("validation")
    if v is None or MethodValidation.objects.filter(version=version).exists():
        return
    validation = do_record_validation(
        version, use=MethodUse.IN_HOUSE, subject=v["subject"], techniques=v["techniques"], result=v["result"],
        conclusion=ValidationConclusion.FIT, validated_by=validator, validated_on=v["validated_on"])
    do_approve_validation(validation, approved_by=developer, approved_on=v["approved_on"])
