"""The certificate document built from a signed-off raw record (CND-5).

Results, uncertainties, equipment, conditions, method, dates of calibration and the calibrator
all come from the record; what the record cannot know (the certificate number, the customer,
the item's description, the date of receipt, who reviewed and who signs, the conformity
specification agreed at contract time) comes in an :class:`IssueContext`. Nothing else: a
certificate cannot say what the record does not (CND-5 compares the two again at issue).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from caltrace.calibration.choices import EquipmentRole

from .document import (CertificateDocument, Condition, EquipmentUsed, ItemDescription, MethodRef, Party,
                       ResultRow)

TRACEABILITY_ZH = "本次校准所用测量标准的量值经上级计量技术机构校准或检定，可溯源至国家计量基准和国际单位制（SI）。"
TRACEABILITY_EN = ("The measurement standards used are calibrated or verified by higher-level metrology institutes "
                   "and are traceable to the national primary standards and to the SI.")
IN_LAB_LOCATION = "laboratory"
ON_SITE_LOCATION = "customer"


@dataclass(frozen=True)
class IssueContext:
    """What a certificate states that the record does not hold."""

    number: str
    customer: Party
    item: ItemDescription
    received_on: dt.date
    reviewer: str
    signatory: str
    issued_on: dt.date | None = None  # default: today
    signatory_title: str = "授权签字人"
    conformity: tuple | None = None  # (calibration.conformity.Specification, DecisionRule value)
    remarks: tuple[str, ...] = field(default=())


def _text(d) -> Decimal:
    return Decimal(str(d))


def laboratory_party(record) -> Party:
    """The laboratory: the agency of the record's site (or of the scope item's certificate)."""
    site = record.site
    agency = site.agency if site is not None else (record.scope_item.certificate.agency if record.scope_item else None)
    if agency is None:
        from caltrace.org.models import Agency

        agency = Agency.objects.order_by("pk").first()
    if agency is None:
        return Party("", "")
    address = site.address if site is not None and site.address else agency.address
    address_en = site.address_en if site is not None else ""
    return Party(agency.name, address, agency.name_en, address_en)


def _location(record) -> tuple[str, str, str]:
    if record.on_site:
        return "客户现场", "at the customer's premises", ON_SITE_LOCATION
    site = record.site
    if site is None:
        return "", "", IN_LAB_LOCATION
    return site.name, site.name_en or site.name, IN_LAB_LOCATION


def _equipment(record, on: dt.date) -> tuple[EquipmentUsed, ...]:
    from caltrace.equipment.selectors import valid_records

    uses = list(record.equipment_uses.select_related("equipment").order_by("id"))
    certs = {}
    for rec in valid_records(on).filter(equipment_id__in=[u.equipment_id for u in uses]).order_by("performed_on", "id"):
        certs[rec.equipment_id] = rec  # the latest wins
    stated = {}
    for row in record.results:
        ref = row.get("reference_certificate")
        if ref:
            stated.setdefault(ref["equipment_id"], ref["basis"])
    out = []
    for use in uses:
        if use.role == EquipmentRole.ENVIRONMENT:
            continue
        eq, cert = use.equipment, certs.get(use.equipment_id)
        out.append(EquipmentUsed(
            asset_no=eq.asset_no, name=eq.name, model=" ".join(p for p in (eq.manufacturer, eq.model) if p),
            serial_no=eq.serial_no, certificate_no=cert.certificate_no if cert else "",
            provider=cert.provider if cert else "", due_on=cert.due_on if cert else None,
            uncertainty=eq.accuracy or stated.get(eq.pk, "")))
    return tuple(out)


def _conditions(record) -> tuple[Condition, ...]:
    from caltrace.methods.environment import CONDITION_EN
    from caltrace.methods.choices import Condition as C

    grouped: dict[tuple[str, str], list[Decimal]] = {}
    for c in record.conditions:
        grouped.setdefault((c["condition"], c.get("unit", "")), []).append(Decimal(c["value"]))
    out = []
    for (key, unit), values in grouped.items():
        zh = str(C(key).label) if key in C.values else key.removeprefix("other:")
        en = CONDITION_EN.get(key, key.removeprefix("other:"))
        mid = (max(values) + min(values)) / 2
        spread = (max(values) - min(values)) / 2
        out.append(Condition(zh, en, mid.quantize(Decimal("0.1")) if unit in ("°C", "degC", "%") else mid,
                             "percent" if unit == "%" else unit, spread.quantize(Decimal("0.1")) if spread else None))
    return tuple(out)


def _person_name(user) -> str:
    if user is None:
        return ""
    from caltrace.people.models import Person

    person = Person.objects.filter(user=user).only("name").first()
    return person.name if person else (user.get_full_name() or user.get_username())


def result_rows(record, outcomes=()) -> tuple[ResultRow, ...]:
    procedure = record.procedure
    rows = []
    for i, r in enumerate(record.results):
        reported = r["reported"]
        rows.append(ResultRow(
            quantity=procedure.quantity, quantity_en=_quantity_en(procedure),
            unit=r["unit"], reference_value=_text(r["reported_reference"]),
            indication=_text(r["reported_indication"]), expanded_uncertainty=_text(reported["U"]),
            coverage_factor=_text(reported["k"]), coverage_probability=(_text(reported["p"]) / 100).quantize(
                Decimal("0.0001")),
            error=_text(reported["value"]), conformity=str(outcomes[i]) if i < len(outcomes) else ""))
    return tuple(rows)


QUANTITY_EN = {"直流电压": "DC voltage", "质量": "mass", "温度": "temperature", "交流电压": "AC voltage",
               "直流电流": "DC current", "电阻": "resistance"}


def _quantity_en(procedure) -> str:
    return QUANTITY_EN.get(procedure.quantity, procedure.quantity)


def _conformity(record, ctx: IssueContext):
    if ctx.conformity is None:
        return None, ()
    from caltrace.calibration import conformity

    spec, rule = ctx.conformity
    rows = [(Decimal(r["nominal"]), Decimal(r["reported"]["value"]), Decimal(r["reported"]["U"])) for r in record.results]
    outcomes = conformity.assess_points(rows, spec, rule)
    return conformity.statement(spec, rule, outcomes), tuple(outcomes)


def document_from_record(record, ctx: IssueContext) -> CertificateDocument:
    """The certificate document of a signed-off ``record``. Raises ValueError for a draft record."""
    if record.is_draft or not record.results:
        raise ValueError(f"record {record.pk} is not signed off: a certificate is built from a signed-off record")
    version = record.procedure.method_version
    method = version.method
    zh, en, performance = _location(record)
    started = timezone.localtime(record.started_at).date()
    finished = timezone.localtime(record.finished_at).date() if record.finished_at else started
    statement, outcomes = _conformity(record, ctx)
    return CertificateDocument(
        number=ctx.number, title="校准证书", title_en="Calibration Certificate",
        laboratory=laboratory_party(record), customer=ctx.customer, item=ctx.item,
        methods=(MethodRef(f"{method.code}-{version.edition}", method.title, getattr(method, "title_en", "")),),
        received_on=ctx.received_on, calibrated_on=started, calibrated_until=finished if finished != started else None,
        issued_on=ctx.issued_on or timezone.localdate(), location=zh, location_en=en,
        performance_location=performance, results=result_rows(record, outcomes), conditions=_conditions(record),
        equipment=_equipment(record, started), traceability_statement=TRACEABILITY_ZH,
        traceability_statement_en=TRACEABILITY_EN, calibrator=_person_name(record.started_by),
        reviewer=ctx.reviewer, signatory=ctx.signatory, signatory_title=ctx.signatory_title,
        conformity=statement, remarks=ctx.remarks)


def differences(doc: CertificateDocument, record) -> list[str]:
    """Where ``doc`` says something other than ``record`` (CND-5): results, equipment, calibrator,
    method, dates of calibration. Empty when they agree."""
    found = []
    if record.is_draft or not record.results:
        return ["record is not signed off"]
    expected = result_rows(record, tuple(r.conformity for r in doc.results))
    if tuple(doc.results) != expected:
        found.append("results")
    if {e.asset_no for e in doc.equipment} != {e.asset_no for e in _equipment(record, doc.calibrated_on or
                                                                                 timezone.localtime(record.started_at).date())}:
        found.append("equipment")
    if doc.calibrator != _person_name(record.started_by):
        found.append("calibrator")
    version = record.procedure.method_version
    if [m.designation for m in doc.methods] != [f"{version.method.code}-{version.edition}"]:
        found.append("method")
    if doc.calibrated_on != timezone.localtime(record.started_at).date():
        found.append("date of calibration")
    if tuple(doc.conditions) != _conditions(record):
        found.append("conditions")
    return found
