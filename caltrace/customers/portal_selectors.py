"""Reads of the customer portal, each scoped to the signed-in user's organisation.

Any object outside the organisation raises ``DoesNotExist``; the views answer 404, so the portal
never confirms that another customer's order or request exists.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Avg, Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import SURVEY_SCORES, Complaint, CustomerContact, RecordRequest, SurveyResponse

DUE_WINDOW_DAYS = 90

# What the customer should do (or wait for) next, by order status.
NEXT_STEP = {
    "draft": _("提交申请"),
    "submitted": _("等待实验室合同评审"),
    "awaiting_customer": _("请确认报价和偏离"),
    "accepted": _("请预约送样或现场校准"),
    "in_progress": _("校准进行中"),
    "ready": _("证书已出具，等待交还仪器"),
    "closed": _("已完成"),
    "rejected": _("实验室不予受理"),
    "cancelled": _("已取消"),
}


def portal_contact(user) -> CustomerContact | None:
    return CustomerContact.objects.filter(user=user).select_related("organisation").first()


def organisation_orders(org):
    """The organisation's orders, newest first, each with ``item_count`` and ``rated``."""
    from caltrace.orders.models import Order

    return (Order.objects.filter(customer=org)
            .annotate(item_count=Count("items", distinct=True),
                      rated=Exists(SurveyResponse.objects.filter(order=OuterRef("pk"))))
            .order_by("-created_at", "-id"))


def get_order(org, number: str):
    from caltrace.orders.models import Order

    return Order.objects.select_related("contact").get(customer=org, number=number)


def orders_to_rate(org):
    return organisation_orders(org).filter(status="closed", rated=False)


def items_falling_due(org, *, today: dt.date | None = None, days: int = DUE_WINDOW_DAYS):
    """Instruments of the organisation due for recalibration within ``days`` (or overdue)."""
    from caltrace.orders.models import OrderItem

    today = today or timezone.localdate()
    return (OrderItem.objects.filter(order__customer=org, next_due_on__isnull=False,
                                     next_due_on__lte=today + dt.timedelta(days=days))
            .exclude(status="withdrawn").select_related("order").order_by("next_due_on", "id"))


def order_certificates(order):
    """The certificates of an order's items: matched by the item's unique identification, which
    the certificate carries, within the order's customer."""
    from caltrace.certificates.models import Certificate
    from caltrace.certificates.selectors import with_state

    idents = [i for i in order.items.exclude(identification=None).values_list("identification", flat=True) if i]
    if not idents:
        return Certificate.objects.none()
    return with_state(Certificate.objects.filter(customer_id=order.customer_id,
                                                 document__item__identification__in=idents)).order_by("-issued_at")


def organisation_requests(org):
    return (RecordRequest.objects.filter(organisation=org)
            .select_related("order_item__order", "certificate", "requested_by").order_by("-created_at", "-id"))


def organisation_complaints(org):
    return Complaint.objects.filter(organisation=org).select_related("order").order_by("-submitted_at", "-id")


def open_requests(org):
    return organisation_requests(org).filter(status="requested")


def open_complaints(org):
    return organisation_complaints(org).exclude(status="closed")


def survey_summary(qs=None) -> dict:
    """Average score per question and the number of answers."""
    qs = SurveyResponse.objects.all() if qs is None else qs
    agg = qs.aggregate(count=Count("pk"), **{k: Avg(k) for k in SURVEY_SCORES})
    return agg


def staff_requests(status: str | None = None):
    qs = (RecordRequest.objects.select_related("organisation", "order_item__order", "certificate", "requested_by",
                                               "decided_by").order_by("-created_at", "-id"))
    return qs.filter(status=status) if status else qs


def staff_complaints(status: str | None = None):
    qs = Complaint.objects.select_related("organisation", "order", "submitted_by").order_by("-submitted_at", "-id")
    return qs.filter(status=status) if status else qs


def pending_count() -> dict:
    return {"requests": RecordRequest.objects.filter(status="requested").count(),
            "complaints": Complaint.objects.filter(~Q(status="closed")).count()}
