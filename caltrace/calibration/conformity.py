"""Statements of conformity (符合性声明) with a decision rule (判定规则): GB/T 27025 / ISO/IEC 17025
7.8.6 and ILAC-G8:09/2019.

Data in, data out; no database. The decision rule is agreed with the customer at contract time
(7.1.3) and named on the certificate with the specification limits (7.8.6.2).

Specification
  ``Specification`` holds the limits on the error of indication (or on the value), either as a
  maximum permissible error ±(relative·|x| + of_range·range_value + absolute), or as explicit
  ``lower`` / ``upper`` limits, of which one may be absent (a one-sided specification).
  ``relative`` and ``of_range`` are fractions, not percent: 0.0035 % of reading is
  ``Decimal("0.000035")``. Every value is in ``unit``; converting units is the caller's business.

Rules (U is the expanded uncertainty of the measured value, in the same unit)
  simple acceptance (4.2.1, w = 0)  pass inside [lower, upper], else fail.
  guard band w = U (4.2.2)          pass inside the acceptance zone [lower + U, upper − U], else
                                    fail. When U is so large that lower + U > upper − U the zone is
                                    empty and every result fails: a statement of conformity cannot
                                    be made with that uncertainty.
  non-binary (4.2.3, w = U)         pass inside [lower + U, upper − U]; conditional pass inside
                                    the tolerance but not the acceptance zone; conditional fail
                                    outside the tolerance but inside [lower − U, upper + U]; fail
                                    beyond. With an empty acceptance zone nothing passes outright.

Boundaries (our choice, tested): every interval is closed. A value on a specification limit is
inside the tolerance; a value exactly U inside a limit is in the acceptance zone; a value exactly
U beyond a limit is a conditional fail, not a fail. Comparisons are exact (Decimal).

Texts
  The certificate prints the rule in Chinese and in English whatever the active language, so
  ``rule_texts`` returns both from a table of literals; the Chinese is wrapped in ``gettext_noop``
  only so that it is a msgid of the catalogue (for screens that show it in the user's language).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from decimal import Decimal, InvalidOperation

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from caltrace.certificates.document import ConformityStatement


class DecisionRule(models.TextChoices):
    """The decision rule (判定规则) agreed at contract time, ILAC-G8:09/2019 4.2."""

    SIMPLE_ACCEPTANCE = "simple_acceptance", _("简单接受")
    GUARD_BAND = "guard_band_u", _("保护带 w = U")
    NON_BINARY = "non_binary", _("非二元判定")


class Outcome(models.TextChoices):
    """The outcome of a statement of conformity (符合性判定结果), from best to worst."""

    PASS = "pass", _("合格")
    CONDITIONAL_PASS = "conditional_pass", _("有条件合格")
    CONDITIONAL_FAIL = "conditional_fail", _("有条件不合格")
    FAIL = "fail", _("不合格")


SEVERITY = {Outcome.PASS: 0, Outcome.CONDITIONAL_PASS: 1, Outcome.CONDITIONAL_FAIL: 2, Outcome.FAIL: 3}

# (Chinese, English) printed side by side on the certificate; see the module docstring.
RULE_TEXTS = {
    DecisionRule.SIMPLE_ACCEPTANCE: (
        gettext_noop(
            "判定规则：简单接受（ILAC-G8:09/2019 4.2.1，保护带 w = 0）。测得值在规范限内（含限值）时判为合格，"
            "否则判为不合格；测得值接近限值时，误判为合格的风险最高可达 50 %。"
        ),
        "Decision rule: simple acceptance (ILAC-G8:09/2019 4.2.1, guard band w = 0). A measured value within "
        "the specification limits (limits included) is stated as a pass, otherwise as a fail; for a measured "
        "value close to a limit the probability of a false accept can be as high as 50 %.",
    ),
    DecisionRule.GUARD_BAND: (
        gettext_noop(
            "判定规则：保护带 w = U（ILAC-G8:09/2019 4.2.2）。测得值在规范限内且距限值不小于扩展不确定度 U 时判为合格，"
            "否则判为不合格；误判为合格的风险不超过约 2.5 %。"
        ),
        "Decision rule: guard band w = U (ILAC-G8:09/2019 4.2.2). A measured value within the specification "
        "limits and at least the expanded uncertainty U away from them is stated as a pass, otherwise as a "
        "fail; the probability of a false accept is at most about 2.5 %.",
    ),
    DecisionRule.NON_BINARY: (
        gettext_noop(
            "判定规则：非二元判定，保护带 w = U（ILAC-G8:09/2019 4.2.3）。测得值在规范限内且距限值不小于扩展不确定度 U "
            "时判为合格，误判为合格的风险不超过约 2.5 %；在规范限内但距限值小于 U 时判为有条件合格；超出规范限但不超过 U "
            "时判为有条件不合格；超出规范限大于 U 时判为不合格，误判为不合格的风险不超过约 2.5 %。"
        ),
        "Decision rule: non-binary, guard band w = U (ILAC-G8:09/2019 4.2.3). A measured value within the "
        "specification limits and at least the expanded uncertainty U away from them is stated as a pass, "
        "with a probability of a false accept of at most about 2.5 %; within the limits but closer to them than "
        "U, as a conditional pass; beyond the limits by no more than U, as a conditional fail; beyond the "
        "limits by more than U, as a fail, with a probability of a false reject of at most about 2.5 %.",
    ),
}


class SpecificationError(ValueError):
    """A specification that cannot give limits; ``field`` names the offending field."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field


def _dec(value, name: str = "value") -> Decimal:
    """``value`` as a finite Decimal; floats go through ``str`` so that 0.1 stays 0.1."""
    if isinstance(value, Decimal):
        d = value
    else:
        try:
            d = Decimal(str(value).strip())
        except (InvalidOperation, ValueError) as exc:
            raise ValueError(f"{name}: {value!r} is not a number") from exc
    if not d.is_finite():
        raise ValueError(f"{name}: {value!r} is not a finite number")
    return d


def _num(d: Decimal) -> str:
    """A Decimal in plain notation without trailing zeros: 0.000035 → "0.000035", 1E+1 → "10"."""
    text = format(d, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


MPE_FIELDS = ("relative", "of_range", "absolute")
NUMBER_FIELDS = (*MPE_FIELDS, "range_value", "lower", "upper")


@dataclass(frozen=True)
class Specification:
    """The specification limits (规范限) a statement of conformity is made against: a maximum
    permissible error ±(relative·|x| + of_range·range_value + absolute), or explicit limits
    ``lower`` / ``upper`` (one of them may be None). ``text`` is how the customer or manufacturer
    states it, ``source`` where it comes from ("制造商技术指标", "JJG 1036-2022 E2 级")."""

    unit: str
    relative: Decimal | None = None  # fraction of |x|: 0.0035 % of reading → 0.000035
    of_range: Decimal | None = None  # fraction of range_value
    range_value: Decimal | None = None  # the range (量程) of_range refers to, in unit
    absolute: Decimal | None = None  # in unit
    lower: Decimal | None = None
    upper: Decimal | None = None
    text: str = ""
    source: str = ""

    def __post_init__(self):
        for name in NUMBER_FIELDS:
            value = getattr(self, name)
            if value is not None:
                try:
                    object.__setattr__(self, name, _dec(value, name))
                except ValueError as exc:
                    raise SpecificationError(name, f"{value!r} is not a finite number") from exc
        mpe = any(getattr(self, n) is not None for n in MPE_FIELDS)
        explicit = self.lower is not None or self.upper is not None
        if mpe and explicit:
            raise SpecificationError("lower", "give either a maximum permissible error or explicit limits, not both")
        if not mpe and not explicit:
            raise SpecificationError("relative", "give a maximum permissible error (relative, of_range, absolute) "
                                                 "or explicit limits (lower, upper)")
        for name in MPE_FIELDS:
            if (getattr(self, name) or 0) < 0:
                raise SpecificationError(name, "a width of the maximum permissible error cannot be negative")
        if self.of_range is not None and self.range_value is None:
            raise SpecificationError("range_value", "of_range needs the range it is a fraction of")
        if self.range_value is not None:
            if self.of_range is None:
                raise SpecificationError("range_value", "a range is only used with of_range")
            if self.range_value <= 0:
                raise SpecificationError("range_value", "the range must be positive")
        if self.lower is not None and self.upper is not None and self.lower > self.upper:
            raise SpecificationError("lower", f"lower limit {self.lower} is above upper limit {self.upper}")
        if not str(self.unit).strip():
            raise SpecificationError("unit", "the unit of the limits is required")

    @property
    def is_mpe(self) -> bool:
        return self.lower is None and self.upper is None

    def mpe_at(self, x) -> Decimal:
        """The half-width of the maximum permissible error at ``x``."""
        x = _dec(x, "x")
        return ((self.relative or 0) * abs(x) + (self.of_range or 0) * (self.range_value or 0)
                + (self.absolute or 0))

    def limits_at(self, x=0) -> tuple[Decimal | None, Decimal | None]:
        """(lower, upper) at the point ``x`` (the reading the relative term refers to); explicit
        limits do not depend on ``x``. None is an absent side of a one-sided specification."""
        if self.is_mpe:
            m = self.mpe_at(x)
            return -m, m
        return self.lower, self.upper

    def limits_text(self) -> str:
        """The limits in a language-neutral notation: "±(0.0035 % × |x| + 0.0005 % × 10 V)",
        "[-0.5, 0.3] mV", "≤ 0.3 mV"."""
        if self.is_mpe:
            terms = []
            if self.relative:
                terms.append(f"{_num(self.relative * 100)} % × |x|")
            if self.of_range:
                terms.append(f"{_num(self.of_range * 100)} % × {_num(self.range_value)} {self.unit}")
            if self.absolute or not terms:
                terms.append(f"{_num(self.absolute or Decimal(0))} {self.unit}")
            return f"±({' + '.join(terms)})" if len(terms) > 1 else f"±{terms[0]}"
        if self.lower is None:
            return f"≤ {_num(self.upper)} {self.unit}"
        if self.upper is None:
            return f"≥ {_num(self.lower)} {self.unit}"
        return f"[{_num(self.lower)}, {_num(self.upper)}] {self.unit}"

    def describe(self) -> str:
        """Source, stated text and limits, for the certificate: "制造商技术指标：±(…)（±(…)）"."""
        limits = self.limits_text()
        body = f"{self.text}（{limits}）" if self.text and self.text != limits else limits
        return f"{self.source}：{body}" if self.source else body

    def to_dict(self) -> dict:
        """JSON-able: Decimals as strings, absent numbers left out."""
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None:
                continue
            out[f.name] = str(value) if isinstance(value, Decimal) else value
        return out

    @classmethod
    def from_dict(cls, data: dict) -> Specification:
        unknown = set(data) - {f.name for f in fields(cls)}
        if unknown:
            raise SpecificationError(sorted(unknown)[0], "is not a field of a specification")
        if "unit" not in data:
            raise SpecificationError("unit", "the unit of the limits is required")
        return cls(**data)


def decide(measured, U, lower, upper, rule) -> Outcome:
    """The outcome for one measured value with expanded uncertainty ``U`` against the limits
    ``lower`` / ``upper`` (either may be None, not both) under ``rule``; see the module docstring
    for the rules and the boundaries."""
    rule = DecisionRule(rule)
    measured, U = _dec(measured, "measured"), _dec(U, "U")
    lower = None if lower is None else _dec(lower, "lower")
    upper = None if upper is None else _dec(upper, "upper")
    if U < 0:
        raise ValueError(f"U: the expanded uncertainty cannot be negative ({U})")
    if lower is None and upper is None:
        raise ValueError("lower, upper: at least one specification limit is required")
    if lower is not None and upper is not None and lower > upper:
        raise ValueError(f"lower: lower limit {lower} is above upper limit {upper}")

    def within(w: Decimal) -> bool:
        # inside [lower + w, upper − w], closed; w < 0 widens the interval
        return (lower is None or measured >= lower + w) and (upper is None or measured <= upper - w)

    if rule == DecisionRule.SIMPLE_ACCEPTANCE:
        return Outcome.PASS if within(Decimal(0)) else Outcome.FAIL
    if rule == DecisionRule.GUARD_BAND:
        # an empty zone (lower + U > upper − U) makes within(U) false for every value
        return Outcome.PASS if within(U) else Outcome.FAIL
    if within(U):
        return Outcome.PASS
    if within(Decimal(0)):
        return Outcome.CONDITIONAL_PASS
    if within(-U):
        return Outcome.CONDITIONAL_FAIL
    return Outcome.FAIL


def overall(outcomes: Iterable) -> Outcome:
    """The worst of ``outcomes``: fail > conditional fail > conditional pass > pass."""
    found = [Outcome(o) for o in outcomes]
    if not found:
        raise ValueError("outcomes: an overall outcome needs at least one point")
    return max(found, key=SEVERITY.__getitem__)


def rule_texts(rule) -> tuple[str, str]:
    """(Chinese, English) sentence naming ``rule`` and what it means for the risk of a wrong decision."""
    return RULE_TEXTS[DecisionRule(rule)]


def assess_points(rows: Iterable, spec: Specification, rule) -> list[Outcome]:
    """Per-point outcomes for rows of (x_for_limits, measured_error, U): the limits come from
    ``spec`` at x (the reading the relative term refers to), the error is judged against them."""
    rule = DecisionRule(rule)
    out = []
    for x, error, U in rows:
        lower, upper = spec.limits_at(x)
        out.append(decide(error, U, lower, upper, rule))
    return out


def statement(spec: Specification, rule, outcomes: Iterable) -> ConformityStatement:
    """The certificate's statement of conformity: the specification with its source and limits,
    the decision rule in both languages, and the overall (worst) outcome of ``outcomes``."""
    rule = DecisionRule(rule)
    zh, en = rule_texts(rule)
    return ConformityStatement(specification=spec.describe(), decision_rule=rule.value,
                               decision_rule_text=zh, decision_rule_text_en=en,
                               outcome=overall(outcomes).value)
