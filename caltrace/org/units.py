"""Units of the scope annex (单位): parsing and converting with pint, in exact decimals.

A scope item states its range in one unit ("V", "g", "°C"); a calibration point may come in
another ("mV", "kg", "degC"). Conversion goes through one pint registry whose magnitudes are
Decimals, so that a boundary value converts without float noise (1000 V is exactly 1000000 mV).
"""

from __future__ import annotations

import functools
from decimal import Decimal

# Symbols people type that pint does not read as such.
_ALIASES = {"\u2103": "degC", "\u2109": "degF", "\u2126": "ohm", "\u2030": "permille"}  # ℃ ℉ Ω(ohm sign) ‰


class UnitError(ValueError):
    """A unit pint cannot read, or two units that cannot be converted into each other."""


@functools.cache
def registry():
    import pint

    return pint.UnitRegistry(non_int_type=Decimal)


def normalise(unit: str) -> str:
    text = (unit or "").strip()
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
