"""Test factories of the org app."""

import random
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from caltrace.core.validators import USCC_ALPHABET, uscc_check_character

from .models import Agency, Room, Site


def make_credit_code(rng: random.Random | None = None) -> str:
    """A random unified social credit code with a correct GB 32100 check character."""
    rng = rng or random
    first17 = "91" + "".join(rng.choice("0123456789") for _ in range(6)) + "".join(
        rng.choice(USCC_ALPHABET) for _ in range(9))
    return first17 + uscc_check_character(first17)


class AgencyFactory(DjangoModelFactory):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"测试计量校准机构{n}")
    credit_code = factory.LazyFunction(make_credit_code)
    legal_representative = "张三"
    address = "江苏省苏州市测试路1号"


class SiteFactory(DjangoModelFactory):
    class Meta:
        model = Site

    agency = factory.SubFactory(AgencyFactory)
    name = factory.Sequence(lambda n: f"场所{n}")
    address = "江苏省苏州市测试路1号"


class RoomFactory(DjangoModelFactory):
    class Meta:
        model = Room

    site = factory.SubFactory(SiteFactory)
    code = factory.Sequence(lambda n: f"R{n:03d}")
    name = factory.Sequence(lambda n: f"实验室{n}")
    keeps_standards = False
    area_m2 = Decimal("20.00")

    class Params:
        standards = factory.Trait(keeps_standards=True, name=factory.Sequence(lambda n: f"标准实验室{n}"))
