"""The Digital Calibration Certificate (DCC 3.3.0, PTB schema) of a certificate document.

:func:`build_dcc` renders a :class:`~caltrace.certificates.document.CertificateDocument` as DCC XML,
the same document the PDF is rendered from (CND-5), so the two say the same thing. Numbers are
written as exact decimal strings from the document's ``Decimal`` values (no float round trip);
units are mapped from the document's pint-style strings to D-SI syntax by :data:`DSI_UNITS`.

The product ships no copy of the schema; ``caltrace dcc fetch-schema`` downloads it
(:mod:`caltrace.certificates.dcc_schema`).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from lxml import etree

from .document import CertificateDocument, Condition, Party, ResultRow, require_complete

DCC_NS = "https://ptb.de/dcc"
SI_NS = "https://ptb.de/si"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_VERSION = "3.3.0"
SCHEMA_LOCATION = "https://ptb.de/dcc https://ptb.de/dcc/v3.3.0/dcc.xsd"
NSMAP = {"dcc": DCC_NS, "si": SI_NS, "xsi": XSI_NS}
LANGS = ("zh", "en")
MANDATORY_LANG = "zh"
COUNTRY = "CN"

# pint-style unit strings used in documents → D-SI unit strings.
DSI_UNITS: dict[str, str] = {
    # electrical
    "V": r"\volt", "kV": r"\kilo\volt", "mV": r"\milli\volt", "uV": r"\micro\volt", "µV": r"\micro\volt",
    "A": r"\ampere", "mA": r"\milli\ampere", "uA": r"\micro\ampere", "µA": r"\micro\ampere",
    "ohm": r"\ohm", "Ω": r"\ohm", "kohm": r"\kilo\ohm", "kΩ": r"\kilo\ohm", "Mohm": r"\mega\ohm",
    "MΩ": r"\mega\ohm", "mohm": r"\milli\ohm",
    "Hz": r"\hertz", "kHz": r"\kilo\hertz", "MHz": r"\mega\hertz",
    "W": r"\watt", "F": r"\farad", "uF": r"\micro\farad", "nF": r"\nano\farad", "pF": r"\pico\farad",
    "H": r"\henry", "mH": r"\milli\henry",
    # mass, length, force, pressure, time
    "kg": r"\kilogram", "g": r"\gram", "mg": r"\milli\gram",
    "m": r"\metre", "mm": r"\milli\metre", "um": r"\micro\metre", "µm": r"\micro\metre",
    "N": r"\newton", "kN": r"\kilo\newton", "N*m": r"\newton\metre",
    "Pa": r"\pascal", "kPa": r"\kilo\pascal", "MPa": r"\mega\pascal",
    "s": r"\second", "ms": r"\milli\second", "min": r"\minute",
    "m/s": r"\metre\second\tothe{-1}", "mm/s": r"\milli\metre\second\tothe{-1}",
    # temperature, ratios
    "degC": r"\degreecelsius", "°C": r"\degreecelsius", "K": r"\kelvin",
    "percent": r"\percent", "%": r"\percent",
    "dimensionless": r"\one", "": r"\one",
}


class DCCError(ValueError):
    """The document cannot be expressed as a DCC (e.g. a unit with no D-SI mapping)."""


def dsi_unit(unit: str) -> str:
    """The D-SI unit string for a pint-style unit string; :class:`DCCError` naming it if unmapped."""
    key = unit.strip()
    if key not in DSI_UNITS:
        raise DCCError(f"unit {unit!r} has no D-SI mapping (add it to caltrace.certificates.dcc.DSI_UNITS)")
    return DSI_UNITS[key]


def decimal_text(value: Decimal) -> str:
    """An exact, exponent-free decimal string (``Decimal("1E+1")`` → ``"10"``)."""
    if not isinstance(value, Decimal):
        value = Decimal(str(value))
    if not value.is_finite():
        raise DCCError(f"value {value} is not a finite number")
    return format(value, "f")


# --- element helpers -------------------------------------------------------------------------------


def _d(parent, tag, text=None, **attrib):
    el = etree.SubElement(parent, f"{{{DCC_NS}}}{tag}", attrib)
    if text is not None:
        el.text = text
    return el


def _si(parent, tag, text=None):
    el = etree.SubElement(parent, f"{{{SI_NS}}}{tag}")
    if text is not None:
        el.text = text
    return el


def _text(parent, tag, zh="", en=""):
    """A dcc:textType/richContentType element with a content per language that has text."""
    el = _d(parent, tag)
    pairs = [("zh", zh), ("en", en)] if (zh or en) else [("zh", "-")]
    for lang, text in pairs:
        if text:
            _d(el, "content", text, lang=lang)
    return el


def _date(value: dt.date) -> str:
    return value.isoformat()


def _contact(parent, tag, party: Party):
    el = _d(parent, tag)
    _text(el, "name", party.name, party.name_en)
    loc = _d(el, "location")
    _d(loc, "countryCode", COUNTRY)
    _text(loc, "further", party.address, party.address_en)
    return el


def _identification(parent, issuer, value, zh, en):
    ident = _d(parent, "identification")
    _d(ident, "issuer", issuer)
    _d(ident, "value", value)
    _text(ident, "name", zh, en)


def _real(parent, value: Decimal, unit: str, label: str = "", *, expanded: ResultRow | None = None):
    real = _si(parent, "real")
    if label:
        _si(real, "label", label)
    _si(real, "value", decimal_text(value))
    _si(real, "unit", dsi_unit(unit))
    if expanded is not None:
        unc = _si(real, "expandedUnc")
        _si(unc, "uncertainty", decimal_text(expanded.expanded_uncertainty))
        _si(unc, "coverageFactor", decimal_text(expanded.coverage_factor))
        _si(unc, "coverageProbability", decimal_text(expanded.coverage_probability))
    return real


def _quantity(parent, zh, en, value, unit, label="", *, expanded=None, ref_type=None):
    q = _d(parent, "quantity", **({"refType": ref_type} if ref_type else {}))
    _text(q, "name", zh, en)
    _real(q, value, unit, label, expanded=expanded)
    return q


# --- sections --------------------------------------------------------------------------------------

PERFORMANCE_LOCATIONS = ("laboratory", "customer", "laboratoryBranch", "customerBranch", "other")
CONFORMITY = {"pass": "pass", "fail": "fail", "conditional_pass": "conditionalPass",
              "conditional_fail": "conditionalFail"}


def _core_data(admin, doc: CertificateDocument):
    core = _d(admin, "coreData")
    _d(core, "countryCodeISO3166_1", COUNTRY)
    for lang in LANGS:
        _d(core, "usedLangCodeISO639_1", lang)
    _d(core, "mandatoryLangCodeISO639_1", MANDATORY_LANG)
    _d(core, "uniqueIdentifier", doc.number)
    if doc.received_on:
        _d(core, "receiptDate", _date(doc.received_on))
    _d(core, "beginPerformanceDate", _date(doc.calibrated_on))
    _d(core, "endPerformanceDate", _date(doc.calibrated_until or doc.calibrated_on))
    kind = doc.performance_location or "laboratory"
    if kind not in PERFORMANCE_LOCATIONS:
        raise DCCError(f"performance location {kind!r} is not one of {', '.join(PERFORMANCE_LOCATIONS)}")
    _d(core, "performanceLocation", kind)
    if doc.issued_on:
        _d(core, "issueDate", _date(doc.issued_on))
    if doc.amendment is not None:
        ras = _d(core, "reportAmendedSubstituted")
        _d(ras, "typeOfChange", "substituted")  # RPT-3: a new certificate replaces the old one
        _d(ras, "replacedUniqueIdentifier", doc.amendment.replaces_number)


def _items(admin, doc: CertificateDocument):
    item = doc.item
    el = _d(_d(admin, "items"), "item")
    _text(el, "name", item.name, item.name_en)
    description = [t for t in (item.condition_on_receipt, item.receipt_deviation) if t]
    if description:
        desc = _d(el, "description")
        for t in description:
            _d(desc, "content", t, lang="zh")
    if item.manufacturer:
        _text(_d(el, "manufacturer"), "name", item.manufacturer)
    if item.model:
        _d(el, "model", item.model)
    idents = _d(el, "identifications")
    _identification(idents, "calibrationLaboratory", item.identification, "样品编号", "Item identification")
    if item.serial_no:
        _identification(idents, "manufacturer", item.serial_no, "出厂编号", "Serial number")


def _resp_persons(admin, doc: CertificateDocument):
    persons = _d(admin, "respPersons")
    for name, role, main in ((doc.calibrator, "校准员 / Calibrator", False),
                             (doc.reviewer, "核验员 / Reviewer", False),
                             (doc.signatory, f"{doc.signatory_title} / Authorized signatory", True)):
        if not name:
            continue
        rp = _d(persons, "respPerson")
        _text(_d(rp, "person"), "name", name)
        _d(rp, "role", role)
        if main:
            _d(rp, "mainSigner", "true")


def _statements(admin, doc: CertificateDocument):
    st = _d(admin, "statements")

    s = _d(st, "statement", refType="caltrace_traceability")
    _text(s, "name", "计量溯源性", "Metrological traceability")
    _d(s, "traceable", "true")
    _text(s, "declaration", doc.traceability_statement, doc.traceability_statement_en)

    s = _d(st, "statement", refType="caltrace_itemOnly")
    _text(s, "name", "结果适用范围", "Scope of the results")
    _text(s, "declaration", doc.item_only_statement, doc.item_only_statement_en)

    if doc.location or doc.location_en:
        s = _d(st, "statement", refType="caltrace_performanceLocation")
        _text(s, "name", "校准地点", "Location of calibration")
        _text(s, "declaration", doc.location, doc.location_en)

    if doc.conformity is not None:
        c = doc.conformity
        s = _d(st, "statement", refType="basic_conformity")
        _text(s, "name", "符合性声明", "Statement of conformity")
        _text(s, "description", c.specification)
        _d(s, "convention", c.decision_rule)
        _text(s, "declaration", c.decision_rule_text, c.decision_rule_text_en)
        if c.outcome not in CONFORMITY:
            raise DCCError(f"conformity outcome {c.outcome!r} is not one of {', '.join(CONFORMITY)}")
        _d(s, "conformity", CONFORMITY[c.outcome])

    if doc.amendment is not None:
        a = doc.amendment
        s = _d(st, "statement", refType="caltrace_amendment")
        _text(s, "name", f"本证书替代 {a.replaces_number}", f"This certificate replaces {a.replaces_number}")
        _text(s, "declaration", a.reason, a.reason_en)

    for remark in doc.remarks:
        s = _d(st, "statement", refType="caltrace_remark")
        _text(s, "name", "备注", "Remark")
        _text(s, "declaration", remark)

    if doc.verification_url:
        s = _d(st, "statement", refType="caltrace_verification")
        _text(s, "name", "证书验证", "Certificate verification")
        _d(s, "link", doc.verification_url)


def _condition(parent, cond: Condition):
    el = _d(parent, "influenceCondition")
    _text(el, "name", cond.quantity, cond.quantity_en)
    data = _d(el, "data")
    _quantity(data, "测量值", "Value", cond.value, cond.unit)
    if cond.variation is not None:
        _quantity(data, "变化范围（±）", "Variation (±)", cond.variation, cond.unit)


def _measurement_results(root, doc: CertificateDocument):
    mrs = _d(root, "measurementResults")
    methods = _d(mrs, "usedMethods")
    for m in doc.methods:
        um = _d(methods, "usedMethod")
        _text(um, "name", m.title, m.title_en)
        _d(um, "norm", m.designation)

    eqs = _d(mrs, "measuringEquipments")
    for e in doc.equipment:
        me = _d(eqs, "measuringEquipment")
        _text(me, "name", e.name)
        notes = []
        if e.uncertainty:
            notes.append(("zh", f"不确定度：{e.uncertainty}"))
        if e.provider:
            notes.append(("zh", f"溯源机构：{e.provider}"))
        if e.due_on:
            notes.append(("zh", f"有效期至：{_date(e.due_on)}"))
        if notes:
            desc = _d(me, "description")
            for lang, t in notes:
                _d(desc, "content", t, lang=lang)
        if e.model:
            _d(me, "model", e.model)
        idents = _d(me, "identifications")
        _identification(idents, "calibrationLaboratory", e.asset_no, "设备编号", "Asset number")
        if e.serial_no:
            _identification(idents, "manufacturer", e.serial_no, "出厂编号", "Serial number")
        if e.certificate_no:
            _identification(idents, "other", e.certificate_no, "校准/检定证书编号",
                            "Calibration certificate number")

    conds = _d(mrs, "influenceConditions")
    for c in doc.conditions:
        _condition(conds, c)

    # one measurementResult per quantity, points in document order
    groups: dict[tuple[str, str], list[ResultRow]] = {}
    for row in doc.results:
        groups.setdefault((row.quantity, row.quantity_en), []).append(row)
    for (zh, en), rows in groups.items():
        mr = _d(mrs, "measurementResult")
        _text(mr, "name", zh, en)
        result = _d(_d(mr, "results"), "result")
        _text(result, "name", zh, en)
        outer = _d(_d(result, "data"), "list")
        _text(outer, "name", "校准点", "Calibration points")
        for i, row in enumerate(rows, 1):
            point = _d(outer, "list", refType="caltrace_calibrationPoint")
            _text(point, "name", f"校准点 {i}", f"Point {i}")
            _quantity(point, "标准值", "Reference value", row.reference_value, row.unit,
                      ref_type="basic_referenceValue")
            # U belongs to the reported error when there is one, else to the indication.
            _quantity(point, "示值", "Indication", row.indication, row.unit, ref_type="basic_measuredValue",
                      expanded=None if row.error is not None else row)
            if row.error is not None:
                _quantity(point, "示值误差", "Error of indication", row.error, row.unit,
                          ref_type="basic_measurementError", expanded=row)
            if row.conformity:
                if row.conformity not in CONFORMITY:
                    raise DCCError(f"conformity {row.conformity!r} at {row.reference_value} {row.unit} "
                                   f"is not one of {', '.join(CONFORMITY)}")
                md = _d(_d(point, "measurementMetaData"), "metaData", refType="basic_conformity")
                _text(md, "name", "符合性", "Conformity")
                _d(md, "conformity", CONFORMITY[row.conformity])


def build_dcc(doc: CertificateDocument) -> bytes:
    """The DCC 3.3.0 XML of ``doc``, UTF-8 with an XML declaration.

    Refuses an incomplete document (:class:`IncompleteCertificate`) and raises :class:`DCCError`
    for what DCC cannot express (an unmapped unit, an unknown conformity outcome).
    """
    from caltrace import __version__

    require_complete(doc)
    root = etree.Element(f"{{{DCC_NS}}}digitalCalibrationCertificate", nsmap=NSMAP)
    root.set("schemaVersion", SCHEMA_VERSION)
    root.set(f"{{{XSI_NS}}}schemaLocation", SCHEMA_LOCATION)

    admin = _d(root, "administrativeData")
    sw = _d(_d(admin, "dccSoftware"), "software")
    _text(sw, "name", en="caltrace")
    _d(sw, "release", __version__)
    _d(sw, "type", "application")
    _core_data(admin, doc)
    _items(admin, doc)
    _contact(_d(admin, "calibrationLaboratory"), "contact", doc.laboratory)
    _resp_persons(admin, doc)
    _contact(admin, "customer", doc.customer)
    _statements(admin, doc)
    _measurement_results(root, doc)
    body = etree.tostring(root, encoding="UTF-8", pretty_print=True)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + body
