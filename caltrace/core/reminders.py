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


def send_daily_digests(today: dt.date, window_days: int) -> int:
    """Mail each responsible user their due items once for ``today``; returns mails sent."""
    from django.contrib.auth import get_user_model
    from django.core.mail import send_mail
    from django.db import IntegrityError, transaction

    from .models import ReminderDigest

    by_user: dict[int, list[DueItem]] = {}
    for item in due_items(today + dt.timedelta(days=window_days)):
        for uid in item.responsible:
            by_user.setdefault(uid, []).append(item)
    done = set(ReminderDigest.objects.filter(day=today, user_id__in=by_user).values_list("user_id", flat=True))
    users = get_user_model().objects.filter(pk__in=set(by_user) - done, is_active=True).exclude(email="")
    sent = 0
    for user in users:
        items = by_user[user.pk]
        try:
            with transaction.atomic():
                ReminderDigest.objects.create(user=user, day=today, item_count=len(items))
                subject, body = _digest_text(items, today)
                transaction.on_commit(lambda u=user, s=subject, b=body: send_mail(s, b, None, [u.email]))
        except IntegrityError:
            continue  # another worker mailed this user today
        sent += 1
    return sent


def _digest_text(items: list[DueItem], today: dt.date) -> tuple[str, str]:
    overdue = sum(1 for i in items if i.overdue_on(today))
    subject = f"caltrace 到期提醒 / Due reminders: {len(items)} ({overdue} 已过期 / overdue)"
    lines = ["以下事项即将到期或已经过期 / These items fall due soon or are overdue:", ""]
    for i in items:
        flag = "已过期 / OVERDUE" if i.overdue_on(today) else "即将到期 / due"
        lines.append(f"- {i.due_on.isoformat()}  [{flag}]  {i.label_zh} / {i.label_en}")
        if i.url:
            lines.append(f"  {i.url}")
    return subject, "\n".join(lines) + "\n"
