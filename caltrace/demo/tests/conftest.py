import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher


class CheapArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2 with the lowest cost: the seed hashes a dozen passwords per test, and the real
    parameters make that seconds. The hash format and the code path are the same."""

    time_cost = 1
    memory_cost = 8
    parallelism = 1


@pytest.fixture(autouse=True)
def cheap_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["caltrace.demo.tests.conftest.CheapArgon2PasswordHasher"]
