"""An automated procedure run against the simulated bench (pyvisa-sim, no hardware) produces
readings with instrument provenance: equipment, VISA resource, the answer as received, time (PRH-6)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from caltrace.calibration import services
from caltrace.calibration.choices import MeasurementModel, ProcedureKind, Provenance, ReadingRole
from caltrace.calibration.factories import make_procedure, make_standard
from caltrace.calibration.instruments import SIM_RESOURCES, simulated_bench
from caltrace.calibration.models import Reading
from caltrace.core import ledger
from caltrace.core.models import AuditEntry

pytestmark = pytest.mark.django_db

# What the simulated DMM shows: the nominal plus 12 µV/V, and 1 µV more on each repeat.
def dmm_shows(point, seq):
    return {"uut": point.nominal * Decimal("1.000012") + Decimal("0.000001") * seq}


def test_dmm_run_stores_every_reading_with_instrument_provenance():
    calibrator = make_standard()
    procedure = make_procedure(MeasurementModel.DMM_DCV, readings_per_point=3)
    record = services.do_start_record(procedure, equipment=[calibrator], item="34465A MY12345678", actor=None)
    bench = simulated_bench(MeasurementModel.DMM_DCV, equipment={"source": calibrator}, indications=dmm_shows)
    try:
        stored = services.do_run_automated(record, bench=bench)
    finally:
        bench.close()

    assert len(stored) == 4 * (1 + 3)  # per point: the calibrator's confirmed output and three DMM reads
    uut = list(record.readings.filter(role=ReadingRole.UUT).select_related("point").order_by("point__order", "sequence"))
    assert len(uut) == 12
    for r in uut:
        expected = dmm_shows(r.point, r.sequence)["uut"]
        assert r.provenance == Provenance.INSTRUMENT
        assert r.value == expected
        assert r.raw_response == f"{float(expected):+.9E}\n"  # exactly as the instrument sent it
        assert r.visa_resource == SIM_RESOURCES["dmm"]
        assert r.instrument_idn.startswith("Keysight Technologies,34465A,MY12345678")
        assert r.read_at is not None and r.typed_by is None and r.equipment is None  # the UUT is not lab equipment
        assert r.unit == "V"
    ref = record.readings.get(role=ReadingRole.REFERENCE, point__order=3)
    assert ref.equipment == calibrator and ref.visa_resource == SIM_RESOURCES["calibrator"]
    assert ref.value == Decimal("-10") and ref.raw_response == "-1.000000E+01,V\n"
    record.refresh_from_db()
    assert record.finished_at is not None


def test_the_ledger_records_every_bench_reading_as_the_bench():
    procedure = make_procedure(MeasurementModel.DMM_DCV, readings_per_point=2)
    record = services.do_start_record(procedure, item="UUT", actor=None)
    bench = simulated_bench(MeasurementModel.DMM_DCV, indications=dmm_shows)
    stored = services.do_run_automated(record, bench=bench)
    entries = AuditEntry.objects.filter(model="calibration.Reading", action="create")
    assert sorted(int(e.object_pk) for e in entries) == sorted(r.pk for r in stored)
    assert {e.actor for e in entries} == {"system:bench"}
    # the ledger's images (decimals, raw text with its terminator) match the rows on this database
    assert ledger.verify().ok


def test_balance_run_keeps_the_mt_sics_answer():
    procedure = make_procedure(MeasurementModel.BALANCE, readings_per_point=2)
    weights = make_standard("E2等级砝码组")
    record = services.do_start_record(procedure, equipment=[weights], item="XS205 电子天平", actor=None)
    bench = simulated_bench(MeasurementModel.BALANCE, indications=lambda p, s: {"uut": p.nominal + Decimal("0.0002")})
    services.do_run_automated(record, bench=bench)
    r = record.readings.get(point__order=2, sequence=1)
    assert r.raw_response == "S S     100.0002 g\r\n"
    assert (r.value, r.unit, r.visa_resource) == (Decimal("100.0002"), "g", SIM_RESOURCES["balance"])
    assert r.instrument_idn == 'I4 A "B734512890"'


def test_temperature_comparison_reads_the_standard_and_the_sensor():
    readout, bath = make_standard("超级测温仪"), make_standard("恒温槽")
    procedure = make_procedure(MeasurementModel.TEMPERATURE_COMPARISON, readings_per_point=2)
    record = services.do_start_record(procedure, equipment=[readout, bath], item="Pt100 传感器", actor=None)
    bench = simulated_bench(MeasurementModel.TEMPERATURE_COMPARISON, equipment={"source": bath, "reference": readout},
                            indications=lambda p, s: {"reference": p.nominal - Decimal("0.012"),
                                                      "uut": p.nominal + Decimal("0.05")})
    services.do_run_automated(record, bench=bench)
    assert record.readings.count() == 3 * 2 * 2
    std = record.readings.get(point__order=2, role=ReadingRole.REFERENCE, sequence=1)
    uut = record.readings.get(point__order=2, role=ReadingRole.UUT, sequence=1)
    assert (std.value, std.raw_response, std.equipment) == (Decimal("49.988"), "+49.98800\n", readout)
    assert (uut.value, uut.raw_response, uut.equipment) == (Decimal("50.05"), "+50.0500\n", None)
    assert std.unit == uut.unit == "°C"
    assert bench.source.query_text("SOUR:SPO?").strip() == "100.000"  # the bath was driven to the last point


def test_a_manual_procedure_cannot_run_on_the_bench(alice):
    procedure = make_procedure(MeasurementModel.DMM_DCV, kind=ProcedureKind.MANUAL)
    record = services.do_start_record(procedure, item="UUT", actor=alice)
    with pytest.raises(ValidationError) as exc:
        services.do_run_automated(record, bench=simulated_bench(MeasurementModel.DMM_DCV))
    assert "procedure" in exc.value.message_dict
    assert not Reading.objects.exists()


def test_an_unstable_or_garbled_answer_is_an_instrument_error_not_a_reading(monkeypatch):
    from caltrace.calibration.instruments import InstrumentError

    bench = simulated_bench(MeasurementModel.BALANCE)
    assert bench.source is None and bench.uut.query_text("BOGUS") == "ES\r\n"  # the balance's error answer
    monkeypatch.setattr(bench.uut, "query_raw", lambda command: ("S D     100.0131 g\r\n", None))
    with pytest.raises(InstrumentError, match="no stable weight"):
        bench.uut.read()
