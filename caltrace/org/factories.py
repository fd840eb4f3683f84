"""Test factories of the org app."""

import datetime as dt
import random
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from caltrace.core.validators import USCC_ALPHABET, uscc_check_character

from .choices import CmcForm, MetrologyField, QualificationCertificateKind
from .models import Agency, QualificationCertificate, Room, ScopeItem, Site


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


class QualificationCertificateFactory(DjangoModelFactory):
    """An accreditation certificate valid from 2024 to 2029 (pass valid_from/valid_until to move it)."""

    class Meta:
        model = QualificationCertificate

    agency = factory.SubFactory(AgencyFactory)
    kind = QualificationCertificateKind.ACCREDITATION
    number = factory.Sequence(lambda n: f"CNAS L{20000 + n}")
    issuer = "中国合格评定国家认可委员会"
    issuer_en = "China National Accreditation Service for Conformity Assessment"
    valid_from = dt.date(2024, 1, 1)
    valid_until = dt.date(2029, 12, 31)


class ScopeItemFactory(DjangoModelFactory):
    """A DC voltage item, ±(0~1000) V, CMC 8×10⁻⁶·x + 5 µV. ``methods`` and ``sites`` take lists;
    without them the item gets a new method and a new site of the certificate's agency."""

    class Meta:
        model = ScopeItem
        skip_postgeneration_save = True

    certificate = factory.SubFactory(QualificationCertificateFactory)
    code = factory.Sequence(lambda n: f"E-{n:02d}")
    field = MetrologyField.ELECTRICAL
    quantity = "直流电压"
    quantity_en = "DC voltage"
    item_type = "数字多用表"
    item_type_en = "Digital multimeters"
    range_min = Decimal("0")
    range_max = Decimal("1000")
    bipolar = True
    unit = "V"
    cmc_form = CmcForm.LINEAR
    cmc_a = Decimal("0.000005")
    cmc_b = Decimal("0.000008")

    @factory.post_generation
    def methods(self, create, extracted, **kwargs):
        if not create:
            return
        if extracted is None:
            from caltrace.methods.factories import MethodFactory

            extracted = [MethodFactory()]
        self.methods.set(extracted)

    @factory.post_generation
    def sites(self, create, extracted, **kwargs):
        if not create:
            return
        if extracted is None:
            extracted = [SiteFactory(agency=self.certificate.agency)]
        self.sites.set(extracted)
