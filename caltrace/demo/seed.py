"""Seeds the demo lab. Idempotent: running it twice leaves one copy of everything."""

from dataclasses import dataclass

from django.db import transaction

from caltrace.core import audit, roles
from caltrace.core.services import do_sync_role_groups


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: str
    role_zh: str
    role_en: str


DEMO_PASSWORD = "caltrace-demo"


def seed() -> list[DemoAccount]:
    with audit.audit_context(actor="system:init-demo"), transaction.atomic():
        do_sync_role_groups()
        return []
