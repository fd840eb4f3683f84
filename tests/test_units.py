"""The one unit module: exact decimal conversion, offsets, differences, lab spellings, range checks."""

from decimal import Decimal

import pytest

from caltrace.core import units


def test_values_convert_exactly():
    assert units.convert(Decimal("1000"), "V", "mV") == Decimal("1000000")
    assert units.convert(Decimal("25"), "℃", "K") == Decimal("298.15")


def test_a_difference_converts_without_the_offset():
    assert units.convert_difference(Decimal("0.01"), "degC", "K") == Decimal("0.01")
    assert units.convert_difference(Decimal("2"), "mV", "V") == Decimal("0.002")


@pytest.mark.parametrize("spelling", ["%RH", "%rh", "%"])
def test_relative_humidity_spellings_are_percent(spelling):
    assert units.convert(Decimal("45"), spelling, "percent") == Decimal("45")


def test_incompatible_or_unknown_units_raise_a_value_error():
    with pytest.raises(units.UnitError):
        units.convert(Decimal("1"), "V", "g")
    with pytest.raises(ValueError):
        units.parse_unit("furlongs-per-fortnight-ish")
    assert not units.readable("") and units.readable("Ω")


def test_range_problems_name_their_field():
    assert list(units.range_problems(Decimal("1"), Decimal("2"), False, "V")) == []
    found = dict(units.range_problems(Decimal("5"), Decimal("2"), True, "blorp"))
    assert set(found) == {"range_max", "unit"}
    assert dict(units.range_problems(Decimal("-1"), Decimal("2"), True, "V")).keys() == {"range_min"}
