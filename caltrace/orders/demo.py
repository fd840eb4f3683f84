"""The orders app's part of the demo lab: the price list and one order in each state a newcomer
should see, driven through the same services the lab and its customers use (called by
caltrace.demo.seed after the calibration part, whose procedures the jobs use).

- 价目表: E-01, E-02, M-01 and T-01 with their cost models; E-02 is priced below cost (MKT-2);
- a DMM and an oscilloscope just submitted by 陈静 (the oscilloscope is outside the scope);
- a balance quoted with a deviation, awaiting 许亮's acceptance in the portal;
- a multifunction calibrator whose quote is below cost, awaiting 周建华's approval;
- a DMM accepted with a drop-off booked in two days;
- a DMM received and assigned to 孙浩 on ZY-DCV-01, not started (run it on the simulated bench);
- a balance calibrated and signed off by 孙浩, awaiting 赵敏's review (not issued: rendering is slow);
- two PRTs of 吴江恒通 to be calibrated on its premises, visit booked.

Idempotent: an order is identified by its customer and its first instrument's serial number and
made only when missing; an order a visitor has moved on since stays as it is.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from caltrace.org import demo as org_demo

RUICHUAN = "91320594MA1P2RC53A"  # 苏州瑞川精密电子, portal user chenjing
HUAHE = "91320214MA1W8HE31K"  # 无锡华禾制药, portal user xuliang
HENGTONG = "91320509MA1T6K4N60"  # 苏州吴江恒通电力设备, no portal account: reception acts for it

RECEPTION, MANAGER, CALIBRATOR = "linfang", "zhoujianhua", "sunhao"

# scope item: price (CNY per item) and cost model (labour hours, hourly rate, standards' use, overhead)
PRICES = [
    (org_demo.DMM_DCV_ITEM, "480", "1.5", "160", "80", "0.25"),  # cost 400.00
    # a multifunction calibrator takes most of a day on the 5522A: priced at the regional market
    # rate, below its cost of 1800.00, so every quote of it needs a manager's approval (MKT-2)
    (org_demo.CALIBRATOR_DCV_ITEM, "1600", "6", "160", "480", "0.25"),
    (org_demo.BALANCE_ITEM, "260", "1", "160", "30", "0.25"),  # cost 237.50
    (org_demo.TEMPERATURE_ITEM, "350", "1.2", "160", "60", "0.25"),  # cost 315.00
]

DMM = (org_demo.DMM_DCV_ITEM, ("JJF 1587", "2016"))
CALIBRATOR_DCV = (org_demo.CALIBRATOR_DCV_ITEM, ("JJF 1638", "2017"))
BALANCE = (org_demo.BALANCE_ITEM, ("JJG 1036", "2022"))
PRT = (org_demo.TEMPERATURE_ITEM, ("JJG 229", "2010"))

DCV_EQUIPMENT = [("MH-E-001", "source"), ("MH-E-003", "environment")]
BALANCE_EQUIPMENT = [("MH-M-002", "reference"), ("MH-E-003", "environment")]

# Each order: customer, who applies, how far it goes ("stage"), and its instruments with the
# review decision ("review": scope item and method version; None leaves it to the reviewer).
ORDERS = [
    {"customer": RUICHUAN, "applicant": "chenjing", "stage": "submitted",
     "notes": "两台仪器随产线年度校准计划送检，请尽量在两周内完成。",
     "items": [
         {"instrument_type": "数字多用表", "manufacturer": "Fluke", "model": "8846A", "serial_no": "3721045",
          "range_text": "直流电压 0～1000 V", "range_min": Decimal("0"), "range_max": Decimal("1000"), "unit": "V"},
         # no oscilloscope service in the scope: the review page names the problem
         {"instrument_type": "数字示波器", "manufacturer": "Tektronix", "model": "MDO34", "serial_no": "C047219",
          "range_text": "带宽 200 MHz，4 通道"},
     ]},
    {"customer": HUAHE, "applicant": "xuliang", "stage": "awaiting_customer",
     "notes": "QC 实验室称量用天平，年度校准。",
     "items": [
         {"instrument_type": "电子天平", "manufacturer": "Sartorius", "model": "BSA224S-CW", "serial_no": "0034805211",
          "range_text": "0～220 g，d = 0.1 mg", "range_min": Decimal("0"), "range_max": Decimal("220"), "unit": "g",
          "review": BALANCE,
          "deviation": ("different_method",
                        "申请要求按 USP〈41〉称量要求判定；实验室按 JJG 1036-2022 校准示值误差、重复性和偏载误差，"
                        "不作 USP 符合性判定",
                        "USP〈41〉不在本实验室认可的方法内；JJG 1036-2022 的结果可供客户自行按 USP 评价")},
     ]},
    {"customer": RUICHUAN, "applicant": "chenjing", "stage": "quoted",
     "items": [
         {"instrument_type": "多功能标准源", "manufacturer": "Fluke", "model": "5502E", "serial_no": "4450123",
          "range_text": "直流电压 0～1000 V", "range_min": Decimal("0"), "range_max": Decimal("1000"), "unit": "V",
          "review": CALIBRATOR_DCV},
     ]},
    {"customer": RUICHUAN, "applicant": "chenjing", "stage": "accepted",
     "items": [
         {"instrument_type": "数字多用表", "manufacturer": "Keysight", "model": "34461A", "serial_no": "MY57234561",
          "range_text": "直流电压 0～1000 V", "range_min": Decimal("0"), "range_max": Decimal("1000"), "unit": "V",
          "review": DMM},
     ]},
    {"customer": RUICHUAN, "applicant": "chenjing", "stage": "assigned",
     "items": [
         {"instrument_type": "数字多用表", "manufacturer": "Keysight", "model": "34465A", "serial_no": "MY60012345",
          "range_text": "直流电压 0～1000 V", "range_min": Decimal("0"), "range_max": Decimal("1000"), "unit": "V",
          "review": DMM, "condition": "外观完好，通电自检正常，附电源线一根",
          "job": ("ZY-DCV-01", DCV_EQUIPMENT)},
     ]},
    {"customer": HUAHE, "applicant": "xuliang", "stage": "signed_off",
     "items": [
         {"instrument_type": "电子天平", "manufacturer": "Mettler Toledo", "model": "ME204E", "serial_no": "B950187263",
          "range_text": "0～220 g，d = 0.1 mg", "range_min": Decimal("0"), "range_max": Decimal("220"), "unit": "g",
          "review": BALANCE, "condition": "外观完好，水平泡居中，附防风罩",
          "job": ("ZY-BAL-01", BALANCE_EQUIPMENT), "typed": ["0.0100", "50.0002", "100.0001", "200.0004"]},
     ]},
    {"customer": HENGTONG, "applicant": RECEPTION, "stage": "visit_booked", "location": "on_site",
     "on_site_address": "江苏省苏州市吴江区恒通大道101号 变压器总装车间",
     "notes": "油浸式变压器绕组测温用铂电阻，拆装不便，请到厂现场校准。",
     "items": [
         {"instrument_type": "工业铂热电阻", "manufacturer": "重庆川仪", "model": "WZP2-231 Pt100 A级",
          "serial_no": "HT-2024-0311", "range_text": "0～150 °C", "range_min": Decimal("0"),
          "range_max": Decimal("150"), "unit": "°C", "review": PRT},
         {"instrument_type": "工业铂热电阻", "manufacturer": "重庆川仪", "model": "WZP2-231 Pt100 A级",
          "serial_no": "HT-2024-0312", "range_text": "0～150 °C", "range_min": Decimal("0"),
          "range_max": Decimal("150"), "unit": "°C", "review": PRT},
     ]},
]

STAGES = ("submitted", "quoted", "awaiting_customer", "accepted", "visit_booked", "assigned", "signed_off")
ITEM_KEYS = ("instrument_type", "manufacturer", "model", "serial_no", "range_text", "range_min", "range_max", "unit")


def _past(stage: str, step: str) -> bool:
    """Whether an order meant to stop at ``stage`` goes on past ``step``."""
    return STAGES.index(stage) > STAGES.index(step)


def seed(today: dt.date) -> None:
    """Add the price list and the demo orders (idempotent)."""
    from django.contrib.auth import get_user_model

    from caltrace.orders.models import OrderItem

    users = {u.username: u for u in get_user_model().objects.filter(
        username__in=[RECEPTION, MANAGER, CALIBRATOR, "chenjing", "xuliang"])}
    if RECEPTION not in users or MANAGER not in users:
        return
    _seed_prices(users[MANAGER])
    for spec in ORDERS:
        first = spec["items"][0]
        if OrderItem.objects.filter(order__customer__credit_code=spec["customer"],
                                    serial_no=first["serial_no"]).exists():
            continue
        _seed_order(spec, users, today)


def _seed_prices(manager) -> None:
    from caltrace.orders.models import PriceListEntry
    from caltrace.orders.services import do_set_price

    for key, price, hours, rate, equipment, overhead in PRICES:
        scope_item = org_demo.scope_item(key)
        if PriceListEntry.objects.filter(scope_item=scope_item).exists():
            continue
        do_set_price(scope_item, price=Decimal(price), labour_hours=Decimal(hours), hourly_rate=Decimal(rate),
                     equipment_cost=Decimal(equipment), overhead_rate=Decimal(overhead), actor=manager)


def _seed_order(spec: dict, users: dict, today: dt.date) -> None:
    from caltrace.customers.models import CustomerOrganisation
    from caltrace.methods.models import MethodVersion
    from caltrace.orders import services as o
    from caltrace.orders.models import Deviation

    customer = CustomerOrganisation.objects.get(credit_code=spec["customer"])
    applicant, reception = users[spec["applicant"]], users[RECEPTION]
    contact = customer.contacts.filter(user=applicant).first() or customer.contacts.order_by("pk").first()
    stage = spec["stage"]
    order, _code = o.do_create_order(
        customer, actor=applicant, contact=contact, location=spec.get("location", "in_lab"),
        on_site_address=spec.get("on_site_address", ""), notes=spec.get("notes", ""),
        items=[{k: row[k] for k in ITEM_KEYS if k in row} for row in spec["items"]])
    order = o.do_submit_order(order, actor=applicant)
    if stage == "submitted":
        return
    pairs = list(zip(order.items.order_by("pk"), spec["items"]))
    for item, row in pairs:
        scope_key, (method, edition) = row["review"]
        version = MethodVersion.objects.get(method__code=method, edition=edition)
        o.do_review_item(item, scope_item=org_demo.scope_item(scope_key), method_version=version, actor=reception)
        if row.get("deviation"):
            kind, description, justification = row["deviation"]
            o.do_record_deviation(item, kind=kind, description=description, justification=justification,
                                  actor=reception)
    o.do_make_quote(order, actor=reception)
    if stage == "quoted":
        return
    o.do_complete_review(order, actor=reception)
    if stage == "awaiting_customer":
        return
    # a customer without a portal account accepts in writing; reception records it
    for deviation in Deviation.objects.filter(item__order=order, status="pending"):
        o.do_decide_deviation(deviation, accept=True, actor=applicant)
    evidence = "" if getattr(applicant, "customer_contact", None) else "客户盖章确认函 HT-2026-1107"
    order = o.do_accept_order(order, actor=applicant, customer_evidence=evidence)
    if order.on_site:
        o.do_book_appointment(order, visit_on=today + dt.timedelta(days=3), actor=reception)
        return
    if stage == "accepted":
        o.do_book_appointment(order, drop_off_on=today + dt.timedelta(days=2), pick_up_on=today + dt.timedelta(days=9),
                              actor=applicant)
        return
    o.do_book_appointment(order, drop_off_on=today, actor=applicant)
    for item, row in pairs:
        item.refresh_from_db()
        item = o.do_receive_item(item, actor=reception, condition=row["condition"])
        _seed_job(item, row, stage, users)


def _seed_job(item, row: dict, stage: str, users: dict) -> None:
    from django.utils import timezone

    from caltrace.calibration import demo as calibration_demo
    from caltrace.calibration import jobs
    from caltrace.calibration.models import Procedure
    from caltrace.equipment.models import Equipment
    from caltrace.people.models import Person

    code, uses = row["job"]
    procedure = Procedure.objects.filter(code=code).first()
    calibrator = Person.objects.filter(user__username=CALIBRATOR).first()
    if procedure is None or calibrator is None:
        return
    by_asset = {e.asset_no: e for e in Equipment.objects.filter(asset_no__in=[a for a, _r in uses])}
    job = jobs.do_assign_job(item, procedure=procedure, calibrator=calibrator,
                             equipment=[(by_asset[a], role) for a, role in uses], actor=users[RECEPTION])
    if not _past(stage, "assigned"):
        return
    user = users[CALIBRATOR]
    spec = calibration_demo.PROCEDURES[code]
    job = jobs.do_start_job(job, actor=user)
    started = timezone.now()
    jobs.do_job_conditions(job, [
        {"condition": c, "value": v, "unit": u, "at": (started + dt.timedelta(minutes=i)).isoformat()}
        for i, (c, v, u) in enumerate(spec["conditions"])], actor=user)
    jobs.do_job_fields(job, spec["fields"], actor=user)
    for point, value in zip(procedure.points.order_by("order"), row["typed"]):
        jobs.do_job_reading(job, point, value, point.unit, actor=user)
    jobs.do_sign_off_job(job, actor=user)
