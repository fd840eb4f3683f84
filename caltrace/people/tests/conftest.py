"""Fixtures of the people tests: a scope item with its certificate and method, and staff in roles.

Every date is fixed around ``DAY`` so that the tests do not age; services are given ``today=DAY``.
"""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest

from caltrace.core import roles
from caltrace.core.services import do_issue_api_token, do_sync_role_groups
from caltrace.methods.factories import MethodFactory, MethodVersionFactory
from caltrace.org.factories import AgencyFactory, SiteFactory
from caltrace.org.models import QualificationCertificate, ScopeItem
from caltrace.people.choices import AuthorizationKind as AK
from caltrace.people.choices import QualificationKind as QK
from caltrace.people.choices import TrainingKind
from caltrace.people.factories import PersonFactory, QualificationFactory, UserFactory
from caltrace.people.services import do_assign_role, do_grant_authorization, do_record_training

DAY = dt.date(2026, 11, 21)


def years_before(day: dt.date, years: int) -> dt.date:
    return day.replace(year=day.year - years)


def make_scope_item(cert, code, field, methods, sites=()):
    item = ScopeItem.objects.create(certificate=cert, code=code, field=field, quantity="直流电压", item_type="数字多用表",
                                    range_min=Decimal("0"), range_max=Decimal("1000"), unit="V", cmc_form="relative",
                                    cmc_b=Decimal("0.00001"))
    item.methods.set(methods)
    if sites:
        item.sites.set(sites)
    return item


@pytest.fixture
def scope(db):
    """Two electrical scope items and a thermal one on a valid certificate, with their methods."""
    agency = AgencyFactory()
    site = SiteFactory(agency=agency, is_main=True)
    cert = QualificationCertificate.objects.create(agency=agency, kind="accreditation", number="CNAS L0001",
                                                   issuer="CNAS", valid_from=dt.date(2024, 1, 1),
                                                   valid_until=dt.date(2029, 12, 31))
    dmm = MethodFactory(code="JJF 1587", title="数字多用表校准规范")
    source = MethodFactory(code="JJF 1638", title="多功能标准源校准规范")
    rtd = MethodFactory(code="JJG 229", kind="jjg", title="工业铂、铜热电阻")
    versions = {m.code: MethodVersionFactory(method=m, edition="2016", effective_on=dt.date(2016, 12, 27))
                for m in (dmm, source, rtd)}
    return SimpleNamespace(
        site=site, cert=cert, dmm=dmm, source=source, rtd=rtd, versions=versions,
        dcv=make_scope_item(cert, "E-01", "electrical", [dmm, source], [site]),
        acv=make_scope_item(cert, "E-02", "electrical", [dmm], [site]),
        temp=make_scope_item(cert, "T-01", "thermal", [rtd], [site]),
    )


@pytest.fixture
def make_person(db):
    """make_person(quals=[(kind, valid_from, valid_until)], trained=True, integrity=DAY, **person fields)."""

    def make(quals=((QK.REGISTERED_METROLOGIST_2, dt.date(2022, 1, 1), dt.date(2027, 12, 31)),),
             trained=True, integrity=dt.date(2026, 6, 1), **fields):
        person = PersonFactory(**fields)
        for kind, start, end in quals:
            QualificationFactory(person=person, kind=kind, valid_from=start, valid_until=end,
                                 title="高级工程师" if kind == QK.SENIOR_TITLE else "")
        if trained:
            do_record_training(kind=TrainingKind.TECHNICAL, topic="数字多用表校准实操", held_on=dt.date(2020, 3, 1),
                               hours=Decimal("8"), trainer_name="外部讲师", trainer_qualification="高级工程师",
                               attendees=[person])
        if integrity:
            do_record_training(kind=TrainingKind.INTEGRITY, topic="诚信教育", held_on=integrity, hours=Decimal("2"),
                               trainer_name="外部讲师", attendees=[person])
        return person

    return make


@pytest.fixture
def grant():
    """grant(person, kind, **kw): do_grant_authorization judged on DAY, valid 2025-01-01 to 2027-12-31."""

    def do(person, kind, **kw):
        kw.setdefault("valid_from", dt.date(2025, 1, 1))
        kw.setdefault("valid_until", dt.date(2027, 12, 31))
        kw.setdefault("today", DAY)
        return do_grant_authorization(person, kind=kind, **kw)

    return do


@pytest.fixture
def calibrator(make_person, grant, scope):
    """A qualified calibrator authorized for the DC voltage item with JJF 1587."""
    person = make_person(site=scope.site)
    grant(person, AK.CALIBRATOR, scope_items=[scope.dcv], methods=[scope.dmm])
    return person


@pytest.fixture
def groups(db):
    do_sync_role_groups()


@pytest.fixture
def user_in(groups):
    """user_in(role) -> a new user holding that role (or none for "")."""

    def make(role, username=None):
        user = UserFactory(**({"username": username} if username else {}))
        if role:
            do_assign_role(user, role)
        return user

    return make


@pytest.fixture
def lab_manager(user_in):
    return user_in(roles.LAB_MANAGER, "labmanager")


@pytest.fixture
def bearer():
    def header(user) -> dict:
        _token, key = do_issue_api_token(user, name="test")
        return {"HTTP_AUTHORIZATION": f"Bearer {key}"}

    return header


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def defence_agency(scope):
    """PER-7 applies: the agency is a PLA or defence-industry calibration agency."""
    from caltrace.org.models import Agency

    Agency.objects.update(defence_agency=True)
