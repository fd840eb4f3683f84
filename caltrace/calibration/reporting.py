"""Reporting an expanded uncertainty (ILAC-P14) and the CMC floor (PRH-5).

Plain functions on Decimals; no Django models. Floats are accepted and taken through their
shortest repr (``Decimal(repr(x))``), so 0.1 is 0.1 and not 0.1000000000000000055….

ILAC-P14:09/2020 (“ILAC Policy for Measurement Uncertainty in Calibration”, in its part on
reporting the measurement uncertainty on calibration certificates) says: the numerical value of the expanded uncertainty shall be given to,
at most, two significant digits; the result shall be rounded to the least significant digit of
the expanded uncertainty; for the rounding the usual rules for rounding numbers shall be used,
subject to the guidance on rounding in Section 7 of the GUM. GUM (JCGM 100:2008) 7.2.6 adds that
“it may sometimes be appropriate to round uncertainties up rather than to the nearest digit”, and
EA-4/02 M:2013 §5 tells to use the rounded-up value whenever ordinary rounding would lower the
uncertainty by more than 5 %.

Our choice (documented here and tested): the default policy is ``"up"`` — the expanded
uncertainty is rounded *up* to two significant digits, so the reported U is never smaller than the
evaluated one (the same conservative direction as the CMC floor of PRH-5). A laboratory may choose
``"nearest"`` (ILAC-P14's usual rules: half away from zero) or ``"ea"`` (nearest, unless that lowers
U by more than 5 %, then up — EA-4/02). The measured value is always rounded to nearest (half
away from zero) at the decimal place of U's last digit.

Before rounding up, U is first cut to 12 significant digits, so that float noise
(0.0024000000000000002) does not push an exact 0.0024 up to 0.0025.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

POLICIES = ("up", "nearest", "ea")
DEFAULT_POLICY = "up"
EA_TOLERANCE = Decimal("0.05")  # EA-4/02: round up when nearest would lower U by more than 5 %
_NOISE_DIGITS = 12


def to_decimal(x) -> Decimal:
    if isinstance(x, Decimal):
        return x
    if isinstance(x, float):
        return Decimal(repr(x))
    return Decimal(str(x))


def _quantum(U: Decimal, digits: int) -> Decimal:
    """The place value of the last of ``digits`` significant digits of U (U > 0)."""
    return Decimal(1).scaleb(U.adjusted() - digits + 1)


def _trim_noise(U: Decimal) -> Decimal:
    return U.quantize(_quantum(U, _NOISE_DIGITS), rounding=ROUND_HALF_UP)


def round_uncertainty(U, digits: int = 2, policy: str = DEFAULT_POLICY) -> Decimal:
    """U to at most ``digits`` (1 or 2) significant digits under ``policy`` (see module docstring).

    The result keeps its trailing zero as a significant digit: 0.000008 → Decimal("0.0000080").
    """
    if policy not in POLICIES:
        raise ValueError(f"unknown rounding policy {policy!r}; use one of {POLICIES}")
    if digits not in (1, 2):
        raise ValueError("ILAC-P14: an expanded uncertainty has at most two significant digits")
    U = to_decimal(U)
    if U < 0:
        raise ValueError("an uncertainty cannot be negative")
    if U == 0:
        raise ValueError("an expanded uncertainty of zero cannot be reported")
    U = _trim_noise(U)
    q = _quantum(U, digits)
    nearest = U.quantize(q, rounding=ROUND_HALF_UP)
    up = U.quantize(q, rounding=ROUND_CEILING)
    if policy == "nearest":
        rounded = nearest
    elif policy == "up":
        rounded = up
    else:  # "ea"
        rounded = up if (U - nearest) / U > EA_TOLERANCE else nearest
    # Rounding may carry into a new decade (99 → 100, 0.96 up → 1.0): keep ``digits`` digits.
    if rounded.adjusted() > U.adjusted():
        rounded = rounded.quantize(_quantum(rounded, digits), rounding=ROUND_CEILING)
    return rounded


def round_for_report(value, U, digits: int = 2, policy: str = DEFAULT_POLICY) -> tuple[str, str]:
    """(value_str, U_str) as a certificate prints them: U to at most two significant digits,
    the value rounded (to nearest) to the decimal place of U's last digit. Plain notation, no
    exponent: round_for_report(1.0000712, 0.000008) == ("1.0000712", "0.0000080")."""
    U_rounded = round_uncertainty(U, digits, policy)
    value_rounded = to_decimal(value).quantize(Decimal(1).scaleb(U_rounded.as_tuple().exponent), rounding=ROUND_HALF_UP)
    return _plain(value_rounded), _plain(U_rounded)


def _plain(d: Decimal) -> str:
    return format(abs(d) if d.is_zero() else d, "f")  # never "-0.0000"


def cmc_value(cmc, x=None, unit: str | None = None) -> Decimal:
    """The CMC (an expanded uncertainty) at x, in ``unit``.

    ``cmc`` is either a number (the CMC itself, already in ``unit``) or an object with
    ``cmc_at(x)`` and ``unit`` — an ``org.models.ScopeItem``. x is in ``unit`` too; when the scope
    item states its range in another unit (mV against V) x is converted into it, and the CMC is
    converted back as a difference (``caltrace.core.units``).
    """
    if not hasattr(cmc, "cmc_at"):
        return to_decimal(cmc)
    if x is None:
        raise ValueError("the CMC of a scope item depends on the point: give x")
    x = to_decimal(x)
    scope_unit = getattr(cmc, "unit", None)
    if unit and scope_unit and unit != scope_unit:
        from caltrace.core import units

        x_scope = units.convert(x, unit, scope_unit)
        return units.convert_difference(to_decimal(cmc.cmc_at(x_scope)), scope_unit, unit)
    return to_decimal(cmc.cmc_at(x))


def apply_cmc_floor(U, cmc, x=None, unit: str | None = None) -> tuple[Decimal, bool]:
    """(U', raised): U' = max(U, CMC at x). PRH-5: the reported expanded uncertainty is never
    smaller than the accredited CMC at that point; ``raised`` says when it had to be raised."""
    U = to_decimal(U)
    floor = cmc_value(cmc, x, unit)
    if U < floor:
        return floor, True
    return U, False


def report_value(value, U, *, cmc=None, x=None, unit: str | None = None, digits: int = 2,
                 policy: str = DEFAULT_POLICY) -> dict:
    """The reported pair with the CMC floor applied before *and* after rounding (so that a
    "nearest" rounding cannot bring U back under the CMC). x defaults to the value itself.

    Returns {"value": str, "U": str, "raised_to_cmc": bool, "cmc": str | None, "policy": str}.
    """
    raised = False
    floor = None
    if cmc is not None:
        floor = cmc_value(cmc, value if x is None else x, unit)
        U, raised = apply_cmc_floor(U, floor)
    value_str, U_str = round_for_report(value, U, digits, policy)
    if floor is not None and Decimal(U_str) < floor:
        value_str, U_str = round_for_report(value, floor, digits, "up")
        raised = True
    return {"value": value_str, "U": U_str, "raised_to_cmc": raised,
            "cmc": None if floor is None else _plain(floor), "policy": policy}
