"""Fixtures of the calibration tests: a calibrator user and the simulated bench's lab equipment."""

import pytest


@pytest.fixture
def alice(make_user, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return make_user("alice")
