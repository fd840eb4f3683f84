"""Published worked examples reproduced to their published figures (issue 4 item 4, REC-1).

Each test names its source and the published figures it checks. Our computation is GTC's
first-order (GUM) propagation; the comparison is made at the rounding the source publishes.
"""

import json
import math

import pytest

from caltrace.calibration import reporting
from caltrace.calibration.uncertainty import Budget, BudgetResult, Component, reported

MG = 1e-3  # g


def ea_4_02_s2_budget() -> Budget:
    """EA-4/02 M:2013, Supplement 2, Example S2 — calibration of a weight of nominal value 10 kg
    (OIML class M1) against a reference weight of the same nominal value (class F2), by
    substitution on a mass comparator. Model m_X = m_S + δm_D + δm + δm_C + δB (all in g)."""
    return Budget(
        measurand="被校砝码质量 m_X", measurand_en="conventional mass of the 10 kg weight m_X", unit="g",
        model_text="m_X = m_S + δm_D + δm + δm_C + δB",
        components=[
            # Certificate of the reference: 10 000.005 g, U = 45 mg, k = 2.
            Component.type_b("m_S", "标准砝码", "reference weight", 10000.005, unit="g", expanded=45 * MG, k=2),
            # Drift of the reference since its calibration: zero within ±15 mg, rectangular.
            Component.type_b("dm_D", "标准砝码漂移", "drift of the standard", 0.0, unit="g",
                             half_width=15 * MG, distribution="rectangular"),
            # Three substitution differences +0.010 g, +0.030 g, +0.020 g; pooled s_p = 25 mg
            # from an earlier assessment of the comparator, so u = 25 mg/√3.
            Component.from_readings("dm", "观测质量差", "observed difference", [0.010, 0.030, 0.020],
                                    unit="g", pooled_sd=25 * MG),
            # Comparator: eccentricity and magnetic effects, ±10 mg rectangular.
            Component.type_b("dm_C", "比较仪", "comparator", 0.0, unit="g", half_width=10 * MG,
                             distribution="rectangular"),
            # Air buoyancy: no correction, limits ±1×10⁻⁶ of the nominal value (±10 mg), rectangular.
            Component.type_b("dB", "空气浮力", "air buoyancy", 0.0, unit="g", half_width=10 * MG,
                             distribution="rectangular"),
        ],
        model=lambda m_S, dm_D, dm, dm_C, dB: m_S + dm_D + dm + dm_C + dB,
    )


def test_ea_4_02_example_s2_weight_10_kg():
    """Source: EA-4/02 M:2013 “Evaluation of the Uncertainty of Measurement in Calibration”,
    Supplement 2, Example S2 (calibration of a weight of nominal value 10 kg).

    Published figures: contributions to u(m_X) 22.5 mg (reference), 8.66 mg (drift), 14.4 mg
    (observed difference), 5.77 mg (comparator), 5.77 mg (buoyancy); m_X = 10 000.025 g,
    u(m_X) = 29.3 mg; U = k·u = 2 × 29.3 mg ≅ 59 mg; reported “10.000 025 kg ± 59 mg”.
    """
    result = ea_4_02_s2_budget().evaluate()
    by = {r.symbol: r for r in result.rows}
    assert [round(by[s].contribution / MG, 2) for s in ("m_S", "dm_D", "dm", "dm_C", "dB")] == [
        22.5, 8.66, 14.43, 5.77, 5.77]  # published to 3 significant digits: 14.4
    assert round(by["dm"].contribution / MG, 1) == 14.4
    assert all(r.sensitivity == pytest.approx(1.0) for r in result.rows)
    assert result.value == pytest.approx(10000.025, abs=1e-9)
    assert round(result.combined_standard_uncertainty / MG, 1) == 29.3
    assert math.isinf(result.effective_dof)
    assert result.coverage_factor == 2.0
    value, U = reporting.round_for_report(result.value, result.expanded_uncertainty)
    assert (value, U) == ("10000.025", "0.059")  # 10.000 025 kg ± 59 mg
    # The same under ordinary (ILAC-P14 "usual") rounding: 58.5 mg → 59 mg.
    assert reporting.round_for_report(result.value, result.expanded_uncertainty, policy="nearest") == (value, U)


def gum_h1_budget() -> Budget:
    """JCGM 100:2008 (GUM) H.1 — end-gauge calibration: a 50 mm gauge block compared with a
    standard of the same nominal length. Lengths in mm, temperatures as deviations from 20 °C.
    Model (H.1.2): l = [l_S(1 + α_S θ_S) + d] / (1 + α θ), θ_S = θ − δθ, α = α_S + δα,
    with d = d̄ + d₁ + d₂ (repeated observations, random and systematic comparator effects)."""
    nm = 1e-6  # mm
    return Budget(
        measurand="量块长度 l", measurand_en="length of the end gauge l", unit="mm",
        model_text="l = [l_S(1 + α_S(θ − δθ)) + d̄ + d₁ + d₂] / (1 + (α_S + δα)θ)",
        components=[
            # Standard's certificate: 50.000 623 mm, U = 0.075 µm with k = 3, ν_eff = 18.
            Component.type_b("l_S", "标准量块长度", "length of the standard", 50.000623, unit="mm",
                             expanded=75 * nm, k=3, dof=18),
            # 25 repeated observations, pooled s = 13 nm; the mean of 5 is used: u = 13 nm/√5, ν = 24.
            Component("d_bar", "长度差观测平均值", "mean of observed differences", "A", 215 * nm,
                      13 * nm / math.sqrt(5), 24, "mm", basis="s_p/√5, s_p = 13 nm"),
            # Comparator random effects: 0.01 µm at 95 % from 6 comparisons, ν = 5 → /t_95(5) = 2.57.
            Component.type_b("d1", "比较仪随机效应", "comparator random effects", 0.0, unit="mm",
                             expanded=10 * nm, p=95, dof=5),
            # Comparator systematic effects: 0.02 µm at "three standard deviations", reliable to 25 %.
            Component.type_b("d2", "比较仪系统效应", "comparator systematic effects", 0.0, unit="mm",
                             expanded=20 * nm, k=3, reliability=0.25),
            # Expansion coefficient of the standard: 11.5×10⁻⁶ °C⁻¹ within ±2×10⁻⁶ °C⁻¹, rectangular.
            Component.type_b("alpha_S", "标准量块线膨胀系数", "expansion coefficient of the standard", 11.5e-6,
                             unit="1/K", half_width=2e-6, distribution="rectangular"),
            # Temperature deviation of the bench: −0.1 °C, u = 0.41 °C (0.2 °C mean, 0.35 °C cycling).
            Component.type_b("theta", "温度偏差", "deviation of bench temperature from 20 °C", -0.1,
                             unit="delta_degC", standard_uncertainty=0.41),
            # Difference of the expansion coefficients: ±1×10⁻⁶ °C⁻¹ rectangular, reliable to 10 %.
            Component.type_b("delta_alpha", "线膨胀系数差", "difference in expansion coefficients", 0.0,
                             unit="1/K", half_width=1e-6, distribution="rectangular", reliability=0.10),
            # Difference of the gauges' temperatures: ±0.05 °C rectangular, reliable to 50 %.
            Component.type_b("delta_theta", "温度差", "difference in temperatures of the gauges", 0.0,
                             unit="delta_degC", half_width=0.05, distribution="rectangular", reliability=0.50),
        ],
        model=lambda l_S, d_bar, d1, d2, alpha_S, theta, delta_alpha, delta_theta: (
            (l_S * (1 + alpha_S * (theta - delta_theta)) + d_bar + d1 + d2) / (1 + (alpha_S + delta_alpha) * theta)
        ),
    )


def test_gum_h1_end_gauge_calibration():
    """Source: JCGM 100:2008 (GUM 1995 with minor corrections), Annex H.1 “End-gauge calibration”,
    Table H.1 and H.1.6.

    Published figures: l = 50.000 838 mm; contributions |c_i|u(x_i): l_S 25 nm, d 9.7 nm,
    δα 2.9 nm, δθ 16.6 nm, α_S and θ 0 (first order); u_c(l) = 32 nm; ν_eff(l) = 16
    (16.7 truncated); t_95(16) = 2.12; U_95 = 68 nm: “l = (50.000 838 ± 0.000 068) mm”.
    The GUM uses p = 95 % here, so the budget is evaluated with p=95. Our U = 2.12 × 31.7 nm =
    67.1 nm reaches the published 68 nm through the default round-up (the GUM multiplied the
    already rounded u_c = 32 nm); GUM 7.2.6 allows rounding uncertainties up.
    """
    nm = 1e-6
    result = gum_h1_budget().evaluate(p=95)
    by = {r.symbol: r for r in result.rows}
    assert result.value == pytest.approx(50.000838, abs=0.5 * nm)
    assert round(by["l_S"].contribution / nm, 0) == 25
    d = math.hypot(by["d_bar"].contribution, by["d1"].contribution, by["d2"].contribution)
    assert round(d / nm, 1) == 9.7
    assert round(by["delta_alpha"].contribution / nm, 1) == 2.9
    assert round(by["delta_theta"].contribution / nm, 1) == 16.6
    assert by["alpha_S"].contribution / nm < 0.05 and by["theta"].contribution / nm < 0.05
    assert round(by["l_S"].dof) == 18 and round(by["d2"].dof) == 8 and round(by["delta_alpha"].dof) == 50
    assert round(by["delta_theta"].dof) == 2
    assert round(by["d1"].standard_uncertainty / nm, 1) == 3.9
    assert round(result.combined_standard_uncertainty / nm) == 32
    assert 16 <= result.effective_dof < 17  # published 16.7 → 16
    assert result.coverage_factor == 2.12
    assert reporting.round_for_report(result.value, result.expanded_uncertainty) == ("50.000838", "0.000068")


def test_worked_example_keeps_with_record_and_prints():
    """The EA-4/02 S2 budget survives a JSON round trip and prints as the evaluation report."""
    result = ea_4_02_s2_budget().evaluate()
    data = json.loads(json.dumps(result.to_dict()))
    assert data["effective_dof"] is None  # infinite
    assert BudgetResult.from_dict(data) == result
    rows = result.as_report_rows()
    assert [r["symbol"] for r in rows] == ["m_S", "dm_D", "dm", "dm_C", "dB"]
    assert rows[0]["name_en"] == "reference weight" and rows[0]["dof"] == "∞"
    text = result.as_text()
    assert "m_X = m_S + δm_D + δm + δm_C + δB" in text and "k = 2.00" in text and "标准砝码" in text
    out = reported(result)
    assert out["value"] == "10000.025" and out["U"] == "0.059" and out["k"] == "2.00" and not out["raised_to_cmc"]
