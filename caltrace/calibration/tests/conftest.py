"""Fixtures of the calibration tests: a calibrator user and the simulated bench's lab equipment."""

import pytest


@pytest.fixture
def alice(make_user, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return make_user("alice")


@pytest.fixture
def only_cnd3(scratch_registry):
    """The rule registry with CND-3 alone, for tests of the record services apart from the lab's
    other gates (scope, site, people, equipment), which their own apps' tests cover."""
    from caltrace.calibration.rules import record_complete
    from caltrace.integrity.work import RECORD_SIGN_OFF

    scratch_registry.rule("CND-3", kind="GATE", events=[RECORD_SIGN_OFF], zh="原始记录齐全",
                          en="Raw records complete")(record_complete)
    return scratch_registry


def _standard(name, results, unit):
    from decimal import Decimal

    from caltrace.equipment.factories import EquipmentFactory, make_usable

    eq = EquipmentFactory(standard=True, name=name)
    return make_usable(eq, results=[{"quantity": "", "nominal": Decimal(n), "unit": unit, "error": None,
                                     "uncertainty": Decimal(u), "k": Decimal(k)} for n, u, k in results])


@pytest.fixture
def weights(db):
    """E2 weights with a certificate stating U = 0.05 mg (k = 2) at 100 g."""
    return _standard("E2等级砝码组", [("100", "0.00005", "2")], "g")


@pytest.fixture
def calibrator_5522a(db):
    """A calibrator whose certificate states U at 1 V, 10 V and 100 V (k = 2)."""
    return _standard("多产品校准器", [("1", "0.000008", "2"), ("10", "0.00007", "2"), ("100", "0.0009", "2")], "V")


@pytest.fixture
def sprt(db):
    """A standard platinum resistance thermometer calibrated at 0.01 °C and 231.928 °C."""
    return _standard("二等标准铂电阻温度计", [("0.01", "0.0012", "2"), ("231.928", "0.0025", "2")], "°C")
