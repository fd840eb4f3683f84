"""The order timeline and the notices that go with it (DIG-1, DIG-7).

Every step of an order, whichever app takes it (orders, calibration jobs, certificates), calls
:func:`note_event`: it appends an :class:`~caltrace.orders.models.OrderEvent` to the order's
timeline and, for a public event, mails the order's contact (and the portal user who applied)
after the transaction commits, through Django's mail backend (the demo writes mails to files).
A failed transaction sends nothing.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from .choices import EventKind
from .models import Order, OrderEvent

SUBJECT = "【{lab}】委托单 {number}：{text} / Order {number}: {text_en}"


def recipients(order: Order) -> list[str]:
    """Where an order's notices go: its contact's e-mail and the applicant's, without duplicates."""
    found = []
    if order.contact_id and order.contact.email:
        found.append(order.contact.email)
    if order.submitted_by_id and order.submitted_by.email:
        found.append(order.submitted_by.email)
    return list(dict.fromkeys(found))


def _lab_name() -> str:
    from caltrace.org.models import Agency

    agency = Agency.objects.order_by("pk").only("name").first()
    return agency.name if agency else "caltrace"


def _body(order: Order, event: OrderEvent) -> str:
    from django.conf import settings
    from django.urls import reverse

    link = settings.CALTRACE_BASE_URL + reverse("orders:status_lookup")
    return (f"{event.text_zh}\n{event.text_en}\n\n"
            f"委托单号 Order number：{order.number}\n"
            f"时间 Time：{timezone.localtime(event.at):%Y-%m-%d %H:%M}\n\n"
            f"登录客户门户查看进度；或在 {link} 输入委托单号和查询码查询。\n"
            f"Follow the order in the customer portal, or look it up at {link} with its number and access code.\n")


def note_event(order: Order, kind: str, text_zh: str, text_en: str, *, item=None, actor: str = "",
               public: bool = True, notify: bool = True) -> OrderEvent:
    """Append an event to ``order``'s timeline; a public one is mailed after commit when ``notify``."""
    if kind not in EventKind.values:
        raise ValueError(f"unknown event kind {kind!r}")
    event = OrderEvent.objects.create(order=order, item=item, at=timezone.now(), kind=kind, text_zh=text_zh,
                                      text_en=text_en, public=public, actor=actor)
    if public and notify:
        to = recipients(order)
        if to:
            transaction.on_commit(lambda: _send(order.pk, event.pk, to))
    return event


def _send(order_pk: int, event_pk: int, to: list[str]) -> None:
    from django.core.mail import send_mail

    order = Order.objects.get(pk=order_pk)
    event = OrderEvent.objects.get(pk=event_pk)
    subject = SUBJECT.format(lab=_lab_name(), number=order.number, text=event.text_zh[:40], text_en=event.text_en[:60])
    send_mail(subject.replace("\n", " "), _body(order, event), None, to)
    OrderEvent.objects.filter(pk=event_pk).update(notified_at=timezone.now())
