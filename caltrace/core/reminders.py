"""What falls due (到期提醒): each app lists its own due items; a daily task mails them.

An app provides ``reminders.py`` with ``due(until: date) -> iterable of DueItem``: every
traceability due date, check, qualification, authorization, reference-material expiry or method
withdrawal on or before ``until`` (already overdue ones included). The dashboard shows a user the
items they are responsible for; the daily task mails each responsible user their list.
"""

from __future__ import annotations

import datetime as dt
import importlib
from dataclasses import dataclass, field


@dataclass(frozen=True)
class DueItem:
    kind: str  # e.g. "traceability", "check", "qualification", "authorization", "rm_expiry", "method_withdrawal"
    label_zh: str
    label_en: str
    due_on: dt.date
    url: str = ""  # where to act on it
    responsible: tuple[int, ...] = field(default=())  # user ids

    def overdue_on(self, today: dt.date) -> bool:
        return self.due_on < today


def due_items(until: dt.date) -> list[DueItem]:
    """Every app's due items up to ``until``, soonest first."""
    from django.apps import apps
    from django.utils.module_loading import module_has_submodule

    items: list[DueItem] = []
    for cfg in apps.get_app_configs():
        if cfg.name.startswith("caltrace.") and cfg.name != "caltrace.core" \
                and module_has_submodule(cfg.module, "reminders"):
            items.extend(importlib.import_module(f"{cfg.name}.reminders").due(until))
    return sorted(items, key=lambda i: (i.due_on, i.kind, i.label_en))


def due_for(user, until: dt.date) -> list[DueItem]:
    return [i for i in due_items(until) if user.pk in i.responsible]
