"""Validators shared across apps."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# GB 32100-2015: 18 characters from this alphabet (no I, O, Z, S, V); the 18th is a check character.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc_check_character(first17: str) -> str:
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> None:
    """Unified social credit code (统一社会信用代码) with its GB 32100 check character."""
    code = (value or "").strip().upper()
    if len(code) != 18:
        raise ValidationError(_("统一社会信用代码应为18位（当前%(n)d位）"), code="length", params={"n": len(code)})
    bad = [c for c in code if c not in USCC_ALPHABET]
    if bad:
        raise ValidationError(_("统一社会信用代码含有无效字符：%(chars)s"), code="charset",
                              params={"chars": "".join(sorted(set(bad)))})
    if uscc_check_character(code[:17]) != code[17]:
        raise ValidationError(_("统一社会信用代码校验位错误"), code="check")
