"""Instrument drivers (仪器驱动) over PyVISA, and the bench (校准台) a procedure runs on.

A driver sends SCPI (or MT-SICS) text and hands back each answer as a :class:`Response`: the
value, its unit, the text exactly as received (termination included), the VISA resource, the
instrument's identification and the time. The services store all of it with the reading (PRH-6).

The simulated bench opens the same drivers on pyvisa-sim devices (``sim/bench.yaml``). pyvisa-sim
answers each device from its own state only, so :class:`SimulatedBench` writes the value a test or
the demo wants an instrument to show through that device's simulation-only ``SIM:`` command just
before it is read. The production path never sends ``SIM:`` commands.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Callable

from django.utils import timezone

SIM_DIR = Path(__file__).resolve().parent / "sim"
SIM_BENCH_FILE = SIM_DIR / "bench.yaml"


class InstrumentError(Exception):
    """An instrument answered with an error or with text that is not a reading."""


@dataclass(frozen=True)
class Response:
    value: Decimal
    unit: str
    raw: str
    resource: str
    idn: str
    at: dt.datetime


def _decimal(text: str, raw: str, resource: str) -> Decimal:
    try:
        return Decimal(text.strip())
    except InvalidOperation as exc:
        raise InstrumentError(f"{resource}: not a number in {raw!r}") from exc


class Driver:
    """One instrument on a VISA resource. ``equipment`` is the lab's Equipment row, or None for the
    item under calibration."""

    read_termination = "\n"
    write_termination = "\n"
    idn_query = "*IDN?"
    sim_command: str | None = None  # "SIM:READ {value}" on simulated devices

    def __init__(self, rm, resource: str, *, equipment=None, timeout_ms: int = 5000):
        self.resource_name = resource
        self.equipment = equipment
        self.visa = rm.open_resource(resource, read_termination=self.read_termination,
                                     write_termination=self.write_termination)
        self.visa.timeout = timeout_ms
        self.idn = self.query_text(self.idn_query).strip()

    def write(self, command: str) -> None:
        self.visa.write(command)

    def query_raw(self, command: str) -> tuple[str, dt.datetime]:
        """Send ``command`` and return the answer exactly as received, with the time it arrived."""
        self.visa.write(command)
        raw = self.visa.read_raw().decode("utf-8", errors="replace")
        return raw, timezone.now()

    def query_text(self, command: str) -> str:
        raw, _at = self.query_raw(command)
        return raw

    def response(self, value: Decimal, unit: str, raw: str, at: dt.datetime) -> Response:
        return Response(value=value, unit=unit, raw=raw, resource=self.resource_name, idn=self.idn, at=at)

    def simulate(self, value: Decimal) -> None:
        if self.sim_command is None:
            raise InstrumentError(f"{self.resource_name} cannot be simulated")
        self.write(self.sim_command.format(value=f"{Decimal(value):f}"))

    def close(self) -> None:
        self.visa.close()


class Calibrator(Driver):
    """A multifunction calibrator (多功能校准源) as DC voltage source: ``OUT <v> V``, ``OPER``, ``STBY``."""

    def output(self, value: Decimal, unit: str = "V") -> None:
        self.write(f"OUT {Decimal(value):f} {unit}")
        self.write("OPER")

    def standby(self) -> None:
        self.write("STBY")

    def read_output(self) -> Response:
        raw, at = self.query_raw("OUT?")
        text = raw.strip()
        number, _sep, unit = text.partition(",")
        return self.response(_decimal(number, raw, self.resource_name), unit or "V", raw, at)


class Multimeter(Driver):
    """A digital multimeter (数字多用表) on DC voltage: ``CONF:VOLT:DC``, ``READ?``."""

    sim_command = "SIM:READ {value}"

    def configure_dc_voltage(self) -> None:
        self.write("CONF:VOLT:DC")

    def read(self) -> Response:
        raw, at = self.query_raw("READ?")
        return self.response(_decimal(raw, raw, self.resource_name), "V", raw, at)


_SICS_WEIGHT = re.compile(r"^S\s+S\s+(?P<value>[-+]?\d+(?:\.\d+)?)\s+(?P<unit>\S+)\s*$")


class Balance(Driver):
    """An electronic balance (电子天平) speaking MT-SICS: ``SI`` answers ``S S     100.0002 g``."""

    read_termination = "\r\n"
    write_termination = "\r\n"
    idn_query = "I4"
    sim_command = "SIM:MASS {value}"

    def read(self) -> Response:
        raw, at = self.query_raw("SI")
        match = _SICS_WEIGHT.match(raw.strip())
        if not match:  # "S D …" is a dynamic (unstable) weight; "ES" an error
            raise InstrumentError(f"{self.resource_name}: no stable weight in {raw!r}")
        return self.response(_decimal(match["value"], raw, self.resource_name), match["unit"], raw, at)


class Bath(Driver):
    """A temperature bath (恒温槽): ``SOUR:SPO <t>`` sets the set point in °C."""

    read_termination = "\r\n"
    write_termination = "\r"

    def set_point(self, value: Decimal) -> None:
        self.write(f"SOUR:SPO {Decimal(value):f}")


class ThermometerReadout(Driver):
    """One channel of a thermometer readout (测温仪): ``MEAS:TEMP? (@n)`` in °C."""

    def __init__(self, rm, resource: str, *, channel: int = 1, **kwargs):
        self.channel = channel
        self.sim_command = f"SIM:TEMP{channel} {{value}}"
        super().__init__(rm, resource, **kwargs)

    def read(self) -> Response:
        raw, at = self.query_raw(f"MEAS:TEMP? (@{self.channel})")
        return self.response(_decimal(raw, raw, self.resource_name), "°C", raw, at)


@dataclass
class Bench:
    """The instruments of one automated run, by role.

    ``source`` sets the reference value (calibrator, bath; None when the reference is a set of
    weights placed by hand), ``uut`` is the item under calibration, ``reference`` reads the
    reference value where the procedure measures it (the standard thermometer). ``settle`` waits
    between setting a point and reading it (real benches wait for stability; tests pass 0).
    """

    uut: Driver
    source: Driver | None = None
    reference: Driver | None = None
    settle: Callable[[object], None] = field(default=lambda point: None)

    def prepare(self, point, sequence: int) -> None:
        """Hook before each read; the real bench does nothing."""

    def drivers(self) -> list[Driver]:
        return [d for d in (self.source, self.uut, self.reference) if d is not None]

    def close(self) -> None:
        for d in self.drivers():
            d.close()


@dataclass
class SimulatedBench(Bench):
    """A bench on pyvisa-sim devices. ``indications(point, sequence)`` returns what the instruments
    should show for this read as ``{"uut": Decimal, "reference": Decimal}`` (reference optional)."""

    indications: Callable[[object, int], dict] = field(default=lambda point, sequence: {"uut": point.nominal})

    def prepare(self, point, sequence: int) -> None:
        shown = self.indications(point, sequence)
        self.uut.simulate(shown["uut"])
        if self.reference is not None and "reference" in shown:
            self.reference.simulate(shown["reference"])


def sim_resource_manager(path: Path | str = SIM_BENCH_FILE):
    import pyvisa

    return pyvisa.ResourceManager(f"{path}@sim")


SIM_RESOURCES = {
    "calibrator": "GPIB0::4::INSTR",
    "dmm": "GPIB0::22::INSTR",
    "balance": "ASRL1::INSTR",
    "bath": "ASRL2::INSTR",
    "readout": "TCPIP0::192.168.10.21::inst0::INSTR",
}


def simulated_bench(model_key: str, *, equipment: dict | None = None, indications=None) -> SimulatedBench:
    """A simulated bench for a measurement model (see ``MeasurementModel``). ``equipment`` maps
    "source" / "reference" to the lab's Equipment rows the simulated instruments stand for."""
    from .choices import MeasurementModel

    rm = sim_resource_manager()
    eq = equipment or {}
    extra = {"indications": indications} if indications is not None else {}
    if model_key == MeasurementModel.DMM_DCV:
        return SimulatedBench(uut=Multimeter(rm, SIM_RESOURCES["dmm"]),
                              source=Calibrator(rm, SIM_RESOURCES["calibrator"], equipment=eq.get("source")), **extra)
    if model_key == MeasurementModel.BALANCE:
        return SimulatedBench(uut=Balance(rm, SIM_RESOURCES["balance"]), **extra)
    if model_key == MeasurementModel.TEMPERATURE_COMPARISON:
        return SimulatedBench(uut=ThermometerReadout(rm, SIM_RESOURCES["readout"], channel=2),
                              source=Bath(rm, SIM_RESOURCES["bath"], equipment=eq.get("source")),
                              reference=ThermometerReadout(rm, SIM_RESOURCES["readout"], channel=1,
                                                           equipment=eq.get("reference")), **extra)
    raise ValueError(f"no simulated bench for {model_key!r}")
