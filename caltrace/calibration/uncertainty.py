"""Uncertainty budgets (测量不确定度评定) computed with GTC, the GUM Tree Calculator (REC-1, PRH-5).

Data in, data out; no Django models. A budget is a list of ``Component`` (input quantities with
their estimate, standard uncertainty and degrees of freedom) and a measurement model. Evaluating
it gives a ``BudgetResult``: the value, the combined standard uncertainty u_c, the effective
degrees of freedom (Welch–Satterthwaite, as GTC computes it), the coverage factor k from the
t distribution, the expanded uncertainty U, and one row per component with u_i, the sensitivity
coefficient c_i, the contribution |c_i|·u_i and ν_i. The result turns into a JSON-able dict for the
record (``to_dict`` / ``from_dict``) and into the rows of the uncertainty evaluation report
(``as_report_rows``, ``as_text``).

Components
  Type A: ``Component.from_readings`` — the mean of n repeated readings with u = s/√n and ν = n−1
  (GTC ``type_a.estimate``); or, with a pooled standard deviation s_p from an earlier assessment,
  u = s_p/√n and ν = the dof of s_p.
  Type B: ``Component.type_b`` with one of: ``standard_uncertainty``; ``expanded`` and ``k`` (a
  reference standard's certificate); ``expanded`` and ``p`` with ``dof`` (k = t_p(ν)); ``half_width``
  and ``distribution`` (rectangular √3, triangular √6, arcsine √2, normal needs k). ν defaults to
  infinity; ``reliability`` (the relative uncertainty of u, e.g. 0.25) gives ν = ½·reliability⁻²
  (GUM G.4.2).

Model
  A callable taking the components' symbols as keyword arguments (GTC ``ureal`` objects) and
  returning the output; any GTC function may be used (``GTC.function``, arithmetic). Without a
  model the output is the linear sum Σ c_i·x_i with each component's ``sensitivity`` (default 1).
  With a model the sensitivities are the model's partial derivatives (GTC ``rp.sensitivity``).

Coverage factor (our choice, documented and tested)
  ν_eff is truncated to the next lower integer (GUM G.4.1 note 1; EA-4/02 M:2013 Annex E) and
  k = t_p(ν_eff), rounded to two decimals; U = k·u_c with that stated k. The default p is
  95.45 % — the probability of ±2σ of the normal distribution — so that k = 2.00 for ν_eff = ∞
  and k follows EA-4/02 Table E.1 (ν=16 → 2.17) otherwise: this is the “k = 2, about 95 %” of
  ILAC-P14 and EA-4/02. Pass ``p=95`` for the GUM's t_95 (ν=16 → 2.12, ν=∞ → 1.96).

Units
  Every value of a component is in that component's ``unit``; ``Component.converted`` changes it
  (``caltrace.core.units``: the estimate with the scale offset, u as a difference). The output is
  in the budget's ``unit``; contributions are in the output unit.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, replace
from decimal import Decimal

P_K2 = 100 * math.erf(2 / math.sqrt(2))  # 95.449973…: k = 2 at infinite dof
DEFAULT_P = P_K2
DIVISORS = {"rectangular": math.sqrt(3), "triangular": math.sqrt(6), "arcsine": math.sqrt(2), "u-shaped": math.sqrt(2)}
INF = math.inf


class BudgetError(ValueError):
    """A component or a budget that cannot be evaluated."""


def _num(x) -> float:
    return float(x)


def k_for(dof: float, p: float = DEFAULT_P) -> float:
    """Coverage factor for ``p`` % from the t distribution with ν_eff truncated down to an integer
    (infinite stays infinite), rounded to two decimals. k_for(inf) == 2.0; k_for(16, 95) == 2.12."""
    from GTC import reporting

    if dof is None or math.isinf(dof) or math.isnan(dof):
        nu = math.inf
    else:
        nu = max(1, math.floor(dof))
    return round(reporting.k_factor(nu, p), 2)


@dataclass(frozen=True)
class Component:
    """One input quantity of the budget. ``symbol`` is its name in the model (a Python identifier)."""

    symbol: str
    name: str  # 中文名称, e.g. "标准砝码"
    name_en: str  # "reference weight"
    kind: str  # "A" | "B"
    estimate: float
    standard_uncertainty: float
    dof: float = INF
    unit: str = ""
    sensitivity: float = 1.0  # used only without a model
    basis: str = ""  # how u was obtained, e.g. "U = 45 mg, k = 2 (certificate 2024-118)"
    distribution: str = "normal"

    def __post_init__(self):
        if not self.symbol.isidentifier():
            raise BudgetError(f"component symbol {self.symbol!r} must be an identifier")
        if self.kind not in ("A", "B"):
            raise BudgetError("kind is 'A' or 'B'")
        if not self.standard_uncertainty >= 0:
            raise BudgetError(f"{self.symbol}: the standard uncertainty must be ≥ 0")
        if not (self.dof is None or self.dof >= 1):
            raise BudgetError(f"{self.symbol}: degrees of freedom must be ≥ 1")

    # --- constructors -----------------------------------------------------------------------
    @classmethod
    def from_readings(cls, symbol, name, name_en, readings, *, unit="", sensitivity=1.0,
                      pooled_sd=None, pooled_dof=INF, basis=""):
        """Type A from repeated readings: the mean, u = s/√n, ν = n − 1 (GTC ``type_a.estimate``).
        With ``pooled_sd`` (s_p of an earlier assessment) u = s_p/√n and ν = ``pooled_dof``."""
        from GTC import type_a

        values = [_num(r) for r in readings]
        n = len(values)
        if pooled_sd is None:
            if n < 2:
                raise BudgetError(f"{symbol}: a Type A evaluation needs at least two readings")
            est = type_a.estimate(values)
            estimate, u, dof = est.x, est.u, est.df
            basis = basis or f"s/√n, n = {n}"
        else:
            if n < 1:
                raise BudgetError(f"{symbol}: no readings")
            estimate = math.fsum(values) / n
            u, dof = _num(pooled_sd) / math.sqrt(n), pooled_dof
            basis = basis or f"s_p/√n, s_p = {pooled_sd}, n = {n}"
        return cls(symbol, name, name_en, "A", estimate, u, dof, unit, _num(sensitivity), basis, "normal")

    @classmethod
    def type_b(cls, symbol, name, name_en, estimate=0.0, *, unit="", standard_uncertainty=None,
               expanded=None, k=None, p=None, half_width=None, distribution=None, dof=None,
               reliability=None, sensitivity=1.0, basis=""):
        """Type B from exactly one of: ``standard_uncertainty``; ``expanded`` with ``k`` or with
        ``p`` (%) and ``dof``; ``half_width`` with ``distribution`` (normal needs ``k``)."""
        given = [standard_uncertainty is not None, expanded is not None, half_width is not None]
        if sum(given) != 1:
            raise BudgetError(f"{symbol}: give one of standard_uncertainty, expanded, half_width")
        if reliability is not None:
            if dof is not None:
                raise BudgetError(f"{symbol}: give dof or reliability, not both")
            dof = 0.5 / _num(reliability) ** 2
        dof = INF if dof is None else _num(dof)
        dist = distribution or "normal"
        if standard_uncertainty is not None:
            u = _num(standard_uncertainty)
            basis = basis or "u"
        elif expanded is not None:
            if k is None and p is None:
                raise BudgetError(f"{symbol}: an expanded uncertainty needs its k (or p and dof)")
            if k is None:
                from GTC import reporting

                k = reporting.k_factor(dof, _num(p))
                basis = basis or f"U = {expanded}, p = {p} %, ν = {dof:g} → k = {k:.2f}"
            u = _num(expanded) / _num(k)
            basis = basis or f"U = {expanded}, k = {k}"
        else:
            if dist == "normal":
                if k is None:
                    raise BudgetError(f"{symbol}: a normal half-width needs its k")
                divisor = _num(k)
            elif dist in DIVISORS:
                divisor = DIVISORS[dist]
            else:
                raise BudgetError(f"{symbol}: unknown distribution {dist!r}")
            u = _num(half_width) / divisor
            basis = basis or f"a = {half_width}, {dist}"
        return cls(symbol, name, name_en, "B", _num(estimate), u, dof, unit, _num(sensitivity), basis, dist)

    def converted(self, to_unit: str) -> "Component":
        """The same component with its estimate and uncertainty in ``to_unit``."""
        from caltrace.core import units

        if not self.unit:
            raise BudgetError(f"{self.symbol}: no unit to convert from")
        est = units.convert(Decimal(repr(self.estimate)), self.unit, to_unit)
        u = units.convert_difference(Decimal(repr(self.standard_uncertainty)), self.unit, to_unit)
        return replace(self, estimate=float(est), standard_uncertainty=float(u), unit=to_unit)

    def ureal(self):
        from GTC import ureal

        return ureal(self.estimate, self.standard_uncertainty, self.dof, label=self.symbol)


@dataclass(frozen=True)
class BudgetRow:
    symbol: str
    name: str
    name_en: str
    kind: str
    estimate: float
    unit: str
    standard_uncertainty: float  # u(x_i), in the component's unit
    distribution: str
    basis: str
    sensitivity: float  # c_i = ∂f/∂x_i
    contribution: float  # |c_i|·u(x_i), in the output unit
    dof: float  # ν_i (inf = infinite)


@dataclass(frozen=True)
class BudgetResult:
    measurand: str
    measurand_en: str
    unit: str
    value: float
    combined_standard_uncertainty: float  # u_c
    effective_dof: float  # ν_eff, Welch–Satterthwaite (inf when all inputs are infinite)
    coverage_probability: float  # p in %
    coverage_factor: float  # k
    expanded_uncertainty: float  # U = k·u_c
    rows: tuple[BudgetRow, ...] = field(default_factory=tuple)
    model_text: str = ""

    # --- keep with the record ---------------------------------------------------------------
    def to_dict(self) -> dict:
        """JSON-able (json.dumps works): infinite dof is written as None."""
        data = asdict(self)
        data["effective_dof"] = _dof_out(self.effective_dof)
        data["rows"] = [{**asdict(r), "dof": _dof_out(r.dof)} for r in self.rows]
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "BudgetResult":
        rows = tuple(BudgetRow(**{**r, "dof": _dof_in(r["dof"])}) for r in data.get("rows", ()))
        return cls(**{**data, "effective_dof": _dof_in(data["effective_dof"]), "rows": rows})

    # --- the uncertainty evaluation report --------------------------------------------------
    def as_report_rows(self) -> list[dict]:
        """One dict of display strings per component, in budget order, for the uncertainty
        evaluation report (测量不确定度评定报告): symbol, name, name_en, kind, estimate, unit, u,
        distribution, basis, c, contribution, dof ("∞" for infinite)."""
        return [
            {
                "symbol": r.symbol, "name": r.name, "name_en": r.name_en, "kind": r.kind,
                "estimate": _g(r.estimate), "unit": r.unit, "u": _g(r.standard_uncertainty, 3),
                "distribution": r.distribution, "basis": r.basis, "c": _g(r.sensitivity, 4),
                "contribution": _g(r.contribution, 3), "dof": _dof_text(r.dof),
            }
            for r in self.rows
        ]

    def summary(self) -> dict:
        """The closing lines of the report as display strings."""
        return {
            "value": _g(self.value, 12), "unit": self.unit, "u_c": _g(self.combined_standard_uncertainty, 3),
            "dof": _dof_text(self.effective_dof), "p": f"{self.coverage_probability:.2f}",
            "k": f"{self.coverage_factor:.2f}", "U": _g(self.expanded_uncertainty, 3),
        }

    def as_text(self) -> str:
        """A plain-text uncertainty evaluation report (the PDF is rendered elsewhere)."""
        lines = [f"测量不确定度评定 / Uncertainty evaluation: {self.measurand} / {self.measurand_en} [{self.unit}]"]
        if self.model_text:
            lines.append(f"模型 / Model: {self.model_text}")
        lines.append("x_i | 名称 / name | 类型 | x_i | u(x_i) | 分布 | c_i | |c_i|·u(x_i) | ν_i")
        for r in self.as_report_rows():
            lines.append(
                f"{r['symbol']} | {r['name']} / {r['name_en']} | {r['kind']} | {r['estimate']} {r['unit']} | "
                f"{r['u']} {r['unit']} | {r['distribution']} | {r['c']} | {r['contribution']} {self.unit} | {r['dof']}"
            )
        s = self.summary()
        lines += [
            f"y = {s['value']} {self.unit}",
            f"u_c = {s['u_c']} {self.unit}, ν_eff = {s['dof']}",
            f"k = {s['k']} (p ≈ {s['p']} %), U = {s['U']} {self.unit}",
        ]
        return "\n".join(lines)


def _dof_out(d):
    return None if d is None or math.isinf(d) else d


def _dof_in(d):
    return INF if d is None else d


def _dof_text(d) -> str:
    return "∞" if d is None or math.isinf(d) else f"{d:.1f}"


def _g(x: float, digits: int = 8) -> str:
    return format(x, f".{digits}g")


@dataclass
class Budget:
    """A measurement model with its input components; ``evaluate`` computes the budget."""

    measurand: str
    measurand_en: str
    unit: str
    components: list[Component]
    model: object = None  # callable(**ureals) -> ureal; None: Σ c_i·x_i
    model_text: str = ""

    def evaluate(self, p: float = DEFAULT_P) -> BudgetResult:
        from GTC import rp

        symbols = [c.symbol for c in self.components]
        if not symbols:
            raise BudgetError("a budget needs at least one component")
        if len(set(symbols)) != len(symbols):
            raise BudgetError("component symbols must be unique")
        inputs = {c.symbol: c.ureal() for c in self.components}
        if self.model is None:
            y = sum((c.sensitivity * inputs[c.symbol] for c in self.components[1:]),
                    self.components[0].sensitivity * inputs[self.components[0].symbol])
        else:
            y = self.model(**inputs)
        uc = y.u
        if not uc > 0:
            raise BudgetError("the combined standard uncertainty is zero")
        rows = []
        for c in self.components:
            x = inputs[c.symbol]
            ci = rp.sensitivity(y, x)
            rows.append(BudgetRow(c.symbol, c.name, c.name_en, c.kind, c.estimate, c.unit,
                                  c.standard_uncertainty, c.distribution, c.basis, ci,
                                  abs(rp.u_component(y, x)), c.dof))
        dof = y.df
        k = k_for(dof, p)
        return BudgetResult(self.measurand, self.measurand_en, self.unit, y.x, uc,
                            INF if math.isinf(dof) or math.isnan(dof) else dof, p, k, k * uc,
                            tuple(rows), self.model_text)

    @staticmethod
    def evaluate_model(model, inputs: list[Component], *, measurand="", measurand_en="", unit="",
                       p: float = DEFAULT_P, model_text="") -> BudgetResult:
        """Shortcut: ``Budget.evaluate_model(model, inputs)``."""
        return Budget(measurand, measurand_en, unit, list(inputs), model, model_text).evaluate(p)


def reported(result: BudgetResult, *, cmc=None, x=None, policy=None, digits: int = 2) -> dict:
    """The reported value and U of a result per ILAC-P14, with the CMC floor (PRH-5):
    {"value", "U", "k", "p", "unit", "raised_to_cmc", "cmc", "policy"} — strings for the certificate.
    ``cmc`` is a number in the result's unit or a ScopeItem (``cmc_at``); x defaults to the value."""
    from caltrace.calibration import reporting

    out = reporting.report_value(result.value, result.expanded_uncertainty, cmc=cmc, x=x, unit=result.unit,
                                 digits=digits, policy=policy or reporting.DEFAULT_POLICY)
    return {**out, "k": f"{result.coverage_factor:.2f}", "p": f"{result.coverage_probability:.2f}", "unit": result.unit}
