"""What falls due in the equipment registry (设备到期提醒), for the equipment managers.

Up to ``until`` (overdue ones included): each piece of equipment's traceability due date, a
reference material's expiry, the next intermediate check, and a measurement standard's
examination certificate. Retired equipment is left out; equipment out of service stays in (it
must be traceable again before it returns).
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db.models import OuterRef, Subquery
from django.urls import reverse

from caltrace.core import roles
from caltrace.core.reminders import DueItem

from .choices import CERTIFIED_KINDS, EquipmentStatus
from .models import StandardCertificate
from .selectors import next_check_due, with_status

TRACEABILITY, RM_EXPIRY, CHECK, STANDARD_CERTIFICATE = "traceability", "rm_expiry", "check", "standard_certificate"


def _responsible() -> tuple[int, ...]:
    users = get_user_model().objects.filter(groups__name=roles.EQUIPMENT_MANAGER, is_active=True)
    return tuple(users.order_by("pk").values_list("pk", flat=True).distinct())


def due(until: dt.date) -> list[DueItem]:
    latest_cert = StandardCertificate.objects.filter(equipment=OuterRef("pk")).order_by("-valid_until", "-id")
    rows = (with_status().exclude(status=EquipmentStatus.RETIRED)
            .annotate(cert_no=Subquery(latest_cert.values("number")[:1]),
                      cert_until=Subquery(latest_cert.values("valid_until")[:1]))
            .order_by("asset_no"))
    found = []  # (kind, label_zh, label_en, due_on, url)
    for eq in rows:
        url = reverse("equipment:detail", args=[eq.pk])
        if eq.trace_due is not None and eq.trace_due <= until:
            day = eq.trace_due.isoformat()
            if eq.kind in CERTIFIED_KINDS:
                found.append((RM_EXPIRY, f"标准物质 {eq} 有效期至 {day}（证书 {eq.trace_cert}）",
                              f"Reference material {eq} expires on {day} (certificate {eq.trace_cert})",
                              eq.trace_due, url))
            else:
                found.append((TRACEABILITY, f"设备 {eq} 溯源到期 {day}（证书 {eq.trace_cert}）",
                              f"Traceability of {eq} falls due on {day} (certificate {eq.trace_cert})",
                              eq.trace_due, url))
        check_on = next_check_due(eq)
        if check_on is not None and check_on <= until:
            day = check_on.isoformat()
            found.append((CHECK, f"设备 {eq} 期间核查 {day}", f"Intermediate check of {eq} due on {day}", check_on, url))
        if eq.cert_until is not None and eq.cert_until <= until:
            day = eq.cert_until.isoformat()
            found.append((STANDARD_CERTIFICATE, f"计量标准 {eq} 考核证书 {eq.cert_no} 有效期至 {day}",
                          f"Examination certificate {eq.cert_no} of standard {eq} expires on {day}",
                          eq.cert_until, url))
    if not found:
        return []
    responsible = _responsible()
    return [DueItem(kind, zh, en, on, url, responsible) for kind, zh, en, on, url in found]
