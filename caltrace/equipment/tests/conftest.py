"""Fixtures of the equipment tests: scope items to judge against, users by role, the rules alone."""

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group

from caltrace.core import roles
from caltrace.core.services import do_sync_role_groups
from caltrace.org.factories import AgencyFactory
from caltrace.org.models import QualificationCertificate, ScopeItem

EQUIPMENT_RULE_IDS = {"EQP-2", "EQP-3", "EQP-4", "EQP-5", "CND-7"}
_serial = itertools.count(1)


@pytest.fixture
def scope_item(db):
    """make a scope item: ``scope_item(unit="V", range_max=..., cmc_form="absolute", cmc_a=..., cmc_b=...)``."""

    def make(unit="V", range_min="0", range_max="1000", cmc_form="linear", cmc_a="0.00002", cmc_b="0.00002",
             cmc_k="2"):
        n = next(_serial)
        cert = QualificationCertificate.objects.create(
            agency=AgencyFactory(), kind="accreditation", number=f"CNAS L{n:05d}", issuer="中国合格评定国家认可委员会",
            valid_from=dt.date(2020, 1, 1), valid_until=dt.date(2099, 12, 31))
        return ScopeItem.objects.create(
            certificate=cert, code=f"E-{n}", field="electrical", quantity="直流电压", item_type="数字多用表",
            range_min=Decimal(range_min), range_max=Decimal(range_max), unit=unit, cmc_form=cmc_form,
            cmc_a=Decimal(cmc_a), cmc_b=Decimal(cmc_b), cmc_k=Decimal(cmc_k))

    return make


@pytest.fixture
def only_equipment_rules(monkeypatch):
    """The registry with only this app's rules bound, so enforce() judges the equipment alone."""
    from collections import defaultdict

    from caltrace.integrity import registry

    registry.rules()  # load every app's rules first
    mine = defaultdict(list)
    for event, bound in registry._by_event.items():
        mine[event] = [r for r in bound if r.id in EQUIPMENT_RULE_IDS and r.func.__module__.startswith("caltrace.equipment")]
    monkeypatch.setattr(registry, "_by_event", mine)
    return registry


@pytest.fixture
def user_with(db, django_user_model, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    do_sync_role_groups()

    def make(username, *role_codes, **extra):
        user = django_user_model.objects.create_user(username=username, password="pw-equipment-1", **extra)
        if role_codes:
            user.groups.add(*Group.objects.filter(name__in=role_codes))
        return user

    return make


@pytest.fixture
def manager(user_with):
    return user_with("eqm", roles.EQUIPMENT_MANAGER)


@pytest.fixture
def calibrator(user_with):
    return user_with("cal", roles.CALIBRATOR)


@pytest.fixture
def customer(user_with):
    return user_with("cust", roles.CUSTOMER)
