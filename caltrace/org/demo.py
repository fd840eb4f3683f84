"""The org app's part of the demo lab (called by caltrace.demo.seed first among the app parts).

It adds the qualification certificates and their scope annex: a CNAS accreditation valid for
years with the items the demo procedures calibrate under, a metrology authorization that renewed
an older one, and that older, EXPIRED authorization with an item the public page must leave out.
It also fills in the English names and room locations the base data lacks. Dates are relative to
``today``; certificate numbers and addresses are fictional. Idempotent: every record is looked up
by its natural key, and an existing one is changed only where a field is still empty.

Other apps' demo parts find scope items by (certificate number, item code), e.g.
``scope_item(DMM_DCV_ITEM)``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from caltrace.demo import data

from .choices import CmcForm, MetrologyField, QualificationCertificateKind
from .models import Agency, QualificationCertificate, ScopeItem, Site
from .services import (
    do_add_qualification_certificate,
    do_add_scope_item,
    do_update_room,
    do_update_site,
)

CNAS_CERT = "CNAS L15672"
AUTH_CERT = "苏法计 320500-01057"
EXPIRED_AUTH_CERT = "苏法计 320500-00872"

# (certificate number, item code) of the scope items other demo parts refer to.
DMM_DCV_ITEM = (CNAS_CERT, "E-01")  # digital multimeters, DC voltage, JJF 1587, main site
CALIBRATOR_DCV_ITEM = (CNAS_CERT, "E-02")  # multifunction calibrators, DC voltage, JJF 1638, main site
BALANCE_ITEM = (CNAS_CERT, "M-01")  # electronic balances, mass, JJG 1036, main site
TEMPERATURE_ITEM = (CNAS_CERT, "T-01")  # industrial PRTs and temperature sensors, JJG 229 / JJF 1171, Wujiang
BALANCE_VERIFICATION_ITEM = (AUTH_CERT, "A-01")  # electronic balances under the metrology authorization
EXPIRED_WEIGHTS_ITEM = (EXPIRED_AUTH_CERT, "A-01")  # weights: the authorization expired, never on the public page

CNAS = ("中国合格评定国家认可委员会", "China National Accreditation Service for Conformity Assessment")
JIANGSU_SAMR = ("江苏省市场监督管理局", "Jiangsu Administration for Market Regulation")

SITE_ENGLISH = {
    data.MAIN_SITE: ("Headquarters laboratory", "No. 8 Hengzhun Road, Suzhou Industrial Park, Suzhou, Jiangsu"),
    data.WUJIANG_SITE: ("Wujiang temperature laboratory",
                        "Building 2, No. 66 Mingheng Road, Wujiang District, Suzhou, Jiangsu"),
}
ROOM_LOCATIONS = {  # room code: (building, floor)
    "E101": ("1号楼", "1层"), "M102": ("1号楼", "1层"), "C104": ("1号楼", "1层"), "R001": ("1号楼", "1层"),
    "WJ-T101": ("2号楼", "1层"), "WJ-R001": ("2号楼", "1层"),
}


def _years(day: dt.date, n: int) -> dt.date:
    try:
        return day.replace(year=day.year + n)
    except ValueError:  # 29 February
        return day.replace(year=day.year + n, day=28)


def _certificates(today: dt.date) -> list[dict]:
    day = dt.timedelta(days=1)
    renewal = _years(today, -2)
    return [
        {"number": CNAS_CERT, "kind": QualificationCertificateKind.ACCREDITATION, "issuer": CNAS,
         "valid_from": _years(today, -2), "valid_until": _years(today, 4) - day},
        {"number": EXPIRED_AUTH_CERT, "kind": QualificationCertificateKind.AUTHORIZATION, "issuer": JIANGSU_SAMR,
         "valid_from": _years(today, -7), "valid_until": renewal - day},
        {"number": AUTH_CERT, "kind": QualificationCertificateKind.AUTHORIZATION, "issuer": JIANGSU_SAMR,
         "valid_from": renewal, "valid_until": _years(today, 3) - day, "replaces": EXPIRED_AUTH_CERT},
    ]


# Scope items: certificate, code, and the service's fields; methods by code, sites by name.
ITEMS = [
    {"key": DMM_DCV_ITEM, "field": MetrologyField.ELECTRICAL, "quantity": "直流电压", "quantity_en": "DC voltage",
     "item_type": "数字多用表", "item_type_en": "Digital multimeters",
     "range_min": Decimal("0"), "range_max": Decimal("1000"), "bipolar": True, "unit": "V",
     # a 5522A-based service: the calibrator's one-year specification (u up to 11 mV at 1000 V) fits under it
     "cmc_form": CmcForm.LINEAR, "cmc_a": Decimal("0.00002"), "cmc_b": Decimal("0.000025"),
     "cmc_text": "U = 2.5×10⁻⁵·x + 20 μV, k = 2", "methods": ["JJF 1587"], "sites": [data.MAIN_SITE]},
    {"key": CALIBRATOR_DCV_ITEM, "field": MetrologyField.ELECTRICAL, "quantity": "直流电压",
     "quantity_en": "DC voltage", "item_type": "多功能标准源", "item_type_en": "Multifunction calibrators",
     "range_min": Decimal("0"), "range_max": Decimal("1000"), "bipolar": True, "unit": "V",
     "cmc_form": CmcForm.RELATIVE, "cmc_b": Decimal("0.000012"), "cmc_text": "Urel = 1.2×10⁻⁵, k = 2",
     "methods": ["JJF 1638"], "sites": [data.MAIN_SITE]},
    {"key": BALANCE_ITEM, "field": MetrologyField.MECHANICAL, "quantity": "质量", "quantity_en": "Mass",
     "item_type": "电子天平", "item_type_en": "Electronic balances",
     "range_min": Decimal("0"), "range_max": Decimal("220"), "unit": "g",
     "cmc_form": CmcForm.ABSOLUTE, "cmc_a": Decimal("0.0004"), "cmc_text": "U = 0.4 mg, k = 2",
     "methods": ["JJG 1036"], "sites": [data.MAIN_SITE]},
    {"key": TEMPERATURE_ITEM, "field": MetrologyField.THERMAL, "quantity": "温度", "quantity_en": "Temperature",
     "item_type": "工业铂热电阻、温度传感器（恒温槽比较法）",
     "item_type_en": "Industrial platinum resistance thermometers and temperature sensors (comparison in baths)",
     "range_min": Decimal("-40"), "range_max": Decimal("300"), "unit": "°C",
     "cmc_form": CmcForm.ABSOLUTE, "cmc_a": Decimal("0.05"), "cmc_text": "U = 0.05 °C, k = 2",
     "methods": ["JJG 229", "JJF 1171"], "sites": [data.WUJIANG_SITE]},
    {"key": BALANCE_VERIFICATION_ITEM, "field": MetrologyField.MECHANICAL, "quantity": "质量（检定）",
     "quantity_en": "Mass (verification)", "item_type": "电子天平（Ⅰ级、Ⅱ级）",
     "item_type_en": "Electronic balances (classes I and II)",
     "range_min": Decimal("0"), "range_max": Decimal("220"), "unit": "g",
     "cmc_form": CmcForm.ABSOLUTE, "cmc_a": Decimal("0.0004"), "cmc_text": "U = 0.4 mg, k = 2",
     "methods": ["JJG 1036"], "sites": [data.MAIN_SITE]},
    {"key": EXPIRED_WEIGHTS_ITEM, "field": MetrologyField.MECHANICAL, "quantity": "质量", "quantity_en": "Mass",
     "item_type": "砝码（M1 等级）", "item_type_en": "Weights (class M1)",
     "range_min": Decimal("0.001"), "range_max": Decimal("20000"), "unit": "g",
     "cmc_form": CmcForm.RELATIVE, "cmc_b": Decimal("0.000017"), "cmc_text": "Urel = 1.7×10⁻⁵, k = 2",
     "methods": ["JJG 99"], "sites": [data.MAIN_SITE]},
]


def scope_item(key: tuple[str, str]) -> ScopeItem:
    """The demo scope item for a key such as DMM_DCV_ITEM."""
    number, code = key
    return ScopeItem.objects.select_related("certificate").get(certificate__number=number, code=code)


def seed(today: dt.date) -> None:
    """Add this app's demo records (idempotent)."""
    from caltrace.methods.models import Method

    agency = Agency.objects.get(credit_code=data.AGENCY["credit_code"])
    sites = {s.name: s for s in agency.sites.all()}
    _complete_premises(agency, sites)

    certs: dict[str, QualificationCertificate] = {}
    for row in _certificates(today):
        cert = QualificationCertificate.objects.filter(number=row["number"]).first()
        if cert is None:
            issuer, issuer_en = row["issuer"]
            replaces = certs.get(row.get("replaces", ""))
            cert = do_add_qualification_certificate(
                agency, kind=row["kind"], number=row["number"], issuer=issuer, issuer_en=issuer_en,
                valid_from=row["valid_from"], valid_until=row["valid_until"], replaces=replaces)
        certs[cert.number] = cert

    for row in ITEMS:
        number, code = row["key"]
        if ScopeItem.objects.filter(certificate=certs[number], code=code).exists():
            continue
        fields = {k: v for k, v in row.items() if k not in ("key", "methods", "sites")}
        methods = [Method.objects.get(code=c) for c in row["methods"]]
        do_add_scope_item(certs[number], code=code, methods=methods, sites=[sites[n] for n in row["sites"]],
                          **fields)


def _complete_premises(agency: Agency, sites: dict[str, Site]) -> None:
    """English names of the sites and locations of the rooms, where the base data left them empty."""
    for name, (name_en, address_en) in SITE_ENGLISH.items():
        site = sites.get(name)
        if site is not None and not site.name_en and not site.address_en:
            sites[name] = do_update_site(site, name_en=name_en, address_en=address_en)
    for site in sites.values():
        for room in site.rooms.all():
            building, floor = ROOM_LOCATIONS.get(room.code, ("", ""))
            if building and not room.building and not room.floor:
                do_update_room(room, building=building, floor=floor)
