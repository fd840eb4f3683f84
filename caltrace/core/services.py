"""Writes of the core app: roles and API tokens."""

import secrets

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from . import roles
from .models import ApiToken


def do_sync_role_groups() -> None:
    """Create one group per role and give it exactly the role's permissions (idempotent)."""
    with transaction.atomic():
        for role in roles.ROLES.values():
            group, _ = Group.objects.get_or_create(name=role.code)
            wanted = []
            for perm in role.permissions:
                app_label, codename = perm.split(".")
                wanted.extend(Permission.objects.filter(content_type__app_label=app_label, codename=codename))
            current = set(group.permissions.values_list("pk", flat=True))
            if current != {p.pk for p in wanted}:
                group.permissions.set(wanted)


def do_issue_api_token(user, *, name: str) -> tuple[ApiToken, str]:
    """Make a token for machines; the key is returned once and only its hash is stored."""
    key = "ct_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, prefix=key[3:11], key_hash=ApiToken.hash_key(key))
    return token, key
