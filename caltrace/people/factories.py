"""Test factories of the people app."""

import datetime as dt
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from factory.django import DjangoModelFactory

from .choices import AuthorizationKind, EmploymentType, QualificationKind, TrainingKind
from .models import Authorization, Person, Qualification, Training, TrainingAttendance


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


class TrainingFactory(DjangoModelFactory):
    """A training record; attendees are added with ``attendees=[...]`` (passed) after creation."""

    class Meta:
        model = Training
        skip_postgeneration_save = True

    kind = TrainingKind.TECHNICAL
    topic = factory.Sequence(lambda n: f"测试培训{n}")
    held_on = dt.date(2024, 3, 1)
    hours = Decimal("4.0")
    trainer_name = "外部讲师"
    trainer_qualification = "高级工程师"

    @factory.post_generation
    def attendees(self, create, extracted, **kwargs):
        for person in extracted or ():
            TrainingAttendance.objects.create(training=self, person=person, passed=True)


class AuthorizationFactory(DjangoModelFactory):
    """An authorization written directly (no rules): for tests that need one to exist. Tests of the
    grant itself go through ``services.do_grant_authorization``."""

    class Meta:
        model = Authorization
        skip_postgeneration_save = True

    person = factory.SubFactory(PersonFactory)
    kind = AuthorizationKind.CALIBRATOR
    valid_from = dt.date(2024, 1, 1)
    valid_until = dt.date(2027, 12, 31)

    @factory.post_generation
    def scope_items(self, create, extracted, **kwargs):
        if extracted:
            self.scope_items.set(extracted)

    @factory.post_generation
    def methods(self, create, extracted, **kwargs):
        if extracted:
            self.methods.set(extracted)
