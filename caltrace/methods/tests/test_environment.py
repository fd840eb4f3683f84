"""Environmental limits of a version and the pure check of logged conditions against them (for SITE-3)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from caltrace.methods.choices import Condition
from caltrace.methods.environment import Limit, Reading, check_conditions, convert, uncovered
from caltrace.methods.factories import MethodVersionFactory
from caltrace.methods.services import do_set_environment_limits

T0 = dt.datetime(2025, 3, 10, 9, 0, tzinfo=dt.timezone.utc)
TEMP = Limit(Condition.TEMPERATURE, "°C", Decimal("18"), Decimal("22"), Decimal("1"), 60)
RH = Limit(Condition.HUMIDITY, "%", None, Decimal("75"))


def at(minutes):
    return T0 + dt.timedelta(minutes=minutes)


def test_readings_inside_the_limits_pass():
    readings = [Reading(Condition.TEMPERATURE, Decimal("20.1"), "°C", at(0)),
                Reading(Condition.TEMPERATURE, Decimal("20.6"), "°C", at(30)),
                (Condition.HUMIDITY, "55", "%RH", at(0))]
    assert check_conditions([TEMP, RH], readings) == []


@pytest.mark.parametrize("value,kind", [("17.9", "below_min"), ("22.01", "above_max")])
def test_range_breaches(value, kind):
    [breach] = check_conditions([TEMP], [(Condition.TEMPERATURE, value, "°C", at(5))])
    assert breach.kind == kind and breach.value == Decimal(value)
    zh, en = breach.messages()
    assert "温度" in zh and "temperature" in en


def test_boundaries_are_inside():
    plain = Limit(Condition.TEMPERATURE, "°C", Decimal("18"), Decimal("22"))
    assert check_conditions([plain, RH], [(Condition.TEMPERATURE, "18", "°C"), (Condition.TEMPERATURE, "22", "°C"),
                                         (Condition.HUMIDITY, "75", "%")]) == []


def test_variation_within_a_window():
    inside = [(Condition.TEMPERATURE, "19.0", "°C", at(0)), (Condition.TEMPERATURE, "19.9", "°C", at(50)),
              (Condition.TEMPERATURE, "20.8", "°C", at(110))]
    assert check_conditions([TEMP], inside) == []  # 1.8 °C overall, but never more than 1 °C within 60 min
    fast = inside + [(Condition.TEMPERATURE, "21.0", "°C", at(100))]
    [breach] = check_conditions([TEMP], fast)
    assert breach.kind == "variation" and breach.value == Decimal("1.1")
    assert [r.at for r in breach.readings] == [at(50), at(100)]


def test_variation_without_time_stamps_spans_all_readings():
    assert [b.kind for b in check_conditions([TEMP], [(Condition.TEMPERATURE, "19", "°C"),
                                                        (Condition.TEMPERATURE, "20.5", "°C")])] == ["variation"]


def test_variation_over_the_whole_calibration_without_a_window():
    limit = Limit(Condition.TEMPERATURE, "°C", max_variation=Decimal("0.5"))
    [breach] = check_conditions([limit], [(Condition.TEMPERATURE, "20.0", "°C"), (Condition.TEMPERATURE, "20.6", "°C")])
    assert breach.kind == "variation" and breach.value == Decimal("0.6")


def test_readings_are_converted_to_the_limit_unit():
    pressure = Limit(Condition.PRESSURE, "kPa", Decimal("86"), Decimal("106"))
    assert check_conditions([pressure], [(Condition.PRESSURE, "1013", "hPa")]) == []
    [breach] = check_conditions([pressure], [(Condition.PRESSURE, "800", "hPa")])
    assert breach.kind == "below_min" and breach.value == Decimal("80")
    assert abs(convert(Decimal("293.15"), "K", "°C") - Decimal("20")) < Decimal("1e-9")
    [kelvin] = check_conditions([TEMP], [(Condition.TEMPERATURE, "300.15", "K")])
    assert kelvin.kind == "above_max"


def test_an_unconvertible_unit_is_a_breach_not_a_pass():
    [breach] = check_conditions([TEMP], [(Condition.TEMPERATURE, "20", "kg")])
    assert breach.kind == "unit"


def test_other_conditions_are_matched_by_name_and_uncovered_ones_are_named():
    field = Limit(Condition.OTHER, "mT", maximum=Decimal("0.1"), name="磁场强度")
    readings = [("other:磁场强度", "0.2", "mT"), (Condition.TEMPERATURE, "20", "°C")]
    [breach] = check_conditions([field, TEMP, RH], readings)
    assert breach.condition == "other:磁场强度" and breach.kind == "above_max"
    assert uncovered([field, TEMP, RH], readings) == [RH]


@pytest.mark.django_db
def test_version_limits_feed_the_check():
    version = MethodVersionFactory()
    assert do_set_environment_limits(version, [
        {"condition": Condition.TEMPERATURE, "minimum": "18", "maximum": "22", "text": "(20±2)℃"},
        {"condition": Condition.HUMIDITY, "maximum": 75},
    ]) is True
    limits = version.environment_limits()
    assert {(lim.condition, lim.unit) for lim in limits} == {("temperature", "°C"), ("humidity", "%")}
    assert [b.kind for b in check_conditions(version, [(Condition.HUMIDITY, "80", "%")])] == ["above_max"]
    assert "18–22 °C" in next(lim for lim in limits if lim.condition == "temperature").describe()


@pytest.mark.django_db
@pytest.mark.parametrize("row,field", [
    ({"condition": Condition.TEMPERATURE}, "maximum"),
    ({"condition": Condition.TEMPERATURE, "minimum": 25, "maximum": 15}, "maximum"),
    ({"condition": Condition.OTHER, "maximum": 1, "unit": "mT"}, "name"),
    ({"condition": Condition.HUMIDITY, "maximum": 120}, "maximum"),
    ({"condition": Condition.TEMPERATURE, "maximum": 22, "variation_minutes": 60}, "variation_minutes"),
    ({"condition": Condition.TEMPERATURE, "max_variation": 0}, "max_variation"),
])
def test_bad_limits_are_refused_with_the_row_and_field(row, field):
    version = MethodVersionFactory()
    ok = {"condition": Condition.NOISE, "maximum": 60}
    with pytest.raises(ValidationError) as exc:
        do_set_environment_limits(version, [ok, row])
    assert f"limits.1.{field}" in exc.value.message_dict
    assert not version.limits.exists()
