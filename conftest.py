"""Fixtures shared by every app's tests. The test environment itself is set in caltrace/testenv.py."""

import pytest  # noqa: E402


@pytest.fixture
def make_user(db):
    """make_user("alice", roles=["quality_manager"]) -> a user in those role groups."""
    from django.contrib.auth import get_user_model

    from caltrace.core.services import do_sync_role_groups

    do_sync_role_groups()
    from django.contrib.auth.models import Group

    def make(username, *, roles=(), password="pw-for-tests-1", **extra):
        user = get_user_model().objects.create_user(username=username, password=password, **extra)
        if roles:
            user.groups.add(*Group.objects.filter(name__in=roles))
        return user

    return make


@pytest.fixture
def token_client(client):
    """token_client(user) -> a Django test client sending that user's API bearer token."""
    from django.test import Client

    from caltrace.core.services import do_issue_api_token

    def make(user):
        _token, key = do_issue_api_token(user, name="test")
        return Client(HTTP_AUTHORIZATION=f"Bearer {key}")

    return make


@pytest.fixture
def scratch_registry(monkeypatch):
    """An empty rule registry for one test (the real rules are restored afterwards)."""
    from collections import defaultdict

    from caltrace.integrity import registry

    monkeypatch.setattr(registry, "_rules", {})
    monkeypatch.setattr(registry, "_by_event", defaultdict(list))
    monkeypatch.setattr(registry, "_loaded", True)
    return registry


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache (throttles such as the status lookup count in it)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
