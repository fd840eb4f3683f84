"""Results of a raw record (校准结果): per calibration point, the measurement model's uncertainty
budget (GTC, :mod:`caltrace.calibration.uncertainty`) from the record's current readings, the
reference standard's own certificate and the procedure's influence quantities; then the reported
value and expanded uncertainty (ILAC-P14, never below the CMC of the record's scope item: PRH-5).

The measurand of every model is the error of indication δ = indication − reference value, in the
procedure's unit. :func:`evaluate_record` computes; the sign-off service stores the outcome in
``CalibrationRecord.results`` (kept with the record, REC-1) and the certificate is built from it.

Inputs of each model
  Type A      the mean of the point's current readings (u = s/√n, ν = n − 1); with a single
              reading per point, the procedure's ``repeatability_sd`` (a pooled s from an earlier
              assessment, ν = ``repeatability_dof``) stands in.
  Reference   the reference standard's (role ``reference``, else ``source``) latest valid
              traceability certificate: its U and k at the certificate point nearest x. Between
              two certificate points U is interpolated linearly; beyond them a multiplicative unit
              scales U with |x| (relative), an offset unit (°C) keeps the nearest point's U.
  Resolution  the item's resolution d (record field ``resolution``; else the procedure's
              ``resolution`` or ``resolution_relative`` · |x|): a rectangular half-width d/2.
  Influences  the model's influence quantities from ``Procedure.model_parameters`` (defaults
              below): drift of the standard, bath uniformity and stability, air buoyancy.
"""

from __future__ import annotations

import datetime as dt

from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from caltrace.core import units

from .choices import EquipmentRole, MeasurementModel, ReadingRole
from .reporting import report_value, to_decimal
from .uncertainty import Budget, BudgetError, BudgetResult, Component

# Influence quantities of each model, overridable per procedure (Procedure.model_parameters).
DEFAULTS = {
    MeasurementModel.DMM_DCV: {
        "drift_relative": "0.000005",  # the calibrator's one-year stability, half-width, relative to |x|
        "resolution_relative": "0.000001",  # a 6½-digit multimeter
        "repeatability_sd": None, "repeatability_dof": 9,
    },
    MeasurementModel.BALANCE: {
        "buoyancy_relative": "0.000001",  # air buoyancy on the reference weight, half-width, relative
        "resolution": "0.0001",  # g
        "repeatability_sd": "0.00005", "repeatability_dof": 9,  # g, from the balance's repeatability test
    },
    MeasurementModel.TEMPERATURE_COMPARISON: {
        "bath_uniformity": "0.01",  # °C, half-width
        "bath_stability": "0.005",  # °C, half-width
        "reference_drift": "0.002",  # °C, half-width, since the standard thermometer's calibration
        "resolution": "0.001",  # °C
        "repeatability_sd": None, "repeatability_dof": 9,
    },
}


class ResultError(ValueError):
    """A point whose result cannot be computed (no readings, no reference certificate…)."""


@dataclass(frozen=True)
class ReferenceCertificate:
    """The reference standard's stated U and k at x, from its traceability certificate."""

    equipment_id: int
    asset_no: str
    certificate_no: str
    expanded: Decimal  # U at x, in the point's unit
    k: Decimal
    basis: str


@dataclass(frozen=True)
class PointResult:
    point_id: int
    order: int
    nominal: Decimal
    unit: str
    setting: str
    reference_value: Decimal  # the value of the standard
    indication: Decimal  # the mean indication of the item
    budget: BudgetResult  # of the error of indication
    reported: dict  # report_value(): value (the error), U, k, p, raised_to_cmc, cmc, policy
    reference_certificate: ReferenceCertificate | None

    @property
    def error(self) -> Decimal:
        return self.indication - self.reference_value

    def reported_pair(self, x) -> str:
        """``x`` rounded to the decimal place of the reported U."""
        places = Decimal(self.reported["U"]).as_tuple().exponent
        return format(to_decimal(x).quantize(Decimal(1).scaleb(places)), "f")

    def to_dict(self) -> dict:
        ref = self.reference_certificate
        return {
            "point_id": self.point_id, "order": self.order, "nominal": _plain(self.nominal), "unit": self.unit,
            "setting": self.setting, "reference_value": _plain(self.reference_value),
            "indication": _plain(self.indication), "error": _plain(self.error), "budget": self.budget.to_dict(), "reported": self.reported,
            "reported_reference": self.reported_pair(self.reference_value),
            "reported_indication": self.reported_pair(self.indication),
            "reference_certificate": None if ref is None else {
                "equipment_id": ref.equipment_id, "asset_no": ref.asset_no, "certificate_no": ref.certificate_no,
                "expanded": str(ref.expanded), "k": str(ref.k), "basis": ref.basis},
        }


def budget_of(data: dict) -> BudgetResult:
    """The stored budget of one entry of ``CalibrationRecord.results``."""
    return BudgetResult.from_dict(data["budget"])


# --- inputs --------------------------------------------------------------------------------


def _params(procedure) -> dict:
    return {**DEFAULTS.get(procedure.model_key, {}), **(procedure.model_parameters or {})}


def _in_unit(value: Decimal, unit: str, to_unit: str) -> Decimal:
    return value if unit == to_unit else units.convert(value, unit, to_unit)


def _offset_unit(unit: str) -> bool:
    return units.normalise(unit) in ("degC", "degF") or unit in ("°C", "℃", "°F")


def reference_certificate(equipment, x: Decimal, unit: str, on: dt.date) -> ReferenceCertificate | None:
    """U and k of ``equipment``'s latest valid certificate at x (see the module docstring)."""
    from caltrace.equipment.selectors import valid_records

    record = (valid_records(on).filter(equipment=equipment).order_by("-performed_on", "-id")
              .prefetch_related("results").first())
    if record is None:
        return None
    points = []
    for r in record.results.all():
        if units.compatible(r.unit, unit):
            points.append((_in_unit(r.nominal, r.unit, unit), units.convert_difference(r.uncertainty, r.unit, unit),
                           Decimal(r.k)))
    if not points:
        return None
    points.sort(key=lambda p: p[0])
    below = [p for p in points if p[0] <= x]
    above = [p for p in points if p[0] >= x]
    if below and above:
        (x0, U0, k0), (x1, U1, k1) = below[-1], above[0]
        U = U0 if x1 == x0 else U0 + (U1 - U0) * (x - x0) / (x1 - x0)
        k = max(k0, k1)
        where = _("%(x0)s～%(x1)s %(unit)s 插值") % {"x0": _plain(x0), "x1": _plain(x1), "unit": unit} \
            if x1 != x0 else f"{_plain(x0)} {unit}"
    else:
        x0, U0, k = min(points, key=lambda p: abs(p[0] - x))
        if not _offset_unit(unit) and x0 != 0 and x != 0:
            U = U0 * abs(x) / abs(x0)
            where = _("按 %(x0)s %(unit)s 点相对值折算") % {"x0": _plain(x0), "unit": unit}
        else:
            U = U0
            where = f"{_plain(x0)} {unit}"
    basis = _("U = %(U)s %(unit)s，k = %(k)s（证书 %(no)s，%(where)s）") % {
        "U": _g(U), "unit": unit, "k": _plain(k), "no": record.certificate_no, "where": where}
    return ReferenceCertificate(equipment.pk, equipment.asset_no, record.certificate_no, U, k, basis)


def _plain(d: Decimal) -> str:
    """A Decimal without exponent or trailing zeros: 100.000 → "100", 0.0400 → "0.04"."""
    text = format(d.normalize(), "f")
    return "0" if text in ("-0", "0") else text


def _g(d: Decimal) -> str:
    return format(float(d), ".3g")


def _type_a(symbol, name, name_en, values: list[Decimal], unit, params, sensitivity=1.0) -> Component:
    if len(values) >= 2:
        return Component.from_readings(symbol, name, name_en, values, unit=unit, sensitivity=sensitivity)
    sd = params.get("repeatability_sd")
    if sd is None:
        raise ResultError(_("%(name)s只有一个读数，且校准程序没有给出重复性标准差") % {"name": name})
    return Component.from_readings(symbol, name, name_en, values, unit=unit, sensitivity=sensitivity,
                                   pooled_sd=float(sd), pooled_dof=float(params.get("repeatability_dof") or 9),
                                   basis=_("合并样本标准差 s_p = %(sd)s %(unit)s，n = %(n)s")
                                   % {"sd": sd, "unit": unit, "n": len(values)})


def _rect(symbol, name, name_en, half_width, unit, sensitivity=1.0, basis="") -> Component | None:
    half_width = float(half_width)
    if not half_width > 0:
        return None
    return Component.type_b(symbol, name, name_en, 0.0, unit=unit, half_width=half_width,
                            distribution="rectangular", sensitivity=sensitivity,
                            basis=basis or _("半宽 a = %(a)s %(unit)s，均匀分布") % {"a": format(half_width, ".3g"),
                                                                            "unit": unit})


def _resolution(record, point, params) -> Decimal | None:
    given = (record.field_values or {}).get("resolution")
    if given not in (None, ""):
        try:
            return abs(Decimal(str(given)))
        except Exception:
            raise ResultError(_("记录字段“分辨力”不是数值：%(value)s") % {"value": given}) from None
    if params.get("resolution") is not None:
        return Decimal(str(params["resolution"]))
    if params.get("resolution_relative") is not None:
        return Decimal(str(params["resolution_relative"])) * abs(point.nominal)
    return None


def _reference_component(ref: ReferenceCertificate | None, symbol, name, name_en, estimate, unit, sensitivity):
    if ref is None:
        raise ResultError(_("标准器在校准日没有有效的、含该测量参数结果的溯源证书"))
    return Component.type_b(symbol, name, name_en, float(estimate), unit=unit, expanded=float(ref.expanded),
                            k=float(ref.k), sensitivity=sensitivity, basis=ref.basis)


# --- the models ----------------------------------------------------------------------------


def _dmm_dcv(point, uut, refs, ref_cert, resolution, params, unit):
    """JJF 1587 direct measurement: δ = V̄_x − V_s; V_s the calibrator's output."""
    v_s = _mean(refs) if refs else point.nominal
    comps = [
        _type_a("V_x", "被校表示值（重复性）", "indication of the DMM (repeatability)", uut, unit, params),
        _reference_component(ref_cert, "V_s", "多功能校准源输出", "output of the multifunction calibrator", v_s, unit,
                             -1.0),
        _rect("d_s", "校准源稳定性（年漂移）", "stability of the calibrator (drift)",
              Decimal(params["drift_relative"]) * abs(v_s), unit, -1.0),
        _rect("r_x", "被校表分辨力", "resolution of the DMM", (resolution or 0) / 2, unit),
    ]
    return v_s, comps, "δ = V_x − V_s − d_s + r_x"


def _balance(point, uut, refs, ref_cert, resolution, params, unit):
    """JJG 1036: E = I − m; m the conventional mass of the reference weights."""
    m = point.nominal
    d = resolution or Decimal(0)
    comps = [
        _type_a("I", "天平示值（重复性）", "indication of the balance (repeatability)", uut, unit, params),
        _reference_component(ref_cert, "m", "标准砝码折算质量", "conventional mass of the reference weights", m, unit,
                             -1.0),
        _rect("b", "空气浮力修正", "air buoyancy", Decimal(params["buoyancy_relative"]) * abs(m), unit, -1.0),
        _rect("r_0", "空载时的分辨力", "resolution at zero", d / 2, unit),
        _rect("r_L", "加载时的分辨力", "resolution at load", d / 2, unit),
    ]
    return m, comps, "E = I − m − b + r_0 + r_L"


def _temperature(point, uut, refs, ref_cert, resolution, params, unit):
    """Comparison in a bath: δ = t̄_x − t̄_s, with the bath's uniformity and stability."""
    if not refs:
        raise ResultError(_("比较法每个校准点须有标准温度计读数"))
    t_s = _mean(refs)
    comps = [
        _type_a("t_x", "被校传感器示值（重复性）", "indication of the sensor (repeatability)", uut, unit, params),
        _type_a("t_s", "标准温度计示值（重复性）", "reading of the standard thermometer (repeatability)", refs, unit,
                params, -1.0),
        _reference_component(ref_cert, "c_s", "标准温度计校准", "calibration of the standard thermometer", 0, unit,
                             -1.0),
        _rect("d_s", "标准温度计稳定性", "drift of the standard thermometer", params["reference_drift"], unit, -1.0),
        _rect("g", "恒温槽温场均匀性", "uniformity of the bath", params["bath_uniformity"], unit),
        _rect("w", "恒温槽温度波动", "stability of the bath", params["bath_stability"], unit),
        _rect("r_x", "被校传感器分辨力", "resolution of the sensor", (resolution or 0) / 2, unit),
    ]
    return t_s, comps, "δ = t_x − t_s − c_s − d_s + g + w + r_x"


MODELS = {
    MeasurementModel.DMM_DCV: _dmm_dcv,
    MeasurementModel.BALANCE: _balance,
    MeasurementModel.TEMPERATURE_COMPARISON: _temperature,
}


def _mean(values: list[Decimal]) -> Decimal:
    return sum(values, Decimal(0)) / len(values)


# --- evaluation ----------------------------------------------------------------------------


def reference_equipment(record):
    """The equipment whose certificate is the budget's reference: role reference, else source."""
    uses = sorted(record.equipment_uses.select_related("equipment"),
                  key=lambda u: {EquipmentRole.REFERENCE: 0, EquipmentRole.SOURCE: 1}.get(u.role, 9))
    uses = [u for u in uses if u.role in (EquipmentRole.REFERENCE, EquipmentRole.SOURCE)]
    return uses[0].equipment if uses else None


def evaluate_record(record, *, on: dt.date | None = None) -> list[PointResult]:
    """Every point's result of ``record`` from its current readings. Raises ``ResultError``
    naming the point when one cannot be computed. Queries: a constant handful per record."""
    procedure = record.procedure
    model = MODELS.get(procedure.model_key)
    if model is None:
        raise ResultError(_("没有测量模型“%(key)s”") % {"key": procedure.model_key})
    params = _params(procedure)
    unit = procedure.unit
    on = on or (timezone.localtime(record.started_at).date() if record.started_at else timezone.localdate())
    readings = {}
    for r in record.readings.current().order_by("point__order", "role", "sequence"):
        readings.setdefault((r.point_id, r.role), []).append(_in_unit(r.value, r.unit, unit))
    reference = reference_equipment(record)
    scope_item = record.scope_item
    results = []
    for point in procedure.points.order_by("order"):
        label = f"{point}"
        uut = readings.get((point.pk, ReadingRole.UUT), [])
        if not uut:
            raise ResultError(_("校准点 %(point)s 没有被校仪器读数") % {"point": label})
        nominal = _in_unit(point.nominal, point.unit, unit)
        refs = readings.get((point.pk, ReadingRole.REFERENCE), [])
        ref_cert = reference_certificate(reference, nominal, unit, on) if reference is not None else None
        try:
            ref_value, comps, model_text = model(point, uut, refs, ref_cert, _resolution(record, point, params),
                                                 params, unit)
            comps = [c for c in comps if c is not None]
            budget = Budget(procedure.quantity, procedure.name_en or procedure.quantity, unit, comps,
                            model_text=model_text).evaluate()
        except (ResultError, BudgetError) as exc:
            raise ResultError(_("校准点 %(point)s：%(reason)s") % {"point": label, "reason": exc}) from None
        reported = report_value(budget.value, budget.expanded_uncertainty, cmc=scope_item,
                                x=nominal if scope_item is not None else None, unit=unit)
        reported = {**reported, "k": f"{budget.coverage_factor:.2f}", "p": f"{budget.coverage_probability:.2f}",
                    "unit": unit}
        results.append(PointResult(point.pk, point.order, nominal, unit, point.setting, ref_value, _mean(uut),
                                   budget, reported, ref_cert))
    return results




