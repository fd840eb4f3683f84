"""Recall reminders (复校提醒, DIG-7): before a customer's instrument falls due, its contact gets a
mail with a one-click re-application link. The link carries the item ids in a signed token."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core import signing
from django.db import transaction

from .models import OrderItem

RECALL_DAYS = 30
TOKEN_SALT = "caltrace.orders.reapply"


def reapply_token(items) -> str:
    """A signed token naming ``items``, for the re-application link."""
    return signing.dumps({"items": sorted(i.pk for i in items)}, salt=TOKEN_SALT, compress=True)


def items_from_token(token: str, max_age_days: int = 60) -> list[OrderItem]:
    """The items a token names; an empty list when it is forged, garbled or older than ``max_age_days``."""
    try:
        data = signing.loads(token, salt=TOKEN_SALT, max_age=dt.timedelta(days=max_age_days))
        pks = [int(pk) for pk in data["items"]]
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return []
    return list(OrderItem.objects.filter(pk__in=pks).select_related("order", "order__customer")
                .order_by("order_id", "pk"))


def reapply_url(items) -> str:
    return f"{settings.CALTRACE_BASE_URL}/portal/reapply/{reapply_token(items)}/"


def due_for_recall(today: dt.date, days: int = RECALL_DAYS):
    """Items falling due within ``days`` (or overdue) whose contact has not been reminded yet."""
    return (OrderItem.objects.filter(next_due_on__isnull=False, next_due_on__lte=today + dt.timedelta(days=days),
                                     recall_sent_on__isnull=True)
            .select_related("order", "order__contact", "order__submitted_by", "order__customer")
            .order_by("order_id", "pk"))


def send_recall_reminders(today: dt.date, days: int = RECALL_DAYS) -> int:
    """Mail each order's contact about its items falling due, once; returns the number of mails."""
    from django.core.mail import send_mail

    from .notices import recipients

    by_order: dict[int, list[OrderItem]] = {}
    for item in due_for_recall(today, days):
        by_order.setdefault(item.order_id, []).append(item)
    sent = 0
    for items in by_order.values():
        order = items[0].order
        to = recipients(order)
        if not to:
            continue
        subject, body = _recall_text(order, items)
        with transaction.atomic():
            locked = list(OrderItem.objects.select_for_update().filter(pk__in=[i.pk for i in items],
                                                                       recall_sent_on__isnull=True))
            if not locked:
                continue
            for item in locked:
                item.recall_sent_on = today
                item.save(update_fields=["recall_sent_on", "updated_at"])
            transaction.on_commit(lambda s=subject, b=body, t=to: send_mail(s, b, None, t))
        sent += 1
    return sent


def _recall_text(order, items) -> tuple[str, str]:
    lines = [f"- {i.identification or ''} {i.description}：{i.next_due_on.isoformat()}" for i in items]
    link = reapply_url(items)
    subject = f"复校提醒：{order.customer.name} 的 {len(items)} 件器具即将到期 / Recalibration due"
    body = ("以下器具即将到校准有效期，请及时安排复校：\n"
            "The following instruments fall due for recalibration:\n\n" + "\n".join(lines)
            + f"\n\n一键再次申请 One-click re-application：{link}\n"
            f"（原委托单 Previous order：{order.number}）\n")
    return subject, body


def due(until: dt.date):
    """The dashboard's due items of the business flow (``caltrace.core.reminders``): booked
    drop-offs, pick-ups and on-site visits on or before ``until`` of orders still open, for the
    reception staff; quotes below cost awaiting approval, for the laboratory managers."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q
    from django.urls import reverse
    from django.utils import timezone

    from caltrace.core import roles
    from caltrace.core.reminders import DueItem

    from .choices import QuoteStatus
    from .models import Order, Quote

    def users(*role_codes):
        qs = get_user_model().objects.filter(groups__name__in=role_codes, is_active=True)
        return tuple(qs.order_by("pk").values_list("pk", flat=True).distinct())

    reception = users(roles.RECEPTION, roles.LAB_MANAGER)
    found = []
    open_orders = Order.objects.filter(status__in=("accepted", "in_progress", "ready")).filter(
        Q(drop_off_on__lte=until) | Q(pick_up_on__lte=until) | Q(visit_on__lte=until)).select_related("customer")
    for order in open_orders.order_by("number"):
        url = reverse("orders:detail", args=[order.number])
        for day, zh, en in ((order.drop_off_on, "预约送样", "drop-off"), (order.visit_on, "预约现场校准", "on-site visit"),
                            (order.pick_up_on, "预约取样", "pick-up")):
            if day is not None and day <= until and not (en == "drop-off" and order.status != "accepted"):
                found.append(DueItem("appointment", f"{order.number} {order.customer.name} {zh} {day.isoformat()}",
                                     f"{order.number} {order.customer.name} {en} on {day.isoformat()}", day, url,
                                     reception))
    managers = users(roles.LAB_MANAGER)
    for quote in Quote.objects.filter(status=QuoteStatus.PENDING_APPROVAL).select_related("order"):
        day = timezone.localdate(quote.created_at)
        found.append(DueItem("quote_approval", f"报价单 {quote.number}（{quote.order.number}）低于成本，待批准",
                             f"Quote {quote.number} ({quote.order.number}) is below cost and awaits approval", day,
                             reverse("orders:approve_quote", args=[quote.pk]), managers))
    return found
