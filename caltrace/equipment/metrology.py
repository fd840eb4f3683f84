"""Computations on equipment characteristics (技术特性计算).

- Which of a piece of equipment's ranges covers a calibration point, and the standard
  uncertainty the range contributes there (CND-7).
- The accredited CMC at that point as a standard uncertainty, to compare with (CND-7).
- Each result of an upstream certificate against the range's stated accuracy (EQP-3).

Values convert through the Decimal pint registry of :mod:`caltrace.core.units`. A value is
converted as a value (25 °C is 298.15 K); an error or an uncertainty is a difference and is
converted without the offset (0.01 °C is 0.01 K).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from caltrace.core import units

from .choices import SpecKind

UnitError = units.UnitError


def convert_value(value: Decimal, from_unit: str, to_unit: str) -> Decimal:
    return units.convert(Decimal(value), from_unit, to_unit)


convert_difference = units.convert_difference
readable = units.readable


def fmt(value: Decimal, digits: int = 4) -> str:
    """A computed value for a message: a few significant digits, no float noise."""
    value = Decimal(value)
    if value == 0:
        return "0"
    text = f"{value:.{digits}g}"
    if "e" in text or "E" in text:
        return text
    return format(Decimal(text).normalize(), "f")


@dataclass(frozen=True)
class Coverage:
    """A range that covers a point: the point in the range's unit and the range's standard
    uncertainty there (in the range's unit)."""

    range: object  # EquipmentRange
    value: Decimal
    u_std: Decimal


def coverages(value: Decimal, unit: str, ranges) -> tuple[list[Coverage], bool]:
    """The ranges among ``ranges`` that cover ``value`` (in ``unit``), and whether any range at all
    has a unit compatible with it. ``unit`` must be readable (else UnitError)."""
    units.parse_unit(unit)
    found, compatible = [], False
    for r in ranges:
        try:
            x = convert_value(value, unit, r.unit)
        except UnitError:
            continue
        compatible = True
        if r.covers(x):
            found.append(Coverage(r, x, r.standard_uncertainty_at(x)))
    return found, compatible


def cmc_standard_uncertainty(scope_item, value: Decimal, unit: str) -> Decimal:
    """The scope item's CMC at a point, as a standard uncertainty (CMC / k) in the scope's unit."""
    x = convert_value(value, unit, scope_item.unit)
    return Decimal(scope_item.cmc_at(x)) / Decimal(scope_item.cmc_k)


def best_in_unit(found: list[Coverage], unit: str) -> tuple[Coverage, Decimal]:
    """The covering range with the smallest standard uncertainty, and that uncertainty in ``unit``."""
    ranked = sorted(((convert_difference(c.u_std, c.range.unit, unit), i) for i, c in enumerate(found)))
    u, i = ranked[0]
    return found[i], u


# ---------------------------------------------------------------------------------------------
# Confirmation (EQP-3)


@dataclass(frozen=True)
class ResultCheck:
    """One upstream result judged against the range's accuracy. ``ok`` is None when it cannot be
    judged (no range with a compatible unit covers it, or no error was reported for an MPE range)."""

    result: object  # TraceabilityResult
    range: object | None
    ok: bool | None
    zh: str
    en: str


def assess(results, ranges) -> list[ResultCheck]:
    """Judge each result of a certificate against the equipment's stated accuracy.

    For a range stated as a maximum permissible error, the reported error must not exceed the
    MPE at the nominal value. For a range stated as an expanded uncertainty, the uncertainty of
    the calibration (as a standard uncertainty, U/k) must not exceed the one the range claims.
    """
    checks = []
    ranges = list(ranges)
    for res in results:
        try:
            found, _compatible = coverages(res.nominal, res.unit, ranges)
        except UnitError:
            found = []
        if not found:
            checks.append(ResultCheck(res, None, None, "没有覆盖该点的测量范围，无法自动判断",
                                      "No range covers this point; not judged automatically"))
            continue
        cov = min(found, key=lambda c: (c.range.range_max - c.range.range_min, c.range.pk or 0))
        r = cov.range
        spec = r.spec_at(cov.value)
        if r.spec_kind == SpecKind.MPE:
            if res.error is None:
                checks.append(ResultCheck(res, r, None, "未报告示值误差，无法与最大允许误差比较",
                                          "No error reported; cannot compare with the MPE"))
                continue
            limit = convert_difference(spec, r.unit, res.unit)
            ok = abs(res.error) <= limit
            zh = f"|示值误差| {fmt(abs(res.error))} {res.unit} {'≤' if ok else '>'} MPE {fmt(limit)} {res.unit}"
            en = f"|error| {fmt(abs(res.error))} {res.unit} {'≤' if ok else '>'} MPE {fmt(limit)} {res.unit}"
        else:
            claimed = convert_difference(spec / r.spec_k, r.unit, res.unit)
            found_u = res.uncertainty / res.k
            ok = found_u <= claimed
            zh = f"校准标准不确定度 {fmt(found_u)} {res.unit} {'≤' if ok else '>'} 设备声明的 {fmt(claimed)} {res.unit}"
            en = (f"calibration standard uncertainty {fmt(found_u)} {res.unit} {'≤' if ok else '>'} "
                  f"the {fmt(claimed)} {res.unit} the range claims")
        checks.append(ResultCheck(res, r, ok, zh, en))
    return checks
