"""Uncertainty budget building blocks, ILAC-P14 rounding and the CMC floor (REC-1, PRH-5)."""

import json
import math
import statistics
from decimal import Decimal

import pytest

from caltrace.calibration import reporting
from caltrace.calibration.reporting import apply_cmc_floor, round_for_report, round_uncertainty
from caltrace.calibration.uncertainty import Budget, BudgetError, BudgetResult, Component, k_for, reported
from caltrace.org.choices import CmcForm
from caltrace.org.models import ScopeItem

READINGS = [10.0012, 10.0009, 10.0015, 10.0011, 10.0010, 10.0013]


# --- components -------------------------------------------------------------------------------

def test_type_a_from_readings_is_stdev_over_root_n_with_n_minus_1_dof():
    c = Component.from_readings("r", "重复性", "repeatability", READINGS, unit="V")
    assert c.kind == "A"
    assert c.estimate == pytest.approx(statistics.fmean(READINGS))
    assert c.standard_uncertainty == pytest.approx(statistics.stdev(READINGS) / math.sqrt(len(READINGS)))
    assert c.dof == len(READINGS) - 1


def test_type_a_with_pooled_standard_deviation():
    c = Component.from_readings("r", "重复性", "repeatability", [1, 2, 3, 6], pooled_sd=0.4, pooled_dof=19)
    assert c.estimate == 3 and c.standard_uncertainty == pytest.approx(0.2) and c.dof == 19


def test_type_a_needs_two_readings():
    with pytest.raises(BudgetError):
        Component.from_readings("r", "重复性", "repeatability", [1.0])


def test_resolution_rectangular_half_width_over_root_3_and_triangular_root_6():
    res = Component.type_b("res", "分辨力", "resolution", half_width=0.0005, distribution="rectangular")
    assert res.standard_uncertainty == pytest.approx(0.0005 / math.sqrt(3))
    assert math.isinf(res.dof)
    tri = Component.type_b("t", "三角", "triangular", half_width=0.6, distribution="triangular")
    assert tri.standard_uncertainty == pytest.approx(0.6 / math.sqrt(6))
    arc = Component.type_b("a", "反正弦", "arcsine", half_width=0.2, distribution="arcsine")
    assert arc.standard_uncertainty == pytest.approx(0.2 / math.sqrt(2))


def test_reference_certificate_expanded_and_k():
    ref = Component.type_b("ref", "参考标准", "reference standard", 9.99998, unit="V", expanded=0.000012, k=2)
    assert ref.standard_uncertainty == pytest.approx(0.000006) and ref.estimate == 9.99998


def test_expanded_with_p_and_dof_uses_t_distribution():
    c = Component.type_b("c", "比较仪", "comparator", expanded=10.0, p=95, dof=5)
    assert c.standard_uncertainty == pytest.approx(10.0 / 2.5706, rel=1e-4)
    assert c.dof == 5


def test_reliability_gives_dof_per_gum_g_4_2():
    c = Component.type_b("c", "温差", "temperature difference", half_width=0.05, distribution="rectangular",
                         reliability=0.25)
    assert c.dof == pytest.approx(8)


@pytest.mark.parametrize("kwargs", [
    {},
    {"standard_uncertainty": 1, "expanded": 2, "k": 2},
    {"expanded": 2},
    {"half_width": 1, "distribution": "normal"},
    {"half_width": 1, "distribution": "lognormal"},
    {"standard_uncertainty": 1, "dof": 4, "reliability": 0.1},
])
def test_type_b_refuses_ambiguous_input(kwargs):
    with pytest.raises(BudgetError):
        Component.type_b("x", "x", "x", **kwargs)


def test_component_converted_carries_units():
    mg = Component.type_b("m", "砝码", "weight", 500, unit="mg", expanded=0.02, k=2)
    g = mg.converted("g")
    assert g.unit == "g" and g.estimate == pytest.approx(0.5) and g.standard_uncertainty == pytest.approx(0.00001)
    # A temperature converts with its offset, its uncertainty without.
    t = Component.type_b("t", "温度", "temperature", 25, unit="degC", standard_uncertainty=0.1).converted("K")
    assert t.estimate == pytest.approx(298.15) and t.standard_uncertainty == pytest.approx(0.1)


# --- budgets ----------------------------------------------------------------------------------

def _voltage_budget(**kw):
    return Budget(
        "直流电压示值误差", "error of DC voltage indication", "V",
        [
            Component.from_readings("V_X", "被校表示值", "indication", READINGS, unit="V"),
            Component.type_b("V_S", "标准源输出", "calibrator output", 10.0, unit="V", expanded=0.000012, k=2,
                             sensitivity=-1),
            Component.type_b("res", "分辨力", "resolution", 0.0, unit="V", half_width=0.00005,
                             distribution="rectangular"),
        ],
        **kw,
    )


def test_linear_budget_rows_and_welch_satterthwaite():
    result = _voltage_budget().evaluate()
    u = [statistics.stdev(READINGS) / math.sqrt(6), 0.000006, 0.00005 / math.sqrt(3)]
    uc = math.sqrt(sum(x * x for x in u))
    assert result.value == pytest.approx(statistics.fmean(READINGS) - 10.0)
    assert result.combined_standard_uncertainty == pytest.approx(uc)
    assert [r.sensitivity for r in result.rows] == pytest.approx([1, -1, 1])
    assert [r.contribution for r in result.rows] == pytest.approx(u)
    assert result.effective_dof == pytest.approx(uc ** 4 / (u[0] ** 4 / 5))  # only Type A is finite
    assert result.coverage_factor == k_for(result.effective_dof)
    assert result.expanded_uncertainty == pytest.approx(result.coverage_factor * uc)


def test_model_sensitivities_come_from_the_model():
    b = Budget("功率", "power", "W", [
        Component.type_b("V", "电压", "voltage", 10.0, unit="V", standard_uncertainty=0.01),
        Component.type_b("R", "电阻", "resistance", 5.0, unit="ohm", standard_uncertainty=0.005),
    ], model=lambda V, R: V * V / R)
    result = b.evaluate()
    assert result.value == pytest.approx(20.0)
    assert [r.sensitivity for r in result.rows] == pytest.approx([2 * 10 / 5, -100 / 25])
    assert result.combined_standard_uncertainty == pytest.approx(math.hypot(4 * 0.01, 4 * 0.005))
    assert Budget.evaluate_model(b.model, b.components, unit="W").value == result.value


def test_welch_satterthwaite_two_equal_components():
    b = Budget("y", "y", "", [Component("a", "a", "a", "A", 0.0, 1.0, 4),
                              Component("b", "b", "b", "B", 0.0, 1.0)])
    assert b.evaluate().effective_dof == pytest.approx(16)  # (1+1)² / (1/4)


def test_infinite_dof_gives_k_2_at_default_p_and_1_96_at_95():
    """Decision: default p is 95.45 % (±2σ), so k = 2.00 at ν_eff = ∞ as ILAC-P14/EA-4/02 use;
    p=95 gives the GUM's t_95 (1.96 at ∞)."""
    b = Budget("y", "y", "V", [Component.type_b("a", "a", "a", 1.0, unit="V", expanded=0.2, k=2),
                               Component.type_b("b", "b", "b", 0.0, unit="V", half_width=0.1,
                                                distribution="rectangular")])
    result = b.evaluate()
    assert math.isinf(result.effective_dof) and result.coverage_factor == 2.0
    assert result.expanded_uncertainty == pytest.approx(2 * result.combined_standard_uncertainty)
    assert b.evaluate(p=95).coverage_factor == 1.96


def test_k_follows_t_distribution_truncating_dof():
    # EA-4/02 M:2013 Table E.1 (p = 95.45 %): ν=1 13.97, 2 4.53, 5 2.65, 10 2.28, 16 2.17, 20 2.13, 50 2.05.
    assert [k_for(n) for n in (1, 2, 5, 10, 16, 20, 50)] == [13.97, 4.53, 2.65, 2.28, 2.17, 2.13, 2.05]
    # GUM Table G.2 (p = 95 %): ν=16 2.12; ν_eff 16.7 is truncated to 16.
    assert k_for(16, 95) == k_for(16.7, 95) == 2.12
    assert k_for(0.6) == 13.97  # below one degree of freedom is taken as one


def test_budget_refuses_bad_input():
    with pytest.raises(BudgetError):
        Budget("y", "y", "", []).evaluate()
    with pytest.raises(BudgetError):
        Budget("y", "y", "", [Component("a", "a", "a", "B", 1.0, 0.1), Component("a", "a", "a", "B", 1.0, 0.1)]).evaluate()
    with pytest.raises(BudgetError):
        Component("not valid", "a", "a", "B", 1.0, 0.1)


def test_result_json_round_trip_and_report_rows():
    result = _voltage_budget(model_text="E = V_X − V_S").evaluate()
    data = json.loads(json.dumps(result.to_dict()))
    assert data["unit"] == "V" and data["effective_dof"] == pytest.approx(result.effective_dof)
    assert BudgetResult.from_dict(data) == result
    rows = result.as_report_rows()
    assert len(rows) == 3 and rows[0]["kind"] == "A" and rows[0]["dof"] == "5.0" and rows[2]["dof"] == "∞"
    assert rows[1]["c"] == "-1" and rows[2]["distribution"] == "rectangular"
    assert set(result.summary()) == {"value", "unit", "u_c", "dof", "p", "k", "U"}
    assert "E = V_X − V_S" in result.as_text()


# --- ILAC-P14 rounding ------------------------------------------------------------------------

@pytest.mark.parametrize("U, policy, expected", [
    (0.002346, "up", "0.0024"),
    (0.002346, "nearest", "0.0023"),
    (0.002346, "ea", "0.0023"),  # nearest lowers U by 2 % (< 5 %)
    (0.0024, "up", "0.0024"),
    (3 * 0.0008, "up", "0.0024"),  # float 0.0024000000000000002 is not pushed up to 0.0025
    (0.000008, "up", "0.0000080"),
    (0.0996, "up", "0.10"),
    (99.6, "up", "100"),
    (58.52, "up", "59"),
    (0.0585, "nearest", "0.059"),
    (12, "up", "12"),
    ("0.01201", "up", "0.013"),
])
def test_round_uncertainty_two_significant_digits(U, policy, expected):
    assert format(round_uncertainty(U, policy=policy), "f") == expected


def test_ea_rule_rounds_up_when_nearest_loses_more_than_5_percent():
    # One significant digit: 0.0014 → nearest 0.001 loses 29 %, so EA-4/02 takes 0.002.
    assert round_uncertainty(0.0014, digits=1, policy="ea") == Decimal("0.002")
    assert round_uncertainty(0.0014, digits=1, policy="nearest") == Decimal("0.001")


def test_round_for_report_rounds_value_to_last_digit_of_u():
    assert round_for_report(1.0000712, 0.000008) == ("1.0000712", "0.0000080")
    assert round_for_report(1.00007126, 0.0000080) == ("1.0000713", "0.0000080")
    assert round_for_report(10.000478, 0.002346) == ("10.0005", "0.0024")
    assert round_for_report(-0.00004, 0.0024) == ("0.0000", "0.0024")
    assert round_for_report(1234.5, 99.6) == ("1230", "100")


def test_rounding_refuses_nonsense():
    with pytest.raises(ValueError):
        round_uncertainty(0)
    with pytest.raises(ValueError):
        round_uncertainty(0.1, digits=3)
    with pytest.raises(ValueError):
        round_uncertainty(0.1, policy="banker")


# --- CMC floor (PRH-5) ------------------------------------------------------------------------

def _scope(form, a=0, b=0, unit="V"):
    # An unsaved ScopeItem is enough: cmc_at is arithmetic on its fields.
    return ScopeItem(unit=unit, cmc_form=form, cmc_a=Decimal(a), cmc_b=Decimal(b), cmc_k=Decimal(2),
                     range_min=Decimal(0), range_max=Decimal(1000))


def test_apply_cmc_floor_raises_u_below_cmc():
    assert apply_cmc_floor(Decimal("0.0010"), Decimal("0.0012")) == (Decimal("0.0012"), True)
    assert apply_cmc_floor(Decimal("0.0015"), Decimal("0.0012")) == (Decimal("0.0015"), False)
    item = _scope(CmcForm.LINEAR, a="0.00002", b="0.000005")  # U = 5e-6·x + 20 µV
    U, raised = apply_cmc_floor(Decimal("0.00003"), item, Decimal("10"))
    assert raised and U == Decimal("0.00007")


def test_cmc_floor_converts_units_of_scope_item():
    item = _scope(CmcForm.RELATIVE, b="0.00001", unit="V")  # Urel = 1e-5
    # Result in mV at 10 000 mV (= 10 V): CMC is 0.0001 V = 0.1 mV.
    U, raised = apply_cmc_floor(Decimal("0.05"), item, Decimal("10000"), unit="mV")
    assert raised and U == Decimal("0.1")


def test_reported_u_below_cmc_is_raised_to_the_cmc():
    """PRH-5: the reported U of a budget is never smaller than the accredited CMC at that point."""
    result = _voltage_budget().evaluate()  # E ≈ 0.00117 V, U = 2.52 × 0.000093 V ≈ 0.00023 V
    assert result.expanded_uncertainty < 0.00030
    item = _scope(CmcForm.ABSOLUTE, a="0.00030")
    out = reported(result, cmc=item, x=Decimal("10"))
    assert out["raised_to_cmc"] is True
    assert out["U"] == "0.00030" and out["cmc"] == "0.00030" and out["k"] == "2.52"
    assert out["value"] == "0.00117"
    assert reported(result)["U"] == "0.00024" and reported(result)["raised_to_cmc"] is False
    # A CMC below the evaluated U changes nothing.
    out = reported(result, cmc=_scope(CmcForm.ABSOLUTE, a="0.00001"), x=Decimal("10"))
    assert out["raised_to_cmc"] is False and Decimal(out["U"]) >= Decimal(repr(result.expanded_uncertainty))


def test_nearest_rounding_cannot_bring_u_back_under_the_cmc():
    out = reporting.report_value(Decimal("1.00000"), Decimal("0.01204"), cmc=Decimal("0.01203"), policy="nearest")
    assert out["U"] == "0.013" and out["raised_to_cmc"] is True
    out = reporting.report_value(Decimal("1.00000"), Decimal("0.01204"), cmc=Decimal("0.0100"), policy="nearest")
    assert out["U"] == "0.012" and out["raised_to_cmc"] is False
