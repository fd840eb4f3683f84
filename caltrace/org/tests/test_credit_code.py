"""The unified social credit code (统一社会信用代码) and its GB 32100 check character (ENT-1)."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from caltrace.core.validators import USCC_ALPHABET, uscc_check_character, validate_credit_code
from caltrace.org.models import Agency

VALID = ["91320594MA1MH7Q225", "91320594MA1P2RC53A", "91320214MA1W8HE31K", "91320509MA1T6K4N60"]


def _error(value) -> ValidationError:
    with translation.override("zh-hans"), pytest.raises(ValidationError) as info:
        validate_credit_code(value)
    return info.value


@pytest.mark.parametrize("code", VALID)
def test_valid_codes_are_accepted(code):
    validate_credit_code(code)


def test_lower_case_and_surrounding_spaces_are_accepted():
    validate_credit_code("  91320594ma1p2rc53a ")


def test_wrong_check_character_is_rejected():
    err = _error("91320594MA1MH7Q226")
    assert err.code == "check"
    assert err.messages == ["统一社会信用代码校验位错误"]


@pytest.mark.parametrize("value,n", [("91320594MA1MH7Q22", 17), ("91320594MA1MH7Q2255", 19), ("", 0)])
def test_wrong_length_is_rejected(value, n):
    err = _error(value)
    assert err.code == "length"
    assert err.messages == [f"统一社会信用代码应为18位（当前{n}位）"]


@pytest.mark.parametrize("value,chars", [
    ("91320594MA1MH7QI25", "I"),   # I, O, Z, S, V are not used
    ("9132O594MA1MH7QZ25", "OZ"),
    ("91320594MA1MH7Q2*5", "*"),
])
def test_characters_outside_the_alphabet_are_rejected(value, chars):
    err = _error(value)
    assert err.code == "charset"
    assert err.messages == [f"统一社会信用代码含有无效字符：{chars}"]


code17 = st.text(alphabet=USCC_ALPHABET, min_size=17, max_size=17)


@given(code17)
def test_computed_check_character_always_validates(first17):
    validate_credit_code(first17 + uscc_check_character(first17))


@given(code17, st.integers(min_value=0, max_value=17), st.sampled_from(USCC_ALPHABET))
def test_any_single_character_change_is_caught(first17, position, replacement):
    code = first17 + uscc_check_character(first17)
    changed = code[:position] + replacement + code[position + 1:]
    if changed == code:
        return
    with pytest.raises(ValidationError):
        validate_credit_code(changed)


@pytest.mark.django_db
def test_agency_clean_normalises_and_validates_the_code():
    agency = Agency(name="某机构", credit_code="91320594ma1mh7q225", legal_representative="张三", address="某地")
    agency.full_clean()
    assert agency.credit_code == "91320594MA1MH7Q225"
    agency.credit_code = "91320594MA1MH7Q226"
    with pytest.raises(ValidationError) as info:
        agency.full_clean()
    assert "credit_code" in info.value.message_dict
