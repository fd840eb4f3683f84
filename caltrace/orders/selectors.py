"""Reads of the orders app: the contract review proposal (CON-1), lists scoped to who asks,
the item a scanned code names, and the public status lookup."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from caltrace.core import roles

from .models import Order, OrderEvent, OrderItem, hash_access_code

# --- contract review proposal ---------------------------------------------------------------------

PROBLEMS = {
    "out_of_scope": ("认可范围内没有该类器具的校准能力", "no accredited capability for this kind of instrument"),
    "range_not_covered": ("器具的测量范围超出认可范围", "the instrument's range is not covered by the accredited scope"),
    "method_withdrawn": ("要求的方法没有现行有效的版本", "the requested method has no version in force"),
    "method_not_in_scope": ("要求的方法不在该能力范围条目内，须记录偏离并经客户接受",
                            "the requested method is not one of the scope item's methods: a deviation is needed"),
}


@dataclass(frozen=True)
class Problem:
    code: str
    zh: str
    en: str

    @classmethod
    def of(cls, code: str) -> "Problem":
        zh, en = PROBLEMS[code]
        return cls(code, zh, en)


@dataclass
class Proposal:
    """What the contract review proposes for an item: a scope item and the method version in force,
    or the problems that stand in the way."""

    scope_item: object | None = None
    method_version: object | None = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def codes(self) -> list[str]:
        return [p.code for p in self.problems]

    @property
    def ok(self) -> bool:
        return self.scope_item is not None and self.method_version is not None and not self.problems


def _type_matches(instrument_type: str, scope_item) -> bool:
    wanted = (instrument_type or "").strip().casefold()
    if not wanted:
        return False
    for text in (scope_item.item_type, scope_item.item_type_en, scope_item.quantity, scope_item.quantity_en):
        text = (text or "").strip().casefold()
        if text and (wanted in text or text in wanted):
            return True
    return False


def _range_covered(item: OrderItem, scope_item) -> bool:
    """Whether the scope item's range covers the item's (in the scope item's unit; ± when bipolar).
    An item without a stated range is left to the reviewer."""
    from caltrace.core import units

    ends = [v for v in (item.range_min, item.range_max) if v is not None]
    if not ends:
        return True
    if not item.unit:
        return False
    try:
        converted = [units.convert(v, item.unit, scope_item.unit) for v in ends]
    except units.UnitError:
        return False
    return all(scope_item.covers(v) for v in converted)


def _current_versions(method_ids, on: dt.date) -> dict[int, object]:
    """The version in force of each method on ``on`` (the latest when a transition period overlaps)."""
    from caltrace.methods.choices import VersionStatus
    from caltrace.methods.models import MethodVersion
    from caltrace.methods.selectors import version_status_q

    found = {}
    qs = (MethodVersion.objects.filter(method_id__in=set(method_ids))
          .filter(version_status_q(VersionStatus.CURRENT, on)).select_related("method")
          .order_by("method_id", "-effective_on", "-id"))
    for version in qs:
        found.setdefault(version.method_id, version)
    return found


def _candidates(on: dt.date) -> list:
    from caltrace.methods.models import Method
    from caltrace.org.models import ScopeItem
    from caltrace.org.selectors import scope_item_valid_q
    from django.db.models import Prefetch

    return list(ScopeItem.objects.filter(scope_item_valid_q(on)).select_related("certificate")
                .prefetch_related(Prefetch("methods", queryset=Method.objects.order_by("code")))
                .order_by("code", "pk"))


def _propose(item: OrderItem, candidates: list, versions: dict) -> Proposal:
    typed = [s for s in candidates if _type_matches(item.instrument_type, s)]
    if not typed:
        return Proposal(problems=[Problem.of("out_of_scope")])
    covering = [s for s in typed if _range_covered(item, s)]
    if not covering:
        return Proposal(problems=[Problem.of("range_not_covered")])
    wanted = item.requested_method_id
    if wanted is not None:
        requested_version = versions.get(wanted)
        with_method = [s for s in covering if any(m.pk == wanted for m in s.methods.all())]
        if requested_version is not None and with_method:
            return Proposal(with_method[0], requested_version)
        problems = [Problem.of("method_withdrawn" if requested_version is None else "method_not_in_scope")]
        scope_item, version = _first_in_force(with_method or covering, versions)
        return Proposal(scope_item, version, problems)
    scope_item, version = _first_in_force(covering, versions)
    if version is None:
        return Proposal(scope_item, None, [Problem.of("method_withdrawn")])
    return Proposal(scope_item, version)


def _first_in_force(scope_items: list, versions: dict):
    """The first scope item with a method in force, and that version; else the first item and None."""
    for scope_item in scope_items:
        for method in scope_item.methods.all():
            if method.pk in versions:
                return scope_item, versions[method.pk]
    return scope_items[0], None


def _propose_many(items: list[OrderItem], on: dt.date) -> dict[int, Proposal]:
    candidates = _candidates(on)
    method_ids = {m.pk for s in candidates for m in s.methods.all()}
    method_ids |= {i.requested_method_id for i in items if i.requested_method_id}
    versions = _current_versions(method_ids, on)
    return {item.pk: _propose(item, candidates, versions) for item in items}


def propose(item: OrderItem, *, on: dt.date | None = None) -> Proposal:
    """The contract review proposal for one item on ``on`` (today by default)."""
    return _propose_many([item], on or timezone.localdate())[item.pk]


def propose_all(order: Order, *, on: dt.date | None = None) -> dict[int, Proposal]:
    """The proposal of every item of ``order`` (withdrawn ones left out), {item pk: Proposal},
    in a constant number of queries."""
    items = list(order.items.exclude(status="withdrawn"))
    return _propose_many(items, on or timezone.localdate())


# --- lists ------------------------------------------------------------------------------------------


def visible_orders(user) -> QuerySet[Order]:
    """Staff see every order; a customer's portal user only its organisation's; anyone else none."""
    qs = Order.objects.all()
    if roles.is_staff_member(user):
        return qs
    if roles.is_customer(user):
        return qs.filter(customer__contacts__user=user)
    return qs.none()


def orders_for_list(user) -> QuerySet[Order]:
    return (visible_orders(user).select_related("customer", "site", "contact")
            .annotate(item_count=Count("items", distinct=True)).order_by("-created_at", "-id"))


def filter_orders(qs: QuerySet[Order], *, status: str | None = None, site: int | None = None,
                  customer: int | None = None, q: str | None = None) -> QuerySet[Order]:
    """The filters of the order list, page and API alike (QMS-3: by site)."""
    if status:
        qs = qs.filter(status=status)
    if site:
        qs = qs.filter(site_id=site)
    if customer:
        qs = qs.filter(customer_id=customer)
    text = (q or "").strip()
    if text:
        qs = qs.filter(Q(number__icontains=text) | Q(customer__name__icontains=text)
                       | Q(items__instrument_type__icontains=text) | Q(items__serial_no__icontains=text)
                       | Q(items__identification__icontains=text)).distinct()
    return qs


def order_detail(qs: QuerySet[Order]) -> QuerySet[Order]:
    """Orders with what a detail shows loaded in bulk."""
    return qs.select_related("customer", "contact", "site", "reviewed_by", "submitted_by").prefetch_related(
        "items__scope_item", "items__method_version__method", "items__deviations", "quotes__lines")


def find_by_code(code: str) -> OrderItem | None:
    """The item a scanned label names: its label code or its identification, as a scanner types it
    (surrounding whitespace ignored; a whole URL read from the QR code is reduced to its last part)."""
    text = (code or "").strip()
    if "/" in text:
        text = text.rstrip("/").rsplit("/", 1)[-1]
    if not text:
        return None
    return (OrderItem.objects.select_related("order").filter(Q(label_code=text) | Q(identification__iexact=text))
            .first())


# --- public status lookup ---------------------------------------------------------------------------

_NO_MATCH = hash_access_code("caltrace-no-such-order")


def lookup_status(number: str, code: str) -> Order | None:
    """The order with this number if ``code`` is its access code, else None: an unknown number and a
    wrong code look the same from outside (the hash is computed and compared either way)."""
    try:
        number = (number or "").strip()
        digest = hash_access_code(code or "")
        plausible = number and len(number) <= 30 and number.isprintable()  # PostgreSQL refuses NUL
        order = Order.objects.filter(number=number).first() if plausible else None
        expected = order.access_code_hash if order is not None else _NO_MATCH
        matches = secrets.compare_digest(expected, digest)
        return order if (order is not None and matches and (code or "").strip()) else None
    except (TypeError, ValueError, AttributeError):  # never raise on what a stranger types (NUL, non-text)
        return None


def public_timeline(order: Order) -> QuerySet[OrderEvent]:
    """The events the customer sees, oldest first."""
    return order.events.filter(public=True).order_by("at", "id")


def timeline_for(order: Order, user) -> QuerySet[OrderEvent]:
    """Every event for staff, the public ones for anyone else."""
    if roles.is_staff_member(user):
        return order.events.order_by("at", "id")
    return public_timeline(order)


# The public lookup is throttled per client address (the page and the API share the count).
LOOKUP_LIMIT = 20  # attempts per client address ...
LOOKUP_WINDOW = 600  # ... per ten minutes


def client_address(request) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def lookup_over_limit(address: str) -> bool:
    """Count a status-lookup attempt from ``address``; True once the limit is passed."""
    from django.core.cache import cache

    key = f"orders:status-lookup:{address}"
    if cache.add(key, 1, LOOKUP_WINDOW):
        return False
    try:
        attempts = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, LOOKUP_WINDOW)
        return False
    return attempts > LOOKUP_LIMIT
