"""Units (单位): parsing and converting with pint, in exact decimals. One registry for the whole app.

A scope item states its range in one unit ("V", "g", "°C"); a calibration point, an equipment
range or a logged condition may come in another ("mV", "kg", "degC", "%RH"). Conversion goes
through one pint registry whose magnitudes are Decimals, so that a boundary value converts
without float noise (1000 V is exactly 1000000 mV). A value converts with the offset of the
scale (25 °C is 298.15 K); a difference (an error, an uncertainty) converts without it.
"""

from __future__ import annotations

import functools
from decimal import Decimal

# Symbols people type that pint does not read as such.
_ALIASES = {"\u2103": "degC", "\u2109": "degF", "\u2126": "ohm", "\u2030": "permille"}  # ℃ ℉ Ω(ohm sign) ‰
# Whole units as labs write them on forms and sensor labels.
_WHOLE = {"°c": "degC", "%RH": "percent", "%rh": "percent", "%": "percent", "dB(A)": "dB", "dBA": "dB"}


class UnitError(ValueError):
    """A unit pint cannot read, or two units that cannot be converted into each other."""


@functools.cache
def registry():
    import pint

    return pint.UnitRegistry(non_int_type=Decimal)


def normalise(unit: str) -> str:
    text = (unit or "").strip()
    text = _WHOLE.get(text, text)
    for symbol, name in _ALIASES.items():
        text = text.replace(symbol, name)
    return text


def parse_unit(unit: str):
    """The pint unit for ``unit``; UnitError when it is empty or unknown."""
    text = normalise(unit)
    if not text:
        raise UnitError("empty unit")
    try:
        return registry().Unit(text)
    except Exception as exc:  # pint raises several kinds (UndefinedUnitError, AssertionError, …)
        raise UnitError(f"unknown unit {unit!r}") from exc


def convert(value: Decimal, from_unit: str, to_unit: str) -> Decimal:
    """``value`` in ``from_unit`` expressed in ``to_unit`` (offset units such as °C handled)."""
    import pint

    source, target = parse_unit(from_unit), parse_unit(to_unit)
    if source == target:
        return Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    try:
        magnitude = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
        result = registry().Quantity(magnitude, source).to(target).magnitude
    except pint.DimensionalityError as exc:
        raise UnitError(f"{from_unit!r} cannot be converted to {to_unit!r}") from exc
    return Decimal(result)


def compatible(a: str, b: str) -> bool:
    try:
        return parse_unit(a).dimensionality == parse_unit(b).dimensionality
    except UnitError:
        return False


def convert_difference(value: Decimal, from_unit: str, to_unit: str) -> Decimal:
    """A difference (error, uncertainty) in ``from_unit`` expressed in ``to_unit``: no offset."""
    import pint

    reg = registry()
    source, target = parse_unit(from_unit), parse_unit(to_unit)
    if source == target:
        return Decimal(value)
    one = reg.Quantity(Decimal(1), source) - reg.Quantity(Decimal(0), source)
    unit_of_target = (reg.Quantity(Decimal(1), target) - reg.Quantity(Decimal(0), target)).units
    try:
        factor = one.to(unit_of_target).magnitude
    except pint.DimensionalityError as exc:
        raise UnitError(f"{from_unit!r} cannot be converted to {to_unit!r}") from exc
    return Decimal(value) * Decimal(factor)


def readable(unit: str) -> bool:
    try:
        parse_unit(unit)
        return True
    except UnitError:
        return False


def range_problems(range_min, range_max, bipolar: bool, unit: str):
    """(field, message) for each fault of a measuring range as a scope item or an equipment range
    states it: the upper limit below the lower, a negative lower limit of a ± range, an unreadable unit."""
    from django.utils.translation import gettext as _

    if range_min is not None and range_max is not None and range_max < range_min:
        yield "range_max", _("测量范围上限不能小于下限")
    if bipolar and range_min is not None and range_min < 0:
        yield "range_min", _("正负双极性的测量范围按绝对值填写，下限不能为负")
    if unit and not readable(unit):
        yield "unit", _("无法识别的单位“%(unit)s”，请使用 SI 符号，例如 V、mV、g、kg、°C、Ω") % {"unit": unit}
