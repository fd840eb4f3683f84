"""Statements of conformity and the ILAC-G8:09/2019 decision rules (GB/T 27025 7.8.6, RPT-2)."""

import json
import re
from decimal import Decimal as D

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from caltrace.calibration.conformity import (
    DecisionRule,
    Outcome,
    Specification,
    SpecificationError,
    assess_points,
    decide,
    overall,
    rule_texts,
    statement,
)
from caltrace.certificates.document import ConformityStatement

SIMPLE, GUARD, NON_BINARY = DecisionRule.SIMPLE_ACCEPTANCE, DecisionRule.GUARD_BAND, DecisionRule.NON_BINARY
P, CP, CF, F = Outcome.PASS, Outcome.CONDITIONAL_PASS, Outcome.CONDITIONAL_FAIL, Outcome.FAIL
CJK = re.compile(r"[\u3400-\u9fff]")

# Tolerance [-1, 1], U = 0.2: acceptance zone [-0.8, 0.8], conditional fail out to ±1.2.
LOW, UP, U = D("-1"), D("1"), D("0.2")
REGIONS = [
    # measured, simple, guard band, non-binary
    ("0", P, P, P),  # well inside
    ("0.8", P, P, P),  # on the edge of the acceptance zone: inside
    ("-0.8", P, P, P),
    ("0.8000001", P, F, CP),  # just inside the guard band
    ("0.9", P, F, CP),  # inside the guard band
    ("1", P, F, CP),  # on the upper limit: inside the tolerance
    ("-1", P, F, CP),  # on the lower limit
    ("1.0000001", F, F, CF),  # just outside the tolerance
    ("1.1", F, F, CF),  # outside, within U
    ("-1.1", F, F, CF),
    ("1.2", F, F, CF),  # exactly U beyond the limit: still a conditional fail
    ("1.2000001", F, F, F),
    ("2", F, F, F),  # far outside
    ("-5", F, F, F),
]


@pytest.mark.parametrize("measured,simple,guard,non_binary", REGIONS)
def test_each_rule_in_each_region(measured, simple, guard, non_binary):
    assert decide(D(measured), U, LOW, UP, SIMPLE) == simple
    assert decide(D(measured), U, LOW, UP, GUARD) == guard
    assert decide(D(measured), U, LOW, UP, NON_BINARY) == non_binary


def test_rule_may_be_given_by_its_stored_key_and_numbers_as_int_str_float():
    assert decide("0.9", "0.2", -1, 1, "guard_band_u") == F
    assert decide(0.9, 0.2, -1, 1, "non_binary") == CP
    # floats go through str: 0.3 − 0.1 is 0.19999999999999998 in binary floating point
    assert decide(0.2, 0.1, None, 0.3, GUARD) == P
    assert decide(0.1, 0, -0.1, 0.1, SIMPLE) == P


def test_zero_uncertainty_makes_every_rule_simple_acceptance():
    for measured in ("0", "1", "1.0001", "-1.5"):
        expected = decide(D(measured), 0, LOW, UP, SIMPLE)
        assert decide(D(measured), 0, LOW, UP, GUARD) == expected
        # non-binary has no conditional region when U = 0
        assert decide(D(measured), 0, LOW, UP, NON_BINARY) == expected


decimals = st.decimals(min_value=-10, max_value=10, places=4, allow_nan=False, allow_infinity=False)
uncertainties = st.decimals(min_value=0, max_value=3, places=4, allow_nan=False, allow_infinity=False)


@given(measured=decimals, u=uncertainties, a=decimals, b=decimals)
def test_rules_agree_with_one_another(measured, u, a, b):
    lower, upper = min(a, b), max(a, b)
    simple = decide(measured, u, lower, upper, SIMPLE)
    guard = decide(measured, u, lower, upper, GUARD)
    nb = decide(measured, u, lower, upper, NON_BINARY)
    assert (guard == P) == (nb == P)  # same acceptance zone
    assert (simple == P) == (nb in (P, CP))  # same tolerance
    if guard == P:
        assert simple == P  # a guard band only ever tightens
    # mirror image: the rules do not favour one side
    assert decide(-measured, u, -upper, -lower, NON_BINARY) == nb


@given(u=uncertainties, steps=st.lists(decimals, min_size=2, max_size=6))
def test_outcome_never_improves_moving_away_from_the_tolerance(u, steps):
    severity = [P, CP, CF, F]
    distances = sorted(abs(s) for s in steps)
    outcomes = [decide(UP + d, u, LOW, UP, NON_BINARY) for d in distances]
    ranks = [severity.index(o) for o in outcomes]
    assert ranks == sorted(ranks)


# --- one-sided specifications and an empty acceptance zone ------------------------------------

@pytest.mark.parametrize("measured,simple,guard,non_binary", [
    ("-100", P, P, P), ("0.4", P, P, P), ("0.45", P, F, CP), ("0.5", P, F, CP),
    ("0.55", F, F, CF), ("0.6", F, F, CF), ("0.7", F, F, F),
])
def test_upper_limit_only(measured, simple, guard, non_binary):
    spec = Specification(unit="mV", upper="0.5")
    lower, upper = spec.limits_at(D("123"))
    assert lower is None and upper == D("0.5")
    got = [decide(D(measured), D("0.1"), lower, upper, r) for r in (SIMPLE, GUARD, NON_BINARY)]
    assert got == [simple, guard, non_binary]


@pytest.mark.parametrize("measured,simple,guard,non_binary", [
    ("100", P, P, P), ("-0.4", P, P, P), ("-0.45", P, F, CP), ("-0.55", F, F, CF), ("-0.7", F, F, F),
])
def test_lower_limit_only(measured, simple, guard, non_binary):
    spec = Specification(unit="mV", lower="-0.5")
    lower, upper = spec.limits_at(0)
    assert upper is None and lower == D("-0.5")
    got = [decide(D(measured), D("0.1"), lower, upper, r) for r in (SIMPLE, GUARD, NON_BINARY)]
    assert got == [simple, guard, non_binary]


def test_empty_acceptance_zone_fails_everything_under_the_guard_band():
    lower, upper, u = D("-0.1"), D("0.1"), D("0.15")  # lower + U > upper − U
    for measured in ("0", "0.05", "-0.1", "0.1"):
        assert decide(D(measured), u, lower, upper, SIMPLE) == P
        assert decide(D(measured), u, lower, upper, GUARD) == F
        assert decide(D(measured), u, lower, upper, NON_BINARY) == CP  # nothing passes outright
    assert decide(D("0.2"), u, lower, upper, NON_BINARY) == CF
    assert decide(D("0.3"), u, lower, upper, NON_BINARY) == F


def test_acceptance_zone_of_a_single_point_still_accepts_that_point():
    assert decide(D("0"), D("0.1"), D("-0.1"), D("0.1"), GUARD) == P
    assert decide(D("0.0001"), D("0.1"), D("-0.1"), D("0.1"), GUARD) == F


@pytest.mark.parametrize("args", [
    ("0", "-0.1", "-1", "1"),  # negative U
    ("0", "0.1", None, None),  # no limit at all
    ("0", "0.1", "1", "-1"),  # lower above upper
    ("abc", "0.1", "-1", "1"),  # not a number
    ("NaN", "0.1", "-1", "1"),
])
def test_decide_refuses_what_it_cannot_judge(args):
    with pytest.raises(ValueError):
        decide(*args, SIMPLE)


def test_decide_refuses_an_unknown_rule():
    with pytest.raises(ValueError):
        decide("0", "0.1", "-1", "1", "guard_band_2u")


# --- the DMM example --------------------------------------------------------------------------

def dmm_spec():
    # ±(0.0035 % of reading + 0.0005 % of the 10 V range)
    return Specification(unit="V", relative=D("0.0035") / 100, of_range=D("0.0005") / 100, range_value=D("10"),
                         text="±(0.0035 % 读数 + 0.0005 % 量程)", source="制造商技术指标")


def test_dmm_limits_at_10_v_and_elsewhere():
    spec = dmm_spec()
    assert spec.limits_at(D("10")) == (D("-0.00040"), D("0.00040"))
    assert spec.limits_at(D("-10")) == spec.limits_at(D("10"))  # relative to |x|
    assert spec.limits_at(D("1")) == (-(D("0.000035") + D("0.00005")), D("0.000035") + D("0.00005"))
    assert spec.limits_at(D("0")) == (D("-0.00005"), D("0.00005"))


def test_dmm_small_error_passes_under_every_rule():
    lower, upper = dmm_spec().limits_at(D("10"))
    for rule in DecisionRule:
        assert decide(D("0.000052"), D("0.000070"), lower, upper, rule) == P


def test_dmm_error_near_the_limit_depends_on_the_rule():
    lower, upper = dmm_spec().limits_at(D("10"))
    error, u = D("0.00036"), D("0.00007")
    assert decide(error, u, lower, upper, SIMPLE) == P
    assert decide(error, u, lower, upper, GUARD) == F
    assert decide(error, u, lower, upper, NON_BINARY) == CP


def test_assess_points_takes_the_limits_at_each_point():
    rows = [(D("10"), D("0.000052"), D("0.00007")),
            (D("10"), D("0.00036"), D("0.00007")),
            (D("1"), D("0.00036"), D("0.00007")),  # limits ±0.000085 at 1 V: far outside
            (D("-10"), D("-0.00036"), D("0.00007"))]
    assert assess_points(rows, dmm_spec(), NON_BINARY) == [P, CP, F, CP]
    assert assess_points(iter(rows), dmm_spec(), GUARD) == [P, F, F, F]
    assert assess_points([], dmm_spec(), SIMPLE) == []


# --- Specification ----------------------------------------------------------------------------

SPECS = [
    dmm_spec(),
    Specification(unit="g", absolute="0.0005", text="±0.5 mg", source="JJG 1036-2022 E2 级"),
    Specification(unit="degC", lower="-0.3", upper="0.1", source="客户要求"),
    Specification(unit="mV", upper="0.5"),
    Specification(unit="V", relative="0.0001", absolute="0.00002"),
]


@pytest.mark.parametrize("spec", SPECS)
def test_to_dict_from_dict_round_trip_through_json(spec):
    data = spec.to_dict()
    text = json.dumps(data)
    again = Specification.from_dict(json.loads(text))
    assert again == spec
    assert again.limits_at(D("7")) == spec.limits_at(D("7"))
    assert all(isinstance(v, str) for v in data.values())


def test_numbers_are_stored_as_decimals_whatever_they_were_given_as():
    spec = Specification(unit="V", relative=0.000035, of_range="0.000005", range_value=10, absolute=D("0"))
    assert (spec.relative, spec.of_range, spec.range_value) == (D("0.000035"), D("0.000005"), D("10"))
    assert all(isinstance(v, D) for v in spec.limits_at(1))


@pytest.mark.parametrize("kwargs,field", [
    (dict(relative="-0.01"), "relative"),
    (dict(absolute="-0.1"), "absolute"),
    (dict(of_range="-0.01", range_value="10"), "of_range"),
    (dict(of_range="0.01"), "range_value"),  # a fraction of which range?
    (dict(of_range="0.01", range_value="0"), "range_value"),
    (dict(absolute="0.1", range_value="10"), "range_value"),
    (dict(lower="1", upper="-1"), "lower"),  # lower above upper
    (dict(), "relative"),  # neither form
    (dict(absolute="0.1", upper="0.1"), "lower"),  # both forms
    (dict(absolute="zero"), "absolute"),
    (dict(upper="Infinity"), "upper"),
])
def test_specification_errors_name_the_field(kwargs, field):
    with pytest.raises(SpecificationError) as err:
        Specification(unit="V", **kwargs)
    assert err.value.field == field
    assert str(err.value).startswith(field)
    assert isinstance(err.value, ValueError)


def test_specification_needs_a_unit_and_known_fields():
    with pytest.raises(SpecificationError) as err:
        Specification(unit=" ", absolute="0.1")
    assert err.value.field == "unit"
    with pytest.raises(SpecificationError) as err:
        Specification.from_dict({"absolute": "0.1"})
    assert err.value.field == "unit"
    with pytest.raises(SpecificationError) as err:
        Specification.from_dict({"unit": "V", "absolute": "0.1", "mpe": "0.2"})
    assert err.value.field == "mpe"


def test_equal_limits_are_allowed():
    spec = Specification(unit="V", lower="0", upper="0")
    assert decide(D("0"), D("0"), *spec.limits_at(0), SIMPLE) == P


# --- overall outcome, texts and the statement --------------------------------------------------

def test_overall_is_the_worst_outcome():
    order = [P, CP, CF, F]
    for i, worst in enumerate(order):
        assert overall(order[: i + 1]) == worst
        assert overall(reversed(order[: i + 1])) == worst
    assert overall(["pass", "conditional_fail", "pass"]) == CF
    assert overall(o for o in [P, P]) == P


def test_overall_of_nothing_is_an_error():
    with pytest.raises(ValueError):
        overall([])
    with pytest.raises(ValueError):
        overall(["excellent"])


@pytest.mark.parametrize("rule,section", [(SIMPLE, "4.2.1"), (GUARD, "4.2.2"), (NON_BINARY, "4.2.3")])
def test_rule_texts_name_the_rule_in_both_languages(rule, section):
    zh, en = rule_texts(rule)
    assert zh.startswith("判定规则：") and en.startswith("Decision rule:")
    assert f"ILAC-G8:09/2019 {section}" in zh and f"ILAC-G8:09/2019 {section}" in en
    assert CJK.search(zh) and not CJK.search(en)
    assert "风险" in zh and "probability" in en  # what the rule means for the risk
    with translation.override("en"):
        assert rule_texts(rule.value) == (zh, en)  # the certificate prints both whatever the language


def test_rule_texts_differ_between_rules():
    assert len({rule_texts(r) for r in DecisionRule}) == len(DecisionRule)
    assert "有条件合格" in rule_texts(NON_BINARY)[0]
    assert "有条件" not in rule_texts(GUARD)[0]


def test_statement_carries_spec_rule_texts_and_the_overall_outcome():
    spec = dmm_spec()
    rows = [(D("10"), D("0.000052"), D("0.00007")), (D("10"), D("0.00036"), D("0.00007"))]
    outcomes = assess_points(rows, spec, NON_BINARY)
    s = statement(spec, NON_BINARY, outcomes)
    assert isinstance(s, ConformityStatement)
    assert s.outcome == overall(outcomes).value == "conditional_pass"
    assert s.decision_rule == "non_binary"
    assert (s.decision_rule_text, s.decision_rule_text_en) == rule_texts(NON_BINARY)
    assert "制造商技术指标" in s.specification and spec.text in s.specification
    assert "10 V" in s.specification and "0.0035 %" in s.specification  # the limits themselves

    s = statement(spec, "guard_band_u", iter(assess_points(rows, spec, GUARD)))
    assert (s.decision_rule, s.outcome) == ("guard_band_u", "fail")


def test_statement_of_explicit_limits_names_them():
    spec = Specification(unit="degC", lower="-0.3", upper="0.1", source="客户要求")
    s = statement(spec, SIMPLE, [P])
    assert "客户要求" in s.specification and "-0.3" in s.specification and "0.1] degC" in s.specification
    one_sided = statement(Specification(unit="mV", upper="0.5"), SIMPLE, [P]).specification
    assert "0.5 mV" in one_sided and "≤" in one_sided
    with pytest.raises(ValueError):
        statement(spec, SIMPLE, [])


def test_every_outcome_and_rule_is_one_the_certificate_renderers_know():
    from caltrace.certificates.dcc import CONFORMITY
    from caltrace.certificates.pdf import CONFORMITY_TEXT

    assert {o.value for o in Outcome} == set(CONFORMITY) == set(CONFORMITY_TEXT)
    assert {r.value for r in DecisionRule} == {"simple_acceptance", "guard_band_u", "non_binary"}
