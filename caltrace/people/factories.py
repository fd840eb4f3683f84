"""Test factories of the people app."""

import datetime as dt

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from factory.django import DjangoModelFactory

from .choices import EmploymentType, QualificationKind
from .models import Person, Qualification


class UserFactory(DjangoModelFactory):
    """A sign-in account without a usable password (tests authenticate with tokens or force_login)."""

    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.LazyFunction(lambda: make_password(None))


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = Person

    staff_no = factory.Sequence(lambda n: f"T-{n:04d}")
    name = factory.Sequence(lambda n: f"测试员{n}")
    birth_date = dt.date(1985, 5, 1)
    hire_date = dt.date(2010, 7, 1)
    calibration_since = dt.date(2010, 7, 1)
    employment_type = EmploymentType.LONG_TERM


class QualificationFactory(DjangoModelFactory):
    class Meta:
        model = Qualification

    person = factory.SubFactory(PersonFactory)
    kind = QualificationKind.REGISTERED_METROLOGIST_2
    number = factory.Sequence(lambda n: f"RM2-TEST-{n:05d}")
    issuer = "江苏省市场监督管理局"
    discipline = "电学计量"
    valid_from = dt.date(2022, 1, 1)
    valid_until = dt.date(2026, 12, 31)
