"""Order endpoints at /api/v1/orders/: the business flow for staff and customers.

Customers see only their organisation's orders (another's answers 404) and the public events of
the timeline. State changes are POST actions calling the services; a PATCH of a status answers
405. ``POST /status`` is the public lookup by order number and access code in the body (no login;
the same 404 for an unknown number and a wrong code; throttled per address with the page).
"""

from __future__ import annotations

import json

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from caltrace.core import roles

from . import selectors, services
from .models import Deviation, Order, OrderItem, Quote

router = Router(tags=["orders"])


# --- schemas ---------------------------------------------------------------------------------------


class ItemIn(Schema):
    instrument_type: str
    manufacturer: str = ""
    model: str = ""
    serial_no: str = ""
    range_text: str = ""
    range_min: Decimal | None = None
    range_max: Decimal | None = None
    unit: str = ""
    requested_method_id: int | None = None
    quantity: int = 1


class OrderIn(Schema):
    customer_id: int | None = None  # staff only; a customer applies for its own organisation
    contact_id: int | None = None
    location: str = "in_lab"
    on_site_address: str = ""
    conformity_wanted: bool = False
    conformity_specification: str = ""
    notes: str = ""
    site_id: int | None = None
    items: list[ItemIn]


class OrderListOut(Schema):
    id: int
    number: str
    status: str
    customer_id: int
    customer_name: str
    site_id: int | None
    location: str
    item_count: int
    created_at: dt.datetime

    @staticmethod
    def resolve_customer_name(obj):
        return obj.customer.name


class DeviationOut(Schema):
    id: int
    kind: str
    description: str
    justification: str
    status: str
    customer_comment: str
    decided_at: dt.datetime | None


class ItemOut(Schema):
    id: int
    status: str
    instrument_type: str
    manufacturer: str
    model: str
    serial_no: str
    range_text: str
    range_min: Decimal | None
    range_max: Decimal | None
    unit: str
    quantity: int
    requested_method_id: int | None
    scope_item_id: int | None
    method_version_id: int | None
    review_note: str
    identification: str | None
    label_code: str
    condition_on_receipt: str
    receipt_deviation: str
    return_method: str
    courier_slip_no: str
    next_due_on: dt.date | None
    deviations: list[DeviationOut] = []


class QuoteLineOut(Schema):
    item_id: int
    price: Decimal
    list_price: Decimal


class QuoteOut(Schema):
    id: int
    number: str
    status: str
    total: Decimal
    lines: list[QuoteLineOut] = []


class StaffQuoteOut(QuoteOut):
    cost: Decimal
    below_cost: bool
    approval_note: str


class EventOut(Schema):
    at: dt.datetime
    kind: str
    text_zh: str
    text_en: str
    public: bool


class OrderOut(Schema):
    id: int
    number: str
    status: str
    customer_id: int
    customer_name: str
    contact_id: int | None
    site_id: int | None
    location: str
    on_site_address: str
    conformity_wanted: bool
    conformity_specification: str
    decision_rule: str
    notes: str
    drop_off_on: dt.date | None
    pick_up_on: dt.date | None
    visit_on: dt.date | None
    reapplication_of_id: int | None
    items: list[ItemOut]
    quote: dict | None
    timeline: list[EventOut]


class CreatedOut(Schema):
    order: OrderOut
    access_code: str


class ProposalOut(Schema):
    item_id: int
    scope_item_id: int | None
    method_version_id: int | None
    problems: list[dict]


class StatusOut(Schema):
    number: str
    status: str
    status_zh: str
    status_en: str
    timeline: list[EventOut]


class CommentIn(Schema):
    comment: str = ""


class ReviewIn(Schema):
    scope_item_id: int
    method_version_id: int
    note: str = ""


class DeviationIn(Schema):
    kind: str
    description: str
    justification: str = ""


class QuoteIn(Schema):
    prices: dict[int, Decimal] = {}


class ApproveIn(Schema):
    note: str


class ReviewCompleteIn(Schema):
    decision_rule: str = ""


class DecideIn(Schema):
    accept: bool
    comment: str = ""


class AppointmentIn(Schema):
    drop_off_on: dt.date | None = None
    pick_up_on: dt.date | None = None
    visit_on: dt.date | None = None


class ReceiveIn(Schema):
    condition: str
    deviation: str = ""


class HandOverIn(Schema):
    method: str
    returned_to: str = ""
    courier_slip_no: str = ""


# --- helpers ---------------------------------------------------------------------------------------


def _order(user, number: str) -> Order:
    return get_object_or_404(selectors.order_detail(selectors.visible_orders(user)), number=number)


def _item(user, item_id: int) -> OrderItem:
    qs = OrderItem.objects.select_related("order", "order__customer").prefetch_related("deviations")
    return get_object_or_404(qs.filter(order__in=selectors.visible_orders(user)), pk=item_id)


def _item_out(item: OrderItem) -> dict:
    data = {name: getattr(item, name) for name in ItemOut.model_fields if name != "deviations"}
    data["deviations"] = list(item.deviations.all())
    return data


def _quote_out(quote: Quote | None, staff: bool) -> dict | None:
    if quote is None:
        return None
    data = {"id": quote.id, "number": quote.number, "status": quote.status, "total": quote.total,
            "lines": [{"item_id": line.item_id, "price": line.price, "list_price": line.list_price}
                      for line in quote.lines.all()]}
    if staff:
        data.update(cost=quote.cost, below_cost=quote.below_cost, approval_note=quote.approval_note)
    return (StaffQuoteOut if staff else QuoteOut)(**data).model_dump()


def _order_out(order: Order, user) -> dict:
    staff = roles.is_staff_member(user)
    quotes = sorted((q for q in order.quotes.all() if q.status != "rejected"), key=lambda q: -q.pk)
    if not staff:
        quotes = [q for q in quotes if q.status not in ("draft", "pending_approval")]
    data = {name: getattr(order, name) for name in OrderOut.model_fields
            if name not in ("items", "quote", "timeline", "customer_name")}
    data.update(customer_name=order.customer.name, items=[_item_out(i) for i in order.items.all()],
                quote=_quote_out(quotes[0] if quotes else None, staff),
                timeline=list(selectors.timeline_for(order, user)))
    return data


def _fresh(user, number: str) -> dict:
    return _order_out(_order(user, number), user)


def _lookup(model, pk: int | None, field: str):
    if pk is None:
        return None
    found = model.objects.filter(pk=pk).first()
    if found is None:
        raise ValidationError({field: [_("不存在")]})
    return found


# --- public status lookup (no login) ----------------------------------------------------------------


class LookupIn(Schema):
    number: str
    code: str


@router.post("/status", response={200: StatusOut, 404: dict, 429: dict}, auth=None,
             summary="Look an order up by number and access code (in the body, never in the URL)")
def status_lookup(request, data: LookupIn):
    if selectors.lookup_over_limit(selectors.client_address(request)):
        return Status(429, {"detail": _("查询次数过多，请稍后再试")})
    order = selectors.lookup_status(data.number, data.code)
    if order is None:
        return Status(404, {"detail": _("委托单号或查询码不正确")})
    zh, en = Order.workflow.states[order.status]
    return {"number": order.number, "status": order.status, "status_zh": zh, "status_en": en,
            "timeline": list(selectors.public_timeline(order))}


# --- orders ----------------------------------------------------------------------------------------


@router.get("", response=list[OrderListOut], summary="Orders (customers: their own)")
@paginate(LimitOffsetPagination)
def list_orders(request, status: str | None = None, site: int | None = None, customer: int | None = None,
                q: str | None = None):
    qs = selectors.filter_orders(selectors.orders_for_list(request.auth), status=status, site=site,
                                 customer=customer, q=q)
    return qs


@router.post("", response={201: CreatedOut}, summary="Apply (a customer) or enter an application (reception)")
def create_order(request, payload: OrderIn):
    from caltrace.customers.models import CustomerContact, CustomerOrganisation
    from caltrace.customers.selectors import organisation_of
    from caltrace.methods.models import Method
    from caltrace.org.models import Site

    user = request.auth
    if roles.is_customer(user):
        customer = organisation_of(user)
        own_contact = CustomerContact.objects.filter(user=user).first()
    else:
        if payload.customer_id is None:
            raise ValidationError({"customer_id": [_("请选择委托方")]})
        customer = _lookup(CustomerOrganisation, payload.customer_id, "customer_id")
        own_contact = None
    if customer is None:
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("no customer organisation")
    contact = _lookup(CustomerContact, payload.contact_id, "contact_id") or own_contact
    items = []
    for i, item in enumerate(payload.items):
        data = item.dict()
        data["requested_method"] = _lookup(Method, data.pop("requested_method_id"), f"items[{i}].requested_method_id")
        items.append(data)
    order, code = services.do_create_order(
        customer, items=items, actor=user, contact=contact, location=payload.location,
        on_site_address=payload.on_site_address, conformity_wanted=payload.conformity_wanted,
        conformity_specification=payload.conformity_specification, notes=payload.notes,
        site=_lookup(Site, payload.site_id, "site_id"))
    return Status(201, {"order": _fresh(user, order.number), "access_code": code})


@router.get("/items/by-code/{code}", response=ItemOut, summary="The item a scanned label names")
def item_by_code(request, code: str):
    item = selectors.find_by_code(code)
    if item is None:
        from django.http import Http404

        raise Http404
    return _item_out(_item(request.auth, item.pk))


@router.get("/items/{item_id}", response=ItemOut)
def get_item(request, item_id: int):
    return _item_out(_item(request.auth, item_id))


@router.post("/items/{item_id}/review", response=ItemOut, summary="Record the contract review of an item")
def review_item(request, item_id: int, payload: ReviewIn):
    from caltrace.methods.models import MethodVersion
    from caltrace.org.models import ScopeItem

    item = _item(request.auth, item_id)
    services.do_review_item(item, scope_item=_lookup(ScopeItem, payload.scope_item_id, "scope_item_id"),
                            method_version=_lookup(MethodVersion, payload.method_version_id, "method_version_id"),
                            actor=request.auth, note=payload.note)
    return _item_out(_item(request.auth, item_id))


@router.post("/items/{item_id}/deviations", response={201: DeviationOut}, summary="Record a deviation (CON-2)")
def record_deviation(request, item_id: int, payload: DeviationIn):
    item = _item(request.auth, item_id)
    return Status(201, services.do_record_deviation(item, kind=payload.kind, description=payload.description,
                                                    justification=payload.justification, actor=request.auth))


@router.post("/items/{item_id}/receive", response=ItemOut, summary="Receive an item (SMP-2, SMP-3)")
def receive_item(request, item_id: int, payload: ReceiveIn):
    item = _item(request.auth, item_id)
    services.do_receive_item(item, actor=request.auth, condition=payload.condition, deviation=payload.deviation)
    return _item_out(_item(request.auth, item_id))


@router.post("/items/{item_id}/hand-over", response=ItemOut, summary="Hand an item back")
def hand_over_item(request, item_id: int, payload: HandOverIn):
    item = _item(request.auth, item_id)
    services.do_hand_over(item, actor=request.auth, method=payload.method, returned_to=payload.returned_to,
                          courier_slip_no=payload.courier_slip_no)
    return _item_out(_item(request.auth, item_id))


@router.post("/quotes/{quote_id}/approve", response=StaffQuoteOut, summary="Approve a quote below cost (MKT-2)")
def approve_quote(request, quote_id: int, payload: ApproveIn):
    quote = get_object_or_404(Quote.objects.filter(order__in=selectors.visible_orders(request.auth)), pk=quote_id)
    quote = services.do_approve_quote(quote, actor=request.auth, note=payload.note)
    return _quote_out(Quote.objects.prefetch_related("lines").get(pk=quote.pk), True)


@router.post("/deviations/{deviation_id}/decide", response=DeviationOut, summary="The customer decides a deviation")
def decide_deviation(request, deviation_id: int, payload: DecideIn):
    deviation = get_object_or_404(
        Deviation.objects.select_related("item__order").filter(
            item__order__in=selectors.visible_orders(request.auth)), pk=deviation_id)
    return services.do_decide_deviation(deviation, accept=payload.accept, actor=request.auth,
                                        comment=payload.comment)


@router.get("/{number}", response=OrderOut, summary="An order with its items, deviations, quote and timeline")
def get_order(request, number: str):
    return _fresh(request.auth, number)


@router.get("/{number}/proposals", response=list[ProposalOut], summary="The contract review proposal of each item")
def proposals(request, number: str):
    order = _order(request.auth, number)
    if not roles.is_staff_member(request.auth):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("staff only")
    return [{"item_id": pk, "scope_item_id": getattr(p.scope_item, "pk", None),
             "method_version_id": getattr(p.method_version, "pk", None),
             "problems": [{"code": x.code, "zh": x.zh, "en": x.en} for x in p.problems]}
            for pk, p in selectors.propose_all(order).items()]


@router.post("/{number}/submit", response=OrderOut)
def submit_order(request, number: str):
    services.do_submit_order(_order(request.auth, number), actor=request.auth)
    return _fresh(request.auth, number)


@router.post("/{number}/quote", response={201: StaffQuoteOut}, summary="Quote the reviewed items (MKT-2)")
def make_quote(request, number: str, payload: QuoteIn):
    quote = services.do_make_quote(_order(request.auth, number), actor=request.auth, prices=payload.prices or None)
    return Status(201, _quote_out(Quote.objects.prefetch_related("lines").get(pk=quote.pk), True))


@router.post("/{number}/complete-review", response=OrderOut)
def complete_review(request, number: str, payload: ReviewCompleteIn):
    services.do_complete_review(_order(request.auth, number), actor=request.auth,
                                decision_rule=payload.decision_rule)
    return _fresh(request.auth, number)


@router.post("/{number}/accept", response=OrderOut,
             summary="Accept the quote and the deviations (the customer; reception with {\"customer_evidence\": …})")
def accept_order(request, number: str):
    # The body is optional (a customer accepts with none): reception names the written acceptance.
    body = {}
    if request.content_type == "application/json" and request.body:
        try:
            body = json.loads(request.body)
        except ValueError:
            raise ValidationError({"body": [_("请求内容不是有效的 JSON")]}) from None
    evidence = body.get("customer_evidence", "") if isinstance(body, dict) else ""
    services.do_accept_order(_order(request.auth, number), actor=request.auth, customer_evidence=str(evidence))
    return _fresh(request.auth, number)


@router.post("/{number}/decline", response=OrderOut)
def decline_order(request, number: str, payload: CommentIn):
    services.do_decline_order(_order(request.auth, number), actor=request.auth, comment=payload.comment)
    return _fresh(request.auth, number)


@router.post("/{number}/appointment", response=OrderOut)
def book_appointment(request, number: str, payload: AppointmentIn):
    services.do_book_appointment(_order(request.auth, number), actor=request.auth, drop_off_on=payload.drop_off_on,
                                 pick_up_on=payload.pick_up_on, visit_on=payload.visit_on)
    return _fresh(request.auth, number)
