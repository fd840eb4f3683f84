"""Writes of the integrity app."""

from django.db import transaction

from .models import Finding
from .registry import Violation

# Rules whose open findings block certificate issue (catalogue: "FLAG (blocks issue)").
BLOCKS_ISSUE = {"PRH-6"}


def record_findings(violations: list[Violation], *, event: str) -> list[Finding]:
    """Store FLAG violations as open findings (one per violation)."""
    with transaction.atomic():
        return [
            Finding.objects.create(
                rule_id=v.rule_id, event=event, message_zh=v.zh, message_en=v.en,
                objects_involved=[o.as_dict() for o in v.objects], blocks_issue=v.rule_id in BLOCKS_ISSUE,
            )
            for v in violations
        ]
