"""Test factories of the methods app."""

import datetime as dt

import factory
from factory.django import DjangoModelFactory

from .choices import MethodKind
from .models import Method, MethodVersion


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
