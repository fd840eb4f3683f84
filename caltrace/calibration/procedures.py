"""How an automated procedure drives the bench at one calibration point, per measurement model.

Each step function sets the reference, waits, and yields ``(role, sequence, Response, driver)``
for every indication read; the services store them as readings with their provenance. The
functions touch no database: they are the SCPI conversation only.
"""

from __future__ import annotations

from typing import Callable, Iterator

from .choices import MeasurementModel, ReadingRole
from .instruments import Bench, Response


def _dmm_dcv(bench: Bench, point, n: int) -> Iterator[tuple]:
    """JJF 1587 direct measurement: the calibrator outputs the nominal voltage, the DMM reads it n times.
    The calibrator's own confirmation of its output is kept as the reference reading."""
    bench.uut.configure_dc_voltage()
    bench.source.output(point.nominal, "V")
    bench.settle(point)
    bench.prepare(point, 1)
    yield ReadingRole.REFERENCE, 1, bench.source.read_output(), bench.source
    for seq in range(1, n + 1):
        bench.prepare(point, seq)
        yield ReadingRole.UUT, seq, bench.uut.read(), bench.uut
    bench.source.standby()


def _balance(bench: Bench, point, n: int) -> Iterator[tuple]:
    """JJG 1036: standard weights of the nominal mass are placed (by hand) and the balance read n times."""
    for seq in range(1, n + 1):
        bench.settle(point)
        bench.prepare(point, seq)
        yield ReadingRole.UUT, seq, bench.uut.read(), bench.uut


def _temperature_comparison(bench: Bench, point, n: int) -> Iterator[tuple]:
    """Comparison in a bath: set the bath, wait for stability, then read the standard thermometer
    and the sensor under test alternately n times."""
    bench.source.set_point(point.nominal)
    bench.settle(point)
    for seq in range(1, n + 1):
        bench.prepare(point, seq)
        yield ReadingRole.REFERENCE, seq, bench.reference.read(), bench.reference
        yield ReadingRole.UUT, seq, bench.uut.read(), bench.uut


STEPS: dict[str, Callable[[Bench, object, int], Iterator[tuple[str, int, Response, object]]]] = {
    MeasurementModel.DMM_DCV: _dmm_dcv,
    MeasurementModel.BALANCE: _balance,
    MeasurementModel.TEMPERATURE_COMPARISON: _temperature_comparison,
}


def steps_for(model_key: str):
    try:
        return STEPS[model_key]
    except KeyError:
        raise ValueError(f"no automated steps for measurement model {model_key!r}") from None
