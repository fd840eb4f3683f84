"""The certificate document (校准证书内容): everything a certificate states, in one value.

Both renderings, the signed PDF and the DCC XML, are built from a :class:`CertificateDocument`;
the document itself is built from the calibration record (CND-5: a certificate says what the
record says, and cannot be edited apart from it). :meth:`CertificateDocument.missing_elements`
names each element GB/T 27025 7.8.2.1 and 7.8.4.1 require that is absent (RPT-2), so that
generation fails loudly, naming the element, instead of issuing an incomplete certificate.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class Party:
    """The laboratory or the customer: name and address, in Chinese and English."""

    name: str
    address: str
    name_en: str = ""
    address_en: str = ""


@dataclass(frozen=True)
class ItemDescription:
    """The item calibrated (被校仪器) and its unique identification (SMP-2)."""

    name: str
    identification: str  # the lab's unique item id, carried through the whole process
    manufacturer: str = ""
    model: str = ""
    serial_no: str = ""
    name_en: str = ""
    condition_on_receipt: str = ""  # SMP-3
    receipt_deviation: str = ""  # SMP-3: deviation found on receipt, and what it may affect


@dataclass(frozen=True)
class MethodRef:
    designation: str  # "JJF 1587-2016"
    title: str
    title_en: str = ""


@dataclass(frozen=True)
class EquipmentUsed:
    """A measurement standard or instrument used, with its traceability (metrological traceability)."""

    asset_no: str
    name: str
    model: str = ""
    serial_no: str = ""
    certificate_no: str = ""  # its own calibration/verification certificate
    provider: str = ""  # who calibrated it (upstream)
    due_on: dt.date | None = None
    uncertainty: str = ""  # as stated, e.g. "U = 2 ppm, k = 2"


@dataclass(frozen=True)
class Condition:
    """An environmental condition during the calibration (conditions that affect results)."""

    quantity: str  # "温度"
    quantity_en: str  # "temperature"
    value: Decimal
    unit: str
    variation: Decimal | None = None  # ± during the calibration, if stated


@dataclass(frozen=True)
class ResultRow:
    """One calibration point: the reference value, the indication, the error, and U with k and p."""

    quantity: str  # "直流电压"
    quantity_en: str  # "DC voltage"
    unit: str  # pint-readable: "V", "g", "degC"
    reference_value: Decimal  # value of the standard (标准值)
    indication: Decimal  # indication of the item (示值)
    expanded_uncertainty: Decimal  # U, already rounded per ILAC-P14
    coverage_factor: Decimal  # k
    coverage_probability: Decimal = Decimal("0.95")
    error: Decimal | None = None  # indication − reference, if reported
    conformity: str = ""  # per point: "pass" | "conditional_pass" | "conditional_fail" | "fail" | ""


@dataclass(frozen=True)
class ConformityStatement:
    """A statement of conformity with the decision rule chosen at contract time (GB/T 27025 7.8.6)."""

    specification: str  # what the limits come from, e.g. "制造商技术指标 ±(0.0035 % 读数 + 0.0005 % 量程)"
    decision_rule: str  # "simple_acceptance" | "guard_band_u" | "non_binary"
    decision_rule_text: str
    decision_rule_text_en: str
    outcome: str  # "pass" | "conditional_pass" | "conditional_fail" | "fail"


@dataclass(frozen=True)
class Amendment:
    """This certificate replaces another (RPT-3, GB/T 27025 7.8.8)."""

    replaces_number: str
    reason: str
    reason_en: str = ""


@dataclass(frozen=True)
class CertificateDocument:
    number: str  # unique identification, printed on every page
    title: str  # "校准证书"
    title_en: str  # "Calibration Certificate"
    laboratory: Party
    customer: Party
    item: ItemDescription
    methods: tuple[MethodRef, ...]
    received_on: dt.date | None
    calibrated_on: dt.date | None
    issued_on: dt.date | None
    location: str  # where the calibration was performed (lab room or customer's premises)
    results: tuple[ResultRow, ...]
    conditions: tuple[Condition, ...]
    equipment: tuple[EquipmentUsed, ...]
    traceability_statement: str
    calibrator: str
    reviewer: str
    signatory: str  # the person authorizing the certificate
    signatory_title: str = "授权签字人"
    item_only_statement: str = "本证书的校准结果仅对所校准的对象有效。"
    item_only_statement_en: str = "The results relate only to the item calibrated."
    traceability_statement_en: str = ""
    location_en: str = ""
    calibrated_until: dt.date | None = None  # a calibration over several days
    conformity: ConformityStatement | None = None
    amendment: Amendment | None = None
    verification_url: str = ""  # public page the QR code points to
    remarks: tuple[str, ...] = field(default=())
    performance_location: str = "laboratory"  # DCC performanceLocation: "laboratory" | "customer" (on site) | …

    # (attribute, element name in GB/T 27025 7.8.2.1 / 7.8.4.1 terms)
    REQUIRED = (
        ("number", "unique identification (7.8.2.1 c)"),
        ("title", "title (7.8.2.1 a)"),
        ("laboratory", "name and address of the laboratory (7.8.2.1 b)"),
        ("location", "location of the laboratory activity (7.8.2.1 b)"),
        ("customer", "name and contact information of the customer (7.8.2.1 d)"),
        ("methods", "identification of the method used (7.8.2.1 e)"),
        ("item", "description and identification of the item (7.8.2.1 f)"),
        ("received_on", "date of receipt of the item (7.8.2.1 g)"),
        ("calibrated_on", "date of performance of the laboratory activity (7.8.2.1 h)"),
        ("issued_on", "date of issue of the report (7.8.2.1 i)"),
        ("item_only_statement", "statement that the results relate only to the item (7.8.2.1 k)"),
        ("results", "results with units of measurement (7.8.2.1 l)"),
        ("signatory", "identification of the person authorizing the report (7.8.2.1 o)"),
        ("conditions", "conditions under which the calibration was made (7.8.4.1 b)"),
        ("traceability_statement", "statement of metrological traceability (7.8.4.1 c)"),
        ("equipment", "measuring equipment used, with its traceability (7.8.4.1 c)"),
    )

    def missing_elements(self) -> list[str]:
        """The required elements that are absent, by name; empty when the certificate is complete."""
        missing = []
        for attr, label in self.REQUIRED:
            value = getattr(self, attr)
            if value is None or value == "" or value == ():
                missing.append(label)
            elif isinstance(value, Party) and not (value.name and value.address):
                missing.append(label)
            elif isinstance(value, ItemDescription) and not (value.name and value.identification):
                missing.append(label)
        for row in self.results:
            if not row.unit:
                missing.append(f"unit of the result at {row.reference_value} (7.8.2.1 l)")
            if row.expanded_uncertainty is None or row.coverage_factor is None:
                missing.append(f"measurement uncertainty at {row.reference_value} {row.unit} (7.8.4.1 a)")
        if self.conformity is not None and not (self.conformity.specification and self.conformity.decision_rule):
            missing.append("specification and decision rule of the conformity statement (7.8.6.2)")
        return missing


class IncompleteCertificate(Exception):
    """Generation refused: the document lacks elements GB/T 27025 7.8 requires (RPT-2)."""

    def __init__(self, missing: list[str]):
        self.missing = missing
        super().__init__("certificate lacks: " + "; ".join(missing))


def require_complete(doc: CertificateDocument) -> None:
    missing = doc.missing_elements()
    if missing:
        raise IncompleteCertificate(missing)
