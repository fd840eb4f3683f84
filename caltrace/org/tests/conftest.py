"""Fixtures of the org tests: a small lab with a certificate, its scope items, sites and methods."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group

from caltrace.core import roles
from caltrace.core.services import do_sync_role_groups
from caltrace.methods.choices import MethodKind
from caltrace.methods.factories import MethodFactory, MethodVersionFactory
from caltrace.org.choices import CmcForm, MetrologyField, SiteTenure
from caltrace.org.factories import AgencyFactory, QualificationCertificateFactory, SiteFactory
from caltrace.org.services import do_add_scope_item

TODAY = dt.date(2026, 11, 21)


class Lab:
    """A lab: an agency with an owned main site, a leased branch, a certificate valid 2024–2029
    and two scope items (DC voltage of DMMs at the main site; temperature at the branch)."""

    def __init__(self):
        self.agency = AgencyFactory(name="测试计量校准有限公司", name_en="Test Calibration Ltd.")
        self.main = SiteFactory(agency=self.agency, name="总部", name_en="Headquarters", is_main=True)
        self.branch = SiteFactory(agency=self.agency, name="分部", tenure=SiteTenure.LEASED,
                                  tenure_document_no="ZL-2024-1", tenure_valid_from=dt.date(2024, 1, 1),
                                  tenure_valid_until=dt.date(2028, 12, 31))
        self.cert = QualificationCertificateFactory(agency=self.agency, number="CNAS L90001",
                                                    valid_from=dt.date(2024, 1, 1), valid_until=dt.date(2029, 12, 31))
        self.dmm = MethodFactory(code="JJF 1587", title="数字多用表校准规范",
                                 title_en="Calibration Specification for Digital Multimeters")
        self.prt = MethodFactory(code="JJG 229", kind=MethodKind.JJG, title="工业铂、铜热电阻", title_en="Industrial PRTs")
        self.dmm_version = MethodVersionFactory(method=self.dmm, edition="2016", effective_on=dt.date(2016, 12, 27))
        self.prt_version = MethodVersionFactory(method=self.prt, edition="2010", effective_on=dt.date(2011, 3, 6))
        self.dcv = do_add_scope_item(
            self.cert, code="E-01", field=MetrologyField.ELECTRICAL, quantity="直流电压", quantity_en="DC voltage",
            item_type="数字多用表", item_type_en="Digital multimeters", range_min=Decimal("0"),
            range_max=Decimal("1000"), bipolar=True, unit="V", cmc_form=CmcForm.LINEAR, cmc_a=Decimal("0.000005"),
            cmc_b=Decimal("0.000008"), cmc_text="U = 8×10⁻⁶·x + 5 μV, k = 2", methods=[self.dmm], sites=[self.main])
        self.temp = do_add_scope_item(
            self.cert, code="T-01", field=MetrologyField.THERMAL, quantity="温度", quantity_en="Temperature",
            item_type="工业铂热电阻", item_type_en="Industrial platinum resistance thermometers",
            range_min=Decimal("-40"), range_max=Decimal("300"), unit="°C", cmc_form=CmcForm.ABSOLUTE,
            cmc_a=Decimal("0.05"), methods=[self.prt], sites=[self.branch])


@pytest.fixture
def lab(db):
    return Lab()


@pytest.fixture
def user_with(db, django_user_model):
    """user_with("name", role, …) -> a user in those role groups (fast password hashing)."""
    do_sync_role_groups()

    def make(username, *role_codes, **extra):
        user = django_user_model.objects.create_user(username=username, password="org-test-pw-1", **extra)
        user.groups.add(*Group.objects.filter(name__in=role_codes))
        return user

    return make


@pytest.fixture
def editor(user_with):
    return user_with("director", roles.TECHNICAL_DIRECTOR)


@pytest.fixture
def reader(user_with):
    return user_with("calibrator", roles.CALIBRATOR)


@pytest.fixture
def customer(user_with):
    return user_with("customer", roles.CUSTOMER)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
