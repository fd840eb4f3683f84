"""Writes of the orders app: the business flow from a customer's application to hand-over.

Each service validates (``full_clean``, naming the field), runs in one transaction, locks what it
changes, and names its actor in the audit ledger. State changes go through
:func:`caltrace.core.workflows.transition` with the transitions of :mod:`.workflows`; every step
leaves an event on the order's timeline (:func:`.notices.note_event`), mailed to the customer
after commit when it is public.
"""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from caltrace.core import audit, roles
from caltrace.core.numbering import next_number
from caltrace.core.workflows import TransitionError, transition
from caltrace.people.models import add_months

from .choices import DeviationStatus, EventKind, QuoteStatus, ReturnMethod, ServiceLocation
from .models import Deviation, Order, OrderItem, PriceListEntry, Quote, QuoteLine, hash_access_code
from .notices import note_event

ITEM_FIELDS = ("instrument_type", "manufacturer", "model", "serial_no", "range_text", "range_min", "range_max",
               "unit", "requested_method", "quantity")
# An access code a person can read out on the phone: no 0/O, 1/I/L.
ACCESS_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
ACCESS_CODE_LENGTH = 10
DEVIATION_STATES = ("submitted", "awaiting_customer", "accepted", "in_progress")


def _acting(actor, reason: str | None = None):
    return audit.audit_context(actor=audit.actor_for_user(actor), reason=reason)


def new_access_code() -> str:
    return "".join(secrets.choice(ACCESS_CODE_ALPHABET) for _i in range(ACCESS_CODE_LENGTH))


def _actor_label(actor) -> str:
    if actor is None:
        return "system"
    return actor.get_full_name() or actor.get_username()


def is_customer_of(actor, customer) -> bool:
    """Whether ``actor`` is a portal user of the customer organisation ``customer``."""
    from caltrace.customers.models import CustomerContact

    if actor is None or not roles.is_customer(actor):
        return False
    return CustomerContact.objects.filter(user=actor, organisation_id=customer.pk).exists()


def _require_customer_or_staff(actor, customer, perm: str = "orders.review_order"):
    """The customer's own portal users, or staff holding ``perm`` (reception acting for the customer)."""
    if is_customer_of(actor, customer):
        return
    if actor is not None and roles.is_staff_member(actor) and actor.has_perm(perm):
        return
    raise PermissionDenied(f"{actor} may not act for {customer}")


def _require_perm(actor, perm: str):
    if actor is None or not actor.has_perm(perm):
        raise PermissionDenied(f"{actor} lacks {perm}")


def _state_error(zh: str, en: str):
    return TransitionError("state", zh, en)


# --- application ------------------------------------------------------------------------------


def _default_site(location: str):
    if location != ServiceLocation.IN_LAB:
        return None
    from caltrace.org.models import Site

    return Site.objects.filter(is_main=True).order_by("pk").first()


def _build_items(items) -> tuple[list[OrderItem], dict]:
    """Unsaved items from the dicts, and the errors keyed "items[i].field"."""
    from caltrace.methods.models import Method

    errors: dict[str, list] = {}
    built = []
    if not items:
        errors["items"] = [_("至少填写一件器具")]
        return built, errors
    for i, data in enumerate(items):
        prefix = f"items[{i}]"
        if not isinstance(data, dict):
            errors[prefix] = [_("格式错误")]
            continue
        unknown = set(data) - set(ITEM_FIELDS)
        for name in sorted(unknown):
            errors[f"{prefix}.{name}"] = [_("未知字段")]
        values = {k: data.get(k) for k in ITEM_FIELDS if k in data}
        for name in ("instrument_type", "manufacturer", "model", "serial_no", "range_text", "unit"):
            values[name] = (values.get(name) or "").strip()
        if values.get("quantity") is None:
            values["quantity"] = 1
        method = values.get("requested_method")
        if method is not None and not isinstance(method, Method):
            errors[f"{prefix}.requested_method"] = [_("未知的方法")]
            values["requested_method"] = None
        for name in ("range_min", "range_max"):
            value = values.get(name)
            if value is not None and not isinstance(value, Decimal):
                try:
                    values[name] = Decimal(str(value))
                except ArithmeticError:
                    errors[f"{prefix}.{name}"] = [_("请输入数字")]
                    values[name] = None
        item = OrderItem(**values)
        item_errors = _item_problems(item)
        try:
            item.full_clean(exclude=["order"])
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                item_errors.setdefault(name, []).extend(messages)
        for name, messages in item_errors.items():
            errors.setdefault(f"{prefix}.{name}", []).extend(messages)
        built.append(item)
    return built, errors


def _item_problems(item: OrderItem) -> dict[str, list]:
    """Checks across an item's fields (the range with its unit)."""
    from caltrace.core import units

    errors: dict[str, list] = {}
    if item.quantity is not None and item.quantity < 1:
        errors["quantity"] = [_("数量至少为 1")]
    if item.range_min is not None and item.range_max is not None and item.range_max < item.range_min:
        errors["range_max"] = [_("测量范围上限不能小于下限")]
    if (item.range_min is not None or item.range_max is not None) and not item.unit:
        errors["unit"] = [_("填写了测量范围须同时填写单位")]
    elif item.unit and not units.readable(item.unit):
        errors["unit"] = [_("无法识别的单位“%(unit)s”，请使用 SI 符号，例如 V、mV、g、kg、°C、Ω") % {"unit": item.unit}]
    return errors


def _order_problems(order: Order) -> dict[str, list]:
    errors: dict[str, list] = {}
    if order.location == ServiceLocation.ON_SITE and not order.on_site_address.strip():
        errors["on_site_address"] = [_("现场校准须填写现场地址")]
    if order.conformity_wanted and not order.conformity_specification.strip():
        errors["conformity_specification"] = [_("需要符合性判定时须写明依据的规范或技术指标")]
    if order.contact_id is not None and order.contact.organisation_id != order.customer_id:
        errors["contact"] = [_("联系人不属于该委托方")]
    return errors


def do_create_order(customer, *, items, actor, contact=None, submitted_by=None, location: str = "in_lab",
                    on_site_address: str = "", conformity_wanted: bool = False, conformity_specification: str = "",
                    notes: str = "", site=None) -> tuple[Order, str]:
    """Draft an application with its instruments; returns the order and its access code (in plain
    this once: only its hash is stored). Nothing is saved when any input is wrong."""
    _require_customer_or_staff(actor, customer)
    if submitted_by is None and is_customer_of(actor, customer):
        submitted_by = actor
    with _acting(actor), transaction.atomic():
        code = new_access_code()
        order = Order(customer=customer, contact=contact, submitted_by=submitted_by, location=location,
                      on_site_address=(on_site_address or "").strip(), conformity_wanted=conformity_wanted,
                      conformity_specification=(conformity_specification or "").strip(), notes=notes or "",
                      site=site if site is not None else _default_site(location),
                      access_code_hash=hash_access_code(code), number="-")
        errors: dict[str, list] = {}
        try:
            order.full_clean(exclude=["number"])
        except ValidationError as exc:
            errors.update(exc.message_dict)
        for name, messages in _order_problems(order).items():
            errors.setdefault(name, []).extend(messages)
        built, item_errors = _build_items(items)
        errors.update(item_errors)
        if errors:
            raise ValidationError(errors)
        order.number = next_number("order")
        order.save()
        for item in built:
            item.order = order
            item.save()
        note_event(order, EventKind.STATUS, f"申请已创建（{len(built)} 件器具）",
                   f"Application drafted ({len(built)} item(s))", actor=_actor_label(actor), notify=False)
        return order, code


def do_update_draft(order: Order, *, actor, **changes) -> Order:
    """Change a draft's header fields (not its items)."""
    allowed = {"contact", "location", "on_site_address", "conformity_wanted", "conformity_specification", "notes",
               "site"}
    unknown = set(changes) - allowed
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    _require_customer_or_staff(actor, order.customer)
    with _acting(actor), transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        if locked.status != "draft":
            raise _state_error("只有草稿可以修改", "only a draft can be changed")
        for name, value in changes.items():
            setattr(locked, name, value)
        locked.full_clean()
        errors = _order_problems(locked)
        if errors:
            raise ValidationError(errors)
        locked.save()
        return locked


def do_submit_order(order: Order, *, actor) -> Order:
    """Submit a draft for contract review (draft → submitted)."""
    _require_customer_or_staff(actor, order.customer)
    with _acting(actor), transaction.atomic():
        order = transition(order, "submit", actor=actor)
        order.submitted_at = timezone.now()
        order.save(update_fields=["submitted_at", "updated_at"])
        note_event(order, EventKind.STATUS, "申请已提交，等待合同评审", "Application submitted; awaiting contract review",
                   actor=_actor_label(actor))
        return order


# --- contract review (CON-1, CON-2) -------------------------------------------------------------


def _check_review_pair(scope_item, method_version, on: dt.date):
    from caltrace.org.models import ScopeItem

    errors = {}
    if scope_item is None:
        errors["scope_item"] = [_("请选择能力范围条目；不能承接的器具请撤销")]
    elif not ScopeItem.objects.select_related("certificate").get(pk=scope_item.pk).is_valid_on(on):
        errors["scope_item"] = [_("该能力范围条目当日不在有效的认可范围内")]
    if method_version is None:
        errors["method_version"] = [_("请选择方法版本")]
    elif not method_version.is_current_on(on):
        errors["method_version"] = [_("该方法版本当日不是现行有效版本")]
    elif scope_item is not None and not scope_item.methods.filter(pk=method_version.method_id).exists():
        errors["method_version"] = [_("能力范围条目不包含该方法，不能按此方法承接")]
    if errors:
        raise ValidationError(errors)


def _lock_order_in(order_id: int, states: tuple[str, ...], zh: str, en: str) -> Order:
    order = Order.objects.select_for_update().get(pk=order_id)
    if order.status not in states:
        raise _state_error(zh, en)
    return order


def do_review_item(item: OrderItem, *, scope_item, method_version, actor, note: str = "") -> OrderItem:
    """Record the contract review decision of one item: the scope item and method version it is
    calibrated under (CON-1). Refuses a pair the scope does not allow."""
    _require_perm(actor, "orders.review_order")
    _check_review_pair(scope_item, method_version, timezone.localdate())
    with _acting(actor), transaction.atomic():
        _lock_order_in(item.order_id, ("submitted",), "只有待合同评审的委托单可以评审样品",
                       "items are reviewed only while the order awaits contract review")
        item = transition(item, "review", actor=actor, comment=note)
        item.scope_item = scope_item
        item.method_version = method_version
        item.review_note = note or ""
        item.full_clean()
        item.save()
        # A quote made before this decision may price another scope item: it no longer stands.
        stale = Quote.objects.filter(order_id=item.order_id,
                                     status__in=(QuoteStatus.DRAFT, QuoteStatus.PENDING_APPROVAL))
        for quote in stale:
            quote.status = QuoteStatus.REJECTED
            quote.save()
            note_event(item.order, EventKind.QUOTE, f"报价单 {quote.number} 因重新评审作废，须重新报价",
                       f"Quote {quote.number} withdrawn after a new review decision: quote again",
                       actor=_actor_label(actor), public=False)
        note_event(item.order, EventKind.NOTE, f"{item.description}：评审为 {scope_item.code}，{method_version.designation}",
                   f"{item.description}: reviewed under {scope_item.code}, {method_version.designation}",
                   item=item, actor=_actor_label(actor), public=False)
        return item


def do_reject_item(item: OrderItem, *, reason: str, actor) -> OrderItem:
    """Withdraw an item the lab cannot take (out of scope); the reason goes to the customer."""
    _require_perm(actor, "orders.review_order")
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("请说明不能承接的原因")]})
    with _acting(actor), transaction.atomic():
        _lock_order_in(item.order_id, ("submitted",), "只有待合同评审的委托单可以撤销样品",
                       "items are withdrawn only while the order awaits contract review")
        item = transition(item, "withdraw", actor=actor, comment=reason)
        item.scope_item = None
        item.method_version = None
        item.review_note = reason.strip()
        item.save()
        note_event(item.order, EventKind.STATUS, f"{item.description}：不能承接，{reason.strip()}",
                   f"{item.description}: cannot be taken: {reason.strip()}", item=item, actor=_actor_label(actor))
        return item


def do_record_deviation(item: OrderItem, *, kind: str, description: str, actor,
                        justification: str = "") -> Deviation:
    """Record a deviation (CON-2, VAL-2); it goes to the customer, who must accept it before work."""
    _require_perm(actor, "orders.review_order")
    with _acting(actor), transaction.atomic():
        order = _lock_order_in(item.order_id, DEVIATION_STATES, "该状态的委托单不能登记偏离",
                               "no deviation can be recorded in this state of the order")
        deviation = Deviation(item=item, kind=kind, description=(description or "").strip(),
                              justification=(justification or "").strip(), recorded_by=actor)
        deviation.full_clean()
        deviation.save()
        note_event(order, EventKind.DEVIATION,
                   f"{item.description}：偏离（{deviation.get_kind_display()}）：{deviation.description}，请在客户门户确认",
                   f"{item.description}: deviation ({deviation.kind}): {deviation.description}; please accept it in "
                   "the portal", item=item, actor=_actor_label(actor))
        return deviation


# --- price list and quote (MKT-2) --------------------------------------------------------------


def do_set_price(scope_item, *, price, labour_hours, hourly_rate, equipment_cost, overhead_rate,
                 actor) -> PriceListEntry:
    """Set the price of a scope item and its cost model."""
    _require_perm(actor, "orders.change_pricelistentry")
    with _acting(actor), transaction.atomic():
        entry = PriceListEntry.objects.select_for_update().filter(scope_item=scope_item).first()
        if entry is None:
            entry = PriceListEntry(scope_item=scope_item)
        entry.price, entry.labour_hours, entry.hourly_rate = price, labour_hours, hourly_rate
        entry.equipment_cost, entry.overhead_rate = equipment_cost, overhead_rate
        entry.full_clean()
        errors = {name: [_("不能为负数")] for name in ("price", "labour_hours", "hourly_rate", "equipment_cost",
                                                        "overhead_rate") if getattr(entry, name) < 0}
        if errors:
            raise ValidationError(errors)
        entry.save()
        return entry


def do_make_quote(order: Order, *, actor, prices: dict | None = None) -> Quote:
    """Quote the reviewed items from the price list (``prices`` {item pk: Decimal} overrides a line).
    A total below the cost model's needs management approval (MKT-2, a FLAG finding)."""
    from caltrace.integrity import registry
    from caltrace.integrity.services import record_findings

    _require_perm(actor, "orders.review_order")
    prices = prices or {}
    with _acting(actor), transaction.atomic():
        order = _lock_order_in(order.pk, ("submitted",), "只有待合同评审的委托单可以报价",
                               "a quote is made only while the order awaits contract review")
        items = list(order.items.filter(status="reviewed").select_related("scope_item"))
        errors: dict[str, list] = {}
        if not items:
            errors["items"] = [_("没有已评审的样品可以报价")]
        entries = {e.scope_item_id: e for e in PriceListEntry.objects.filter(
            scope_item_id__in=[i.scope_item_id for i in items])}
        known = {i.pk for i in items}
        for pk in prices:
            if pk not in known:
                errors[f"prices.{pk}"] = [_("不是本委托单已评审的样品")]
        for item in items:
            if item.scope_item_id not in entries:
                errors[f"items.{item.pk}"] = [_("能力范围条目 %(code)s 没有价目") % {"code": item.scope_item.code}]
            override = prices.get(item.pk)
            if override is not None and Decimal(override) < 0:
                errors[f"prices.{item.pk}"] = [_("不能为负数")]
        if errors:
            raise ValidationError(errors)
        quote = Quote(order=order, number=next_number("quote"), total=Decimal("0"), cost=Decimal("0"))
        lines = []
        for item in items:
            entry = entries[item.scope_item_id]
            unit_price = Decimal(prices.get(item.pk, entry.price))
            lines.append(QuoteLine(item=item, price=unit_price * item.quantity, list_price=entry.price * item.quantity,
                                   cost=entry.cost * item.quantity))
        quote.total = sum((line.price for line in lines), Decimal("0"))
        quote.cost = sum((line.cost for line in lines), Decimal("0"))
        quote.below_cost = quote.total < quote.cost
        quote.status = QuoteStatus.PENDING_APPROVAL if quote.below_cost else QuoteStatus.DRAFT
        quote.full_clean()
        quote.save()
        for line in lines:
            line.quote = quote
            line.full_clean()
            line.save()
        flags = registry.enforce("quote.make", quote, actor=actor)
        if flags:
            record_findings(flags, event="quote.make")
        note_event(order, EventKind.QUOTE, f"报价 {quote.number}：{quote.total} 元" + ("（低于成本，待批准）" if
                                                                                quote.below_cost else ""),
                   f"Quote {quote.number}: CNY {quote.total}" + (" (below cost, awaiting approval)" if
                                                                quote.below_cost else ""),
                   actor=_actor_label(actor), public=False)
        return quote


def do_approve_quote(quote: Quote, *, actor, note: str) -> Quote:
    """A manager approves a quote below cost (MKT-2); it may then go out."""
    _require_perm(actor, "orders.approve_quote")
    if not (note or "").strip():
        raise ValidationError({"note": [_("批准低于成本的报价须说明理由")]})
    with _acting(actor, reason=note), transaction.atomic():
        quote = Quote.objects.select_for_update().get(pk=quote.pk)
        if quote.status != QuoteStatus.PENDING_APPROVAL:
            raise _state_error("只有待批准的报价可以批准", "only a quote awaiting approval can be approved")
        quote.status = QuoteStatus.DRAFT
        quote.approved_by = actor
        quote.approval_note = note.strip()
        quote.save()
        note_event(quote.order, EventKind.QUOTE, f"报价 {quote.number} 已经批准：{quote.approval_note}",
                   f"Quote {quote.number} approved: {quote.approval_note}", actor=_actor_label(actor), public=False)
        return quote


def latest_quote(order: Order) -> Quote | None:
    return order.quotes.exclude(status=QuoteStatus.REJECTED).order_by("-id").first()


def do_complete_review(order: Order, *, actor, decision_rule: str = "") -> Order:
    """Complete the contract review: the quote goes out and the customer is asked to accept it and
    every deviation (submitted → awaiting_customer)."""
    from caltrace.calibration.conformity import DecisionRule

    decision_rule = (decision_rule or "").strip()
    if decision_rule and decision_rule not in DecisionRule.values:
        raise ValidationError({"decision_rule": [_("未知的判定规则")]})
    with _acting(actor), transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        if locked.conformity_wanted and not decision_rule and not locked.decision_rule:
            raise ValidationError({"decision_rule": [_("客户要求符合性判定，须约定判定规则")]})
        if decision_rule and locked.status == "submitted":
            locked.decision_rule = decision_rule
            locked.save(update_fields=["decision_rule", "updated_at"])
        quote = latest_quote(locked)
        if quote is not None and quote.status == QuoteStatus.DRAFT and locked.status == "submitted":
            quote.status = QuoteStatus.SENT  # rolled back with the rest if the review cannot complete
            quote.save(update_fields=["status", "updated_at"])
        order = transition(locked, "complete_review", actor=actor)
        order.reviewed_by = actor
        order.reviewed_at = timezone.now()
        order.save(update_fields=["reviewed_by", "reviewed_at", "updated_at"])
        pending = list(Deviation.objects.filter(item__order=order, status=DeviationStatus.PENDING)
                       .select_related("item"))
        zh = [f"合同评审完成。报价 {quote.number}：{quote.total} 元。"]
        en = [f"Contract review complete. Quote {quote.number}: CNY {quote.total}."]
        if pending:
            zh.append("请确认以下偏离：" + "；".join(f"{d.item.description}：{d.description}" for d in pending))
            en.append("Please accept these deviations: " + "; ".join(f"{d.item.description}: {d.description}"
                                                                      for d in pending))
        zh.append("请在客户门户接受报价。")
        en.append("Please accept the quote in the customer portal.")
        note_event(order, EventKind.STATUS, "".join(zh), " ".join(en), actor=_actor_label(actor))
        return order


# --- the customer's answer ------------------------------------------------------------------------


def do_decide_deviation(deviation: Deviation, *, accept: bool, actor, comment: str = "") -> Deviation:
    """The customer accepts or refuses a deviation in the portal (CON-2)."""
    order = deviation.item.order
    if not is_customer_of(actor, order.customer):
        raise PermissionDenied(f"{actor} is not a user of {order.customer}")
    with _acting(actor, reason=comment or None), transaction.atomic():
        deviation = Deviation.objects.select_for_update().get(pk=deviation.pk)
        if deviation.status != DeviationStatus.PENDING:
            raise _state_error("该偏离已经确认过", "the deviation has already been decided")
        if not accept and not (comment or "").strip():
            raise ValidationError({"comment": [_("不接受偏离时请说明原因")]})
        deviation.status = DeviationStatus.ACCEPTED if accept else DeviationStatus.REJECTED
        deviation.decided_by = actor
        deviation.decided_at = timezone.now()
        deviation.customer_comment = (comment or "").strip()
        deviation.save()
        word_zh, word_en = ("接受", "accepted") if accept else ("不接受", "refused")
        note_event(order, EventKind.DEVIATION, f"客户{word_zh}偏离：{deviation.description}",
                   f"The customer {word_en} the deviation: {deviation.description}", item=deviation.item,
                   actor=_actor_label(actor), notify=False)
        return deviation


def do_accept_order(order: Order, *, actor, customer_evidence: str = "") -> Order:
    """The customer accepts the quote (and has accepted every deviation): awaiting_customer → accepted.

    Reception may record the acceptance of a customer without a portal account only with the
    evidence of it (``customer_evidence``: the signed contract or letter, by number), which the
    timeline keeps; without it only the customer's own users accept (CON-2: the customer agrees)."""
    _require_customer_or_staff(actor, order.customer)
    on_behalf = not is_customer_of(actor, order.customer)
    if on_behalf and not customer_evidence.strip():
        raise ValidationError({"customer_evidence": [_("代客户确认须注明客户书面确认的凭证（合同或确认函编号）")]})
    with _acting(actor, reason=customer_evidence.strip() or None), transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        quote = latest_quote(locked)
        if locked.status == "awaiting_customer" and quote is not None and quote.status == QuoteStatus.SENT:
            quote.status = QuoteStatus.ACCEPTED  # rolled back if the guard refuses
            quote.decided_at = timezone.now()
            quote.save(update_fields=["status", "decided_at", "updated_at"])
        order = transition(locked, "accept", actor=actor)
        order.accepted_at = timezone.now()
        order.save(update_fields=["accepted_at", "updated_at"])
        if on_behalf:
            note_event(order, EventKind.STATUS, f"客户书面确认接受报价（{customer_evidence.strip()}），由业务受理代为登记，委托受理",
                       f"The customer accepted the quote in writing ({customer_evidence.strip()}), recorded by "
                       "reception; order accepted", actor=_actor_label(actor))
        else:
            note_event(order, EventKind.STATUS, "客户已接受报价，委托受理", "The customer accepted the quote; order accepted",
                       actor=_actor_label(actor))
        return order


def do_decline_order(order: Order, *, actor, comment: str) -> Order:
    """The customer declines the offer (awaiting_customer → cancelled)."""
    _require_customer_or_staff(actor, order.customer)
    with _acting(actor, reason=comment or None), transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        order = transition(locked, "decline", actor=actor, comment=comment or "")
        quote = latest_quote(order)
        if quote is not None and quote.status == QuoteStatus.SENT:
            quote.status = QuoteStatus.REJECTED
            quote.decided_at = timezone.now()
            quote.save(update_fields=["status", "decided_at", "updated_at"])
        note_event(order, EventKind.STATUS, f"客户拒绝：{comment.strip()}", f"Declined by the customer: {comment.strip()}",
                   actor=_actor_label(actor), notify=False)
        return order


def do_book_appointment(order: Order, *, actor, drop_off_on: dt.date | None = None,
                        pick_up_on: dt.date | None = None, visit_on: dt.date | None = None) -> Order:
    """Book the drop-off and pick-up (in-lab) or the visit (on-site) of an accepted order (SMP-1)."""
    _require_customer_or_staff(actor, order.customer, perm="orders.receive_item")
    today = timezone.localdate()
    with _acting(actor), transaction.atomic():
        locked = _lock_order_in(order.pk, ("accepted", "in_progress"), "只有已受理的委托单可以预约",
                                "only an accepted order can be booked")
        errors: dict[str, list] = {}
        if locked.on_site:
            if visit_on is None:
                errors["visit_on"] = [_("现场校准请预约现场日期")]
            for name, value in (("drop_off_on", drop_off_on), ("pick_up_on", pick_up_on)):
                if value is not None:
                    errors[name] = [_("现场校准不需要送样或取样")]
        else:
            if visit_on is not None:
                errors["visit_on"] = [_("送检的委托不预约现场日期")]
            if drop_off_on is None and pick_up_on is None:
                errors["drop_off_on"] = [_("请预约送样或取样日期")]
        for name, value in (("drop_off_on", drop_off_on), ("pick_up_on", pick_up_on), ("visit_on", visit_on)):
            if value is not None and value < today and name not in errors:
                errors[name] = [_("预约日期不能早于今天")]
        drop = drop_off_on or locked.drop_off_on
        if pick_up_on is not None and drop is not None and pick_up_on <= drop and "pick_up_on" not in errors:
            errors["pick_up_on"] = [_("取样日期须晚于送样日期")]
        if errors:
            raise ValidationError(errors)
        parts_zh, parts_en = [], []
        for name, value, zh, en in (("drop_off_on", drop_off_on, "送样", "drop-off"),
                                    ("pick_up_on", pick_up_on, "取样", "pick-up"),
                                    ("visit_on", visit_on, "现场校准", "on-site visit")):
            if value is not None:
                setattr(locked, name, value)
                parts_zh.append(f"{zh} {value.isoformat()}")
                parts_en.append(f"{en} {value.isoformat()}")
        locked.save()
        note_event(locked, EventKind.APPOINTMENT, "预约：" + "，".join(parts_zh), "Booked: " + ", ".join(parts_en),
                   actor=_actor_label(actor))
        return locked


# --- receipt, hand-over (SMP-2, SMP-3) -----------------------------------------------------------


def do_receive_item(item: OrderItem, *, actor, condition: str, deviation: str = "") -> OrderItem:
    """Receive an item: its unique identification, its condition and any deviation on receipt
    (SMP-3, carried to the certificate). The first receipt starts the order."""
    _require_perm(actor, "orders.receive_item")
    if not (condition or "").strip():
        raise ValidationError({"condition": [_("请记录样品接收时的状态")]})
    with _acting(actor), transaction.atomic():
        order = Order.objects.select_for_update().get(pk=item.order_id)
        item = transition(item, "receive", actor=actor)
        if order.status not in ("accepted", "in_progress"):
            raise _state_error("委托未经客户接受，不能收样", "the order is not accepted by the customer: nothing can be "
                               "received")
        item.identification = next_number("item")
        item.received_at = timezone.now()
        item.received_by = actor
        item.condition_on_receipt = condition.strip()
        item.receipt_deviation = (deviation or "").strip()
        item.full_clean()
        item.save()
        if order.status == "accepted":
            order = transition(order, "start", actor=actor)
        note_event(order, EventKind.RECEIPT, f"已收样：{item.description}，样品编号 {item.identification}",
                   f"Received: {item.description}, identification {item.identification}", item=item,
                   actor=_actor_label(actor))
        if item.receipt_deviation:
            note_event(order, EventKind.DEVIATION, f"{item.identification} 接收时发现偏离：{item.receipt_deviation}",
                       f"{item.identification}: deviation found on receipt: {item.receipt_deviation}", item=item,
                       actor=_actor_label(actor))
        return item


def do_mark_ready_if_done(order: Order, *, actor) -> bool:
    """After each certificate: an order whose every item is issued becomes ready for hand-over."""
    with _acting(actor), transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        if locked.status != "in_progress" or locked.items.exclude(
                status__in=("issued", "returned", "withdrawn")).exists():
            return False
        transition(locked, "make_ready", actor=actor)
        note_event(locked, EventKind.STATUS, "证书已全部出具，可以取样", "Every certificate is issued: ready for hand-over",
                   actor=_actor_label(actor))
        return True


def do_hand_over(item: OrderItem, *, actor, method: str, returned_to: str = "",
                 courier_slip_no: str = "") -> OrderItem:
    """Hand an item back (in person, by courier with its slip, or on site) once the order is ready
    (every certificate issued); the last one closes the order."""
    _require_perm(actor, "orders.hand_over_item")
    errors: dict[str, list] = {}
    if method not in ReturnMethod.values:
        errors["method"] = [_("未知的交还方式")]
    if method == ReturnMethod.COURIER and not (courier_slip_no or "").strip():
        errors["courier_slip_no"] = [_("快递寄回须填写快递单号")]
    if method in (ReturnMethod.HAND, ReturnMethod.ON_SITE) and not (returned_to or "").strip():
        errors["returned_to"] = [_("请填写接收人")]
    if errors:
        raise ValidationError(errors)
    with _acting(actor), transaction.atomic():
        order = Order.objects.select_for_update().get(pk=item.order_id)
        item = transition(item, "hand_over", actor=actor)
        if order.status != "ready":  # items go back together, once the order is ready (待交还); it then closes
            raise _state_error("委托单还有样品没有出具证书，全部出证后再交还",
                               "the order still has items without a certificate: hand back once all are issued")
        item.returned_at = timezone.now()
        item.return_method = method
        item.returned_to = (returned_to or "").strip()
        item.courier_slip_no = (courier_slip_no or "").strip()
        item.full_clean()
        item.save()
        how_zh = {"hand": "客户自取", "courier": f"快递寄回，单号 {item.courier_slip_no}", "on_site": "现场交还"}[method]
        how_en = {"hand": "collected", "courier": f"sent by courier, slip {item.courier_slip_no}",
                  "on_site": "handed back on site"}[method]
        note_event(order, EventKind.RETURN, f"{item.identification or item.description} 已交还（{how_zh}）",
                   f"{item.identification or item.description} handed back ({how_en})", item=item,
                   actor=_actor_label(actor))
        if order.status == "ready" and not order.items.exclude(status__in=("returned", "withdrawn")).exists():
            order = transition(order, "close", actor=actor)
            order.closed_at = timezone.now()
            order.save(update_fields=["closed_at", "updated_at"])
            note_event(order, EventKind.STATUS, "全部样品已交还，委托完成", "Every item is handed back: order completed",
                       actor=_actor_label(actor))
        return item


# --- recall (DIG-7) ---------------------------------------------------------------------------------


def do_set_next_due(item: OrderItem, *, calibrated_on: dt.date, actor) -> OrderItem:
    """When a certificate is issued: the item falls due ``recalibration_months`` after calibration."""
    with _acting(actor), transaction.atomic():
        item = OrderItem.objects.select_for_update().get(pk=item.pk)
        item.next_due_on = add_months(calibrated_on, item.recalibration_months)
        item.recall_sent_on = None
        item.save(update_fields=["next_due_on", "recall_sent_on", "updated_at"])
        return item


def do_reapply(items, *, actor) -> tuple[Order, str]:
    """Apply again for the same instruments (the recall mail's one-click re-application): a new
    order, submitted, pointing at the order the first item came from."""
    items = list(items)
    if not items:
        raise ValidationError({"items": [_("至少填写一件器具")]})
    orders = {i.order_id for i in items}
    first = min(items, key=lambda i: (i.order_id, i.pk))
    previous = first.order
    customers = {i.order.customer_id for i in items}
    if len(customers) != 1:
        raise ValidationError({"items": [_("再次申请的器具须属于同一委托方")]})
    data = [{name: getattr(i, name) for name in ITEM_FIELDS} for i in sorted(items, key=lambda i: (i.order_id, i.pk))]
    with transaction.atomic():
        order, code = do_create_order(
            previous.customer, items=data, actor=actor, contact=previous.contact,
            submitted_by=actor if is_customer_of(actor, previous.customer) else previous.submitted_by,
            location=previous.location, on_site_address=previous.on_site_address,
            conformity_wanted=previous.conformity_wanted, conformity_specification=previous.conformity_specification,
            notes=_("复校再次申请（原委托单 %(numbers)s）") % {
                "numbers": "、".join(sorted(Order.objects.filter(pk__in=orders).values_list("number", flat=True)))},
            site=previous.site)
        with _acting(actor):
            order.reapplication_of = previous
            order.save(update_fields=["reapplication_of", "updated_at"])
        order = do_submit_order(order, actor=actor)
        return order, code


from .reminders import items_from_token, reapply_token  # noqa: E402,F401  (the portal's one-click link)
