"""Results of a record: each model's budget from the readings and the reference standard's
certificate, kept with the record at sign-off; the reported U per ILAC-P14 and the CMC floor (PRH-5)."""

import math
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from caltrace.calibration import services
from caltrace.calibration.choices import EquipmentRole, MeasurementModel, ProcedureKind, ReadingRole
from caltrace.calibration.factories import make_procedure
from caltrace.calibration.instruments import simulated_bench
from caltrace.calibration.results import evaluate_record
from caltrace.org.factories import ScopeItemFactory

pytestmark = pytest.mark.django_db


def dmm_shows(point, seq):
    """The simulated DMM reads 12 µV/V high, with 2 µV more on each repeat."""
    return {"uut": point.nominal * Decimal("1.000012") + Decimal("0.000002") * seq}


def run_dmm(calibrator, *, scope_item=None, actor=None):
    procedure = make_procedure(MeasurementModel.DMM_DCV, readings_per_point=3)
    record = services.do_start_record(procedure, equipment=[(calibrator, EquipmentRole.SOURCE)],
                                      item="34465A MY12345678", actor=actor or "system:test", scope_item=scope_item)
    bench = simulated_bench(MeasurementModel.DMM_DCV, equipment={"source": calibrator}, indications=dmm_shows)
    try:
        services.do_run_automated(record, bench=bench)
    finally:
        bench.close()
    return record


def test_an_automated_run_gives_results_equal_to_the_simulated_values(calibrator_5522a, only_cnd3):
    record = services.do_sign_off_record(run_dmm(calibrator_5522a), actor="system:test")
    assert [r["nominal"] for r in record.results] == ["1", "10", "-10", "100"]
    for row, point in zip(record.results, record.procedure.points.order_by("order")):
        shown = [dmm_shows(point, s)["uut"] for s in (1, 2, 3)]
        mean = sum(shown) / 3
        assert Decimal(row["indication"]) == mean
        assert Decimal(row["reference_value"]) == point.nominal  # the calibrator's confirmed output
        assert Decimal(row["error"]) == mean - point.nominal
        budget = row["budget"]
        assert math.isclose(budget["value"], float(mean - point.nominal), rel_tol=1e-9)
        # Type A from the readings themselves: s/√n with ν = n − 1
        s = float((sum((x - mean) ** 2 for x in shown) / 2).sqrt())
        type_a = next(c for c in budget["rows"] if c["symbol"] == "V_x")
        assert math.isclose(type_a["standard_uncertainty"], s / math.sqrt(3), rel_tol=1e-6) and type_a["dof"] == 2
        # the reported U is the evaluated U rounded up to two significant digits
        U = Decimal(row["reported"]["U"])
        assert Decimal(repr(budget["expanded_uncertainty"])) <= U and len(U.normalize().as_tuple().digits) <= 2
        assert row["reported"]["raised_to_cmc"] is False


def test_the_reference_uncertainty_comes_from_its_certificate_scaled_or_interpolated(calibrator_5522a, only_cnd3):
    record = run_dmm(calibrator_5522a)
    by_nominal = {r.nominal: r for r in evaluate_record(record)}
    ten = next(c for c in by_nominal[Decimal("10")].budget.rows if c.symbol == "V_s")
    assert math.isclose(ten.standard_uncertainty, 0.00007 / 2) and ten.sensitivity == -1.0
    # −10 V lies below every certificate point: the 1 V point's U scaled relatively (U ∝ |x|)
    minus_ten = next(c for c in by_nominal[Decimal("-10")].budget.rows if c.symbol == "V_s")
    assert math.isclose(minus_ten.standard_uncertainty, 0.000008 * 10 / 2)
    assert "JZ-" in minus_ten.basis


def test_temperature_budget_interpolates_the_standard_thermometer(sprt, alice, only_cnd3):
    procedure = make_procedure(MeasurementModel.TEMPERATURE_COMPARISON, kind=ProcedureKind.MANUAL, readings_per_point=2)
    record = services.do_start_record(procedure, equipment=[(sprt, EquipmentRole.REFERENCE)], item="Pt100",
                                      actor=alice)
    for p in procedure.points.all():
        for ref, uut in [("0.003", "0.041"), ("0.005", "0.045")]:
            services.do_type_reading(record, p, p.nominal + Decimal(ref), "°C", actor=alice, role=ReadingRole.REFERENCE)
            services.do_type_reading(record, p, p.nominal + Decimal(uut), "°C", actor=alice)
    results = {r.nominal: r for r in evaluate_record(record)}
    fifty = results[Decimal("50")]
    assert fifty.reference_value == Decimal("50.004") and fifty.indication == Decimal("50.043")
    assert math.isclose(fifty.budget.value, 0.039, abs_tol=1e-12)
    c_s = next(c for c in fifty.budget.rows if c.symbol == "c_s")
    U50 = 0.0012 + (0.0025 - 0.0012) * (50 - 0.01) / (231.928 - 0.01)
    assert math.isclose(c_s.standard_uncertainty, U50 / 2, rel_tol=1e-9)
    # 0 °C lies below the certificate's 0.01 °C: an offset unit keeps the nearest point's U
    zero = next(c for c in results[Decimal("0")].budget.rows if c.symbol == "c_s")
    assert math.isclose(zero.standard_uncertainty, 0.0012 / 2)
    symbols = {c.symbol for c in fifty.budget.rows}
    assert {"t_x", "t_s", "c_s", "d_s", "g", "w", "r_x"} == symbols


def test_a_single_reading_per_point_takes_the_procedures_repeatability(weights, alice, only_cnd3):
    procedure = make_procedure(MeasurementModel.BALANCE, kind=ProcedureKind.MANUAL, readings_per_point=1)
    record = services.do_start_record(procedure, equipment=[(weights, EquipmentRole.REFERENCE)], item="XS205",
                                      actor=alice)
    for p in procedure.points.all():
        services.do_type_reading(record, p, p.nominal + Decimal("0.0002"), "g", actor=alice)
    two_hundred = {r.nominal: r for r in evaluate_record(record)}[Decimal("200")]
    rows = {c.symbol: c for c in two_hundred.budget.rows}
    assert math.isclose(rows["I"].standard_uncertainty, 0.00005) and rows["I"].dof == 9
    assert math.isclose(rows["m"].standard_uncertainty, 0.00005 * 2 / 2)  # 100 g certificate point, scaled ×2
    assert math.isclose(rows["r_0"].standard_uncertainty, 0.0001 / 2 / math.sqrt(3))


def test_the_cmc_floor_raises_a_smaller_u(calibrator_5522a, only_cnd3):
    # CMC 10 µV + 50 µV/V: far above what this bench achieves at 1 V
    item = ScopeItemFactory(cmc_a=Decimal("0.00001"), cmc_b=Decimal("0.00005"))
    record = services.do_sign_off_record(run_dmm(calibrator_5522a, scope_item=item), actor="system:test")
    one = record.results[0]
    assert one["nominal"] == "1"
    assert Decimal(repr(one["budget"]["expanded_uncertainty"])) < Decimal("0.00006")
    assert one["reported"]["raised_to_cmc"] is True
    assert Decimal(one["reported"]["U"]) == Decimal("0.000060") and Decimal(one["reported"]["cmc"]) == Decimal("0.00006")
    # the error is rounded to the decimal place of the raised U
    assert one["reported"]["value"] == format(Decimal(one["error"]).quantize(Decimal("0.000001")), "f")


def test_without_a_reference_certificate_sign_off_is_refused_naming_the_point(only_cnd3):
    from caltrace.calibration.factories import make_standard

    record = run_dmm(make_standard())  # never calibrated
    with pytest.raises(ValidationError) as exc:
        services.do_sign_off_record(record, actor="system:test")
    assert "results" in exc.value.message_dict and "1 V" in exc.value.message_dict["results"][0]
    record.refresh_from_db()
    assert record.is_draft and record.results == []
