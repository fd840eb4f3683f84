"""Test factories of the methods app."""

import datetime as dt
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from .choices import Condition, FieldType, MethodKind, MethodUse, ValidationConclusion, ValidationTechnique
from .models import EnvironmentLimit, Method, MethodValidation, MethodVersion, RecordField


class MethodFactory(DjangoModelFactory):
    class Meta:
        model = Method

    code = factory.Sequence(lambda n: f"JJF {9000 + n}")
    kind = MethodKind.JJF
    title = factory.Sequence(lambda n: f"测试校准规范{n}")


class MethodVersionFactory(DjangoModelFactory):
    class Meta:
        model = MethodVersion

    method = factory.SubFactory(MethodFactory)
    edition = "2020"
    effective_on = dt.date(2020, 6, 1)


class EnvironmentLimitFactory(DjangoModelFactory):
    class Meta:
        model = EnvironmentLimit

    version = factory.SubFactory(MethodVersionFactory)
    condition = Condition.TEMPERATURE
    minimum = Decimal("18")
    maximum = Decimal("22")
    unit = "°C"


class RecordFieldFactory(DjangoModelFactory):
    class Meta:
        model = RecordField

    version = factory.SubFactory(MethodVersionFactory)
    name = factory.Sequence(lambda n: f"field_{n}")
    label_zh = factory.Sequence(lambda n: f"字段{n}")
    field_type = FieldType.TEXT


class MethodValidationFactory(DjangoModelFactory):
    """An approved validation of an in-house method that concludes it fit for purpose."""

    class Meta:
        model = MethodValidation

    version = factory.SubFactory(MethodVersionFactory, method__kind=MethodKind.IN_HOUSE,
                                 method__code=factory.Sequence(lambda n: f"MH/ZY-{n:03d}"))
    use = MethodUse.IN_HOUSE
    subject = "方法整体"
    techniques = [ValidationTechnique.METHOD_COMPARISON, ValidationTechnique.UNCERTAINTY]
    result = "与 JJF 1587-2016 比对，|En| ≤ 0.6"
    conclusion = ValidationConclusion.FIT
    validated_by = factory.SubFactory("caltrace.people.factories.PersonFactory")
    validated_on = dt.date(2021, 3, 1)
    approved_by = factory.SubFactory("caltrace.people.factories.PersonFactory")
    approved_on = dt.date(2021, 3, 10)
