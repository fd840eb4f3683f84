"""Reads of the calibration app for its pages and API: raw records with what a list or a detail
page shows, each in a constant number of queries, and the readings grouped the way a record shows
them (by calibration point, a corrected reading next to its correction, nothing hidden)."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caltrace.core import roles
from caltrace.web.access import has_role

from .choices import ReadingRole, RecordStatus
from .models import CalibrationRecord, Reading
from .results import budget_of

# Who reads raw records: the people who calibrate, check, sign and answer for the results.
READERS = (roles.CALIBRATOR, roles.REVIEWER, roles.SIGNATORY, roles.TECHNICAL_DIRECTOR, roles.QUALITY_MANAGER,
           roles.LAB_MANAGER)


# How the report names each distribution of a Type B input.
DISTRIBUTIONS = {"normal": _("正态分布"), "rectangular": _("均匀分布"), "triangular": _("三角分布"),
                 "arcsine": _("反正弦分布"), "u-shaped": _("反正弦分布")}


def can_read(user) -> bool:
    return has_role(user, READERS)


# --- lists ------------------------------------------------------------------------------------


def records():
    """Raw records with their procedure and calibrator, newest first (one query per page)."""
    return (CalibrationRecord.objects
            .select_related("procedure", "started_by__person")
            .order_by("-started_at", "-id"))


def filter_records(qs, *, status: str | None = None, procedure: int | None = None, started_from: dt.date | None = None,
                   started_to: dt.date | None = None, q: str | None = None, site: int | None = None):
    """The records list's filters: status, procedure, site (QMS-3: every site's records are
    listed together, the site is a filter), the day calibration started (both ends included, in
    the lab's time zone) and a search on the item (name, model, serial number)."""
    if site:
        qs = qs.filter(site_id=site)
    if status:
        qs = qs.filter(status=status)
    if procedure:
        qs = qs.filter(procedure_id=procedure)
    if started_from:
        qs = qs.filter(started_at__gte=_day_start(started_from))
    if started_to:
        qs = qs.filter(started_at__lt=_day_start(started_to + dt.timedelta(days=1)))
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(item__icontains=q))
    return qs


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def calibrator_name(record) -> str:
    """Who calibrated: the staff member's name, else the account's name; "" for a system run."""
    user = record.started_by
    if user is None:
        return ""
    person = getattr(user, "person", None)
    if person is not None:
        return person.name
    return user.get_full_name() or user.get_username()


# --- one record -------------------------------------------------------------------------------


def record_detail_queryset():
    return CalibrationRecord.objects.select_related(
        "procedure__method_version__method", "scope_item", "started_by__person")


def equipment_uses(record) -> list:
    return list(record.equipment_uses.select_related("equipment").order_by("id"))


def readings(record) -> list[Reading]:
    """Every reading of the record, corrected ones included, in one query."""
    rows = list(Reading.objects.filter(record=record).for_list().order_by("point__order", "role", "sequence", "id"))
    for r in rows:
        r.value_text = plain(r.value)
        r.corrects_text = plain(r.corrects.value) if r.corrects_id else ""
    return rows


def plain(d) -> str:
    """A reading as the digits it has: 1.000012000000000 → "1.000012" (the raw response keeps all)."""
    if d is None:
        return ""
    text = format(d.normalize(), "f")
    return "0" if text in ("0", "-0") else text


@dataclass
class Slot:
    """One reading slot (point, role, sequence): the first reading and each correction after it,
    in order; the last one is current."""

    role: str
    sequence: int
    chain: list = field(default_factory=list)

    @property
    def current(self):
        return self.chain[-1]

    @property
    def corrected(self) -> bool:
        return len(self.chain) > 1


@dataclass
class PointReadings:
    point: object
    slots: list[Slot] = field(default_factory=list)

    @property
    def uut(self):
        return [s for s in self.slots if s.role == ReadingRole.UUT]

    @property
    def reference(self):
        return [s for s in self.slots if s.role == ReadingRole.REFERENCE]


def readings_by_point(points, all_readings) -> list[PointReadings]:
    """The readings grouped by calibration point (every point of the procedure, those without a
    reading too), each slot's corrections chained behind the reading they correct."""
    by_id = {r.pk: r for r in all_readings}
    groups = {p.pk: PointReadings(p) for p in points}
    slots: dict[int, Slot] = {}  # id of the first reading of a chain -> its slot
    for r in all_readings:
        root = r
        while root.corrects_id is not None and root.corrects_id in by_id:
            root = by_id[root.corrects_id]
        slot = slots.get(root.pk)
        if slot is None:
            slot = slots[root.pk] = Slot(root.role, root.sequence)
            group = groups.get(r.point_id)
            if group is None:  # a reading of a point no longer in the procedure: still shown
                group = groups[r.point_id] = PointReadings(r.point)
            group.slots.append(slot)
        slot.chain.append(r)
    for slot in slots.values():
        slot.chain.sort(key=_chain_position(by_id))
    for group in groups.values():
        group.slots.sort(key=lambda s: (s.role != ReadingRole.UUT, s.sequence))
    return list(groups.values())


def _chain_position(by_id):
    def depth(r):
        n = 0
        while r.corrects_id is not None and r.corrects_id in by_id:
            r = by_id[r.corrects_id]
            n += 1
        return n
    return depth


def field_rows(record) -> list[dict]:
    """The method version's record fields with this record's values (label, value, unit, required,
    filled), in the method's order; values of fields the version does not know are listed too."""
    values = record.field_values or {}
    rows = []
    known = set()
    for f in record.procedure.method_version.record_fields.all():
        known.add(f.name)
        value = values.get(f.name)
        rows.append({"name": f.name, "label": f.label, "value": value, "unit": f.unit, "required": f.required,
                     "filled": f.is_filled(value)})
    for name in sorted(set(values) - known):
        rows.append({"name": name, "label": name, "value": values[name], "unit": "", "required": False,
                     "filled": values[name] not in (None, "")})
    return rows


# --- results ----------------------------------------------------------------------------------


def has_results(record) -> bool:
    return record.status == RecordStatus.SIGNED_OFF and bool(record.results)


def result_rows(record, points_by_id: dict | None = None) -> list[dict]:
    """The results table: one row per point from ``record.results`` (as stored at sign-off)."""
    rows = []
    for entry in record.results or []:
        reported = entry.get("reported") or {}
        rows.append({
            "order": entry.get("order"), "nominal": entry.get("nominal"), "unit": entry.get("unit", ""),
            "setting": entry.get("setting", ""),
            "reference": entry.get("reported_reference", entry.get("reference_value")),
            "indication": entry.get("reported_indication", entry.get("indication")),
            "error": reported.get("value", entry.get("error")), "U": reported.get("U"), "k": reported.get("k"),
            "p": reported.get("p"), "raised_to_cmc": bool(reported.get("raised_to_cmc")), "cmc": _plain_text(reported.get("cmc")),
        })
    return rows


def uncertainty_points(record) -> list[dict]:
    """Each point's budget for the uncertainty evaluation report (REC-1): the model, the rows, the
    closing summary, the reported pair and the reference standard's certificate."""
    points = []
    for entry in record.results or []:
        budget = budget_of(entry)
        points.append({
            "point_id": entry.get("point_id"), "order": entry.get("order"), "nominal": entry.get("nominal"),
            "unit": entry.get("unit", ""), "setting": entry.get("setting", ""),
            "reference_value": entry.get("reference_value"), "indication": entry.get("indication"),
            "error": entry.get("error"),
            "budget": budget, "model_text": budget.model_text,
            "rows": [{**row, "distribution_label": DISTRIBUTIONS.get(row["distribution"], row["distribution"])}
                     for row in budget.as_report_rows()],
            "summary": budget.summary(), "dof_text": dof_text(budget.effective_dof),
            "reported": entry.get("reported") or {}, "cmc_text": _plain_text((entry.get("reported") or {}).get("cmc")),
            "reference_certificate": entry.get("reference_certificate"),
        })
    return points


def _plain_text(text) -> str:
    """A stored decimal string without its trailing zeros ("0.0000600000" → "0.00006")."""
    if text in (None, ""):
        return ""
    try:
        return plain(Decimal(str(text)))
    except InvalidOperation:
        return str(text)


SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def dof_text(dof) -> str:
    """ν_eff as the report prints it: ∞, one decimal, or a power of ten when it is huge
    (a budget dominated by inputs of infinite ν gives 9.2×10¹⁰)."""
    if dof is None or math.isinf(dof):
        return "∞"
    if dof < 10000:
        return f"{dof:.1f}"
    exponent = math.floor(math.log10(dof))
    return f"{dof / 10 ** exponent:.1f}×10{str(exponent).translate(SUPERSCRIPT)}"
