"""Method withdrawals that fall due (方法废止提醒), for the technical director.

A version whose withdrawal date (or, without one, its successor's effective date) falls on or
before ``until`` is due, from today on. A withdrawal already past stays due only while there is
still something to do: the method is in the accredited scope and neither another edition of it
nor the version's successor is current today. One query, whatever the history.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from caltrace.core import roles
from caltrace.core.reminders import DueItem

from caltrace.org.models import ScopeItem

from .choices import VersionStatus
from .models import MethodVersion
from .selectors import version_status_q

KIND = "method_withdrawal"


def _responsible() -> tuple[int, ...]:
    users = get_user_model().objects.filter(groups__name=roles.TECHNICAL_DIRECTOR, is_active=True)
    return tuple(users.order_by("pk").values_list("pk", flat=True).distinct())


def due(until: dt.date) -> list[DueItem]:
    today = timezone.localdate()
    ending = (Q(withdrawn_on__isnull=False, withdrawn_on__lte=until)
              | Q(withdrawn_on__isnull=True, superseded_by__isnull=False, superseded_by__effective_on__lte=until))
    current = version_status_q(VersionStatus.CURRENT, today)
    replaced = (Exists(MethodVersion.objects.filter(current, method=OuterRef("method")))
                | Exists(MethodVersion.objects.filter(current, pk=OuterRef("superseded_by"))))
    in_scope = Exists(ScopeItem.objects.filter(methods=OuterRef("method")))
    upcoming = _ends_on_or_after_q(today)
    versions = (MethodVersion.objects.filter(ending).filter(upcoming | (in_scope & ~replaced))
                .select_related("method", "superseded_by__method").order_by("withdrawn_on", "pk"))
    responsible = None
    items = []
    for v in versions:
        if responsible is None:
            responsible = _responsible()
        end = v.ends_on
        successor = f" → {v.superseded_by.designation}" if v.superseded_by_id else ""
        items.append(DueItem(
            kind=KIND,
            label_zh=f"方法版本 {v.designation} 于 {end.isoformat()} 废止{successor}",
            label_en=f"Method version {v.designation} is withdrawn on {end.isoformat()}{successor}",
            due_on=end,
            url=reverse("methods:method_detail", args=[v.method_id]),
            responsible=responsible,
        ))
    return items


def _ends_on_or_after_q(day: dt.date) -> Q:
    return (Q(withdrawn_on__isnull=False, withdrawn_on__gte=day)
            | Q(withdrawn_on__isnull=True, superseded_by__effective_on__gte=day))
