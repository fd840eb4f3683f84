"""Reception pages of the business flow (委托业务): the work queue, order list and page, contract
review with the quote, quote approval, receipt with the label, scanning, hand-over, the price list,
and the public status lookup (DIG-1, DIG-7).

Views validate a form, check access with one helper and call one service; a refused transition or
a GATE answers the readable 409 page (review refusals are shown on the review page itself).
Customers never reach a staff page (404); the status lookup needs no login and says nothing about
which half of a wrong number/code pair was wrong.
"""

from __future__ import annotations

import datetime as dt
import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from caltrace.core import roles
from caltrace.core.models import AuditEntry
from caltrace.core.workflows import TransitionError
from caltrace.customers.selectors import visible_organisations
from caltrace.integrity.registry import RuleViolation
from caltrace.org.models import ScopeItem
from caltrace.web import display
from caltrace.web.access import has_role, role_required

from . import labels, selectors, services
from .choices import QuoteStatus
from .forms import (ApproveQuoteForm, DecisionRuleForm, DeviationForm, HandOverForm, ItemReviewForm,
                    OrderFilterForm, PriceForm, QuoteForm, ReceiveForm, RejectItemForm, ScanForm,
                    StatusLookupForm, current_scope_items, current_versions)
from .models import Order, OrderItem, PriceListEntry, Quote, QuoteLine
from .workflows import ITEM_WORKFLOW, ORDER_WORKFLOW

DESK = (roles.RECEPTION, roles.LAB_MANAGER)
READERS = roles.STAFF_ROLES
PAGE_SIZE = 50
QUEUE_LIMIT = 100
HISTORY_LIMIT = 300


def _paginate(request, qs):
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    page.elided_range = list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))
    return page


def _reverse_or_none(name, *args):
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _field_errors(form, exc: ValidationError):
    """Put a service's ValidationError on the form: by field where it names one the form has."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _order_or_404(number) -> Order:
    return get_object_or_404(Order.objects.select_related("customer", "contact", "site", "submitted_by",
                                                          "reviewed_by"), number=number)


# --- queue and list -------------------------------------------------------------------------------

@role_required(*DESK)
def queue(request):
    """What waits for reception (and, for the lab manager, the quotes below cost to approve)."""
    today = timezone.localdate()
    week_end = today + dt.timedelta(days=6 - today.weekday())
    orders = Order.objects.select_related("customer", "site")
    items = OrderItem.objects.select_related("order", "order__customer")
    in_week = (Q(drop_off_on__range=(today, week_end)) | Q(pick_up_on__range=(today, week_end))
               | Q(visit_on__range=(today, week_end)))
    ctx = {
        "today": today,
        "to_review": list(orders.filter(status="submitted").annotate(item_count=Count("items"))
                          .order_by("submitted_at", "id")[:QUEUE_LIMIT]),
        "to_approve": (list(Quote.objects.filter(status=QuoteStatus.PENDING_APPROVAL)
                            .select_related("order", "order__customer").order_by("created_at")[:QUEUE_LIMIT])
                       if request.user.has_perm("orders.approve_quote") else None),
        "to_receive": list(items.filter(status="reviewed", order__status__in=("accepted", "in_progress"))
                           .order_by("order__accepted_at", "id")[:QUEUE_LIMIT]),
        "appointments": list(orders.filter(in_week).exclude(status__in=("closed", "cancelled", "rejected"))
                             .order_by("drop_off_on", "visit_on", "pick_up_on", "id")[:QUEUE_LIMIT]),
        "to_hand_over": list(items.filter(status="issued").order_by("order__number", "id")[:QUEUE_LIMIT]),
    }
    return render(request, "orders/queue.html", ctx)


@role_required(*READERS)
def order_list(request):
    form = OrderFilterForm(request.GET or None)
    qs = (Order.objects.select_related("customer", "site")
          .annotate(item_count=Count("items", distinct=True)).order_by("-created_at", "-id"))
    page = _paginate(request, form.filter(qs))
    return render(request, "orders/list.html", {"form": form, "page": page})


# --- the order page -------------------------------------------------------------------------------

def _history(order: Order, items) -> list[dict]:
    """Audit-ledger entries of the order and its items, oldest first."""
    item_pks = [str(i.pk) for i in items]
    entries = (AuditEntry.objects.filter(Q(model=Order._meta.label, object_pk=str(order.pk))
                                         | Q(model=OrderItem._meta.label, object_pk__in=item_pks))
               .order_by("-seq")[:HISTORY_LIMIT])
    by_pk = {str(i.pk): i for i in items}
    rows = []
    for e in reversed(list(entries)):
        before = json.loads(e.before) if e.before else {}
        after = json.loads(e.after) if e.after else {}
        is_item = e.model == OrderItem._meta.label
        wf = ITEM_WORKFLOW if is_item else ORDER_WORKFLOW
        moved = before.get("status") != after.get("status")
        rows.append({"seq": e.seq, "at": parse_datetime(e.at), "actor": e.actor, "action": e.action,
                     "reason": e.reason, "item": by_pk.get(e.object_pk) if is_item else None,
                     "state_before": display.state_label(wf, before["status"]) if moved and before.get("status")
                     else None,
                     "state_after": display.state_label(wf, after["status"]) if moved and after.get("status")
                     else None})
    return rows


def _items_of(order):
    from caltrace.calibration.models import Job

    jobs = Job.objects.select_related("certificate").order_by("id")
    return list(order.items.select_related("scope_item", "method_version__method", "received_by")
                .prefetch_related("deviations", Prefetch("jobs", queryset=jobs)))


def _job_url(item):
    jobs = list(item.jobs.all())
    return _reverse_or_none("calibration:job_detail", jobs[-1].pk) if jobs else None


def _certificates(item) -> list:
    return [j.certificate for j in item.jobs.all() if j.certificate_id]


@role_required(*READERS)
def order_detail(request, number):
    order = _order_or_404(number)
    items = _items_of(order)
    for item in items:
        item.job_url = _job_url(item)
        item.certificates = _certificates(item)
    user = request.user
    may_desk = has_role(user, DESK)
    actions = []
    if may_desk and order.status == "submitted":
        actions.append((reverse("orders:review", args=[order.number]), _("合同评审")))
    quotes = list(order.quotes.prefetch_related(Prefetch("lines", queryset=QuoteLine.objects.select_related("item")))
                  .order_by("-id"))
    if user.has_perm("orders.approve_quote"):
        for q in quotes:
            if q.status == QuoteStatus.PENDING_APPROVAL:
                actions.append((reverse("orders:approve_quote", args=[q.pk]), _("批准报价 %(no)s") % {"no": q.number}))
    for item in items:
        if item.status == "received" and item.job_url is None:
            item.assign_url = _reverse_or_none("calibration:job_assign", item.pk)
    if may_desk:
        for item in items:
            if item.status == "reviewed" and order.status in ("accepted", "in_progress"):
                item.receive_url = reverse("orders:receive", args=[item.pk])
            if item.status == "issued":
                item.hand_over_url = reverse("orders:hand_over", args=[item.pk])
            if item.identification:
                item.label_url = reverse("orders:label", args=[item.pk])
    ctx = {
        "order": order,
        "items": items,
        "deviations": [d for i in items for d in i.deviations.all()],
        "quotes": quotes,
        "events": list(order.events.select_related("item").order_by("at", "id")),
        "history": _history(order, items),
        "actions": actions,
        "transitions": [display.transition_label(t) for t in ORDER_WORKFLOW.available(order, user)],
    }
    return render(request, "orders/detail.html", ctx)


# --- contract review (CON-1, CON-2, MKT-2) --------------------------------------------------------

def _review_context(request, order, *, forms=None, refusal=None, violations=None):
    forms = forms or {}
    items = _items_of(order)
    proposals = selectors.propose_all(order)
    scope_items = current_scope_items()
    versions = current_versions(scope_items)
    for item in items:
        item.proposal = proposals.get(item.pk)
        initial = {"scope_item": item.scope_item_id, "method_version": item.method_version_id,
                   "note": item.review_note}
        if item.scope_item_id is None and item.proposal is not None and item.proposal.scope_item is not None:
            initial["scope_item"] = item.proposal.scope_item.pk
            initial["method_version"] = getattr(item.proposal.method_version, "pk", None)
        item.review_form = forms.get(("review", item.pk)) or ItemReviewForm(
            item=item, scope_items=scope_items, versions=versions, initial=initial, prefix=f"item{item.pk}")
        item.reject_form = forms.get(("reject", item.pk)) or RejectItemForm(prefix=f"reject{item.pk}")
    priced = [i for i in items if i.status == "reviewed" and i.scope_item_id]
    quote = order.quotes.exclude(status=QuoteStatus.REJECTED).order_by("-id").first()
    return {
        "order": order,
        "items": items,
        "deviation_form": forms.get("deviation") or DeviationForm(order=order),
        "quote_form": forms.get("quote") or QuoteForm(items=priced),
        "decision_form": forms.get("decision") or DecisionRuleForm(initial={"decision_rule": order.decision_rule}),
        "quote": quote,
        "problems": order.review_problems(),
        "refusal": refusal,
        "violations": violations,
        "may_approve": request.user.has_perm("orders.approve_quote"),
    }


@role_required(*DESK)
def review(request, number):
    order = _order_or_404(number)
    if request.method != "POST":
        return render(request, "orders/review.html", _review_context(request, order))
    action = request.POST.get("action", "")
    user = request.user
    forms, refusal, violations = {}, None, None
    try:
        if action in ("review", "reject"):
            item = get_object_or_404(OrderItem.objects.select_related("order"), pk=request.POST.get("item"),
                                     order=order)
            if action == "review":
                scope_items = current_scope_items()
                form = ItemReviewForm(request.POST, item=item, scope_items=scope_items,
                                      versions=current_versions(scope_items), prefix=f"item{item.pk}")
                forms[("review", item.pk)] = form
                if form.is_valid():
                    services.do_review_item(item, scope_item=form.cleaned_data["scope_item"],
                                            method_version=form.cleaned_data["method_version"], actor=user,
                                            note=form.cleaned_data["note"])
                    messages.success(request, _("样品“%(item)s”已评审。") % {"item": item.description})
                    return redirect("orders:review", number=order.number)
            else:
                form = RejectItemForm(request.POST, prefix=f"reject{item.pk}")
                forms[("reject", item.pk)] = form
                if form.is_valid():
                    services.do_reject_item(item, reason=form.cleaned_data["reason"], actor=user)
                    messages.success(request, _("样品“%(item)s”不予承接。") % {"item": item.description})
                    return redirect("orders:review", number=order.number)
        elif action == "deviation":
            form = forms["deviation"] = DeviationForm(request.POST, order=order)
            if form.is_valid():
                data = form.cleaned_data
                services.do_record_deviation(data["item"], kind=data["kind"], description=data["description"],
                                             justification=data["justification"], actor=user)
                messages.success(request, _("偏离已记录，将发送客户确认（CON-2）。"))
                return redirect("orders:review", number=order.number)
        elif action == "quote":
            priced = [i for i in order.items.select_related("scope_item__price")
                      if i.status == "reviewed" and i.scope_item_id]
            form = forms["quote"] = QuoteForm(request.POST, items=priced)
            if form.is_valid():
                try:
                    quote = services.do_make_quote(order, actor=user, prices=form.prices())
                except ValidationError as exc:  # "prices.<item pk>" names the item's price field
                    if not hasattr(exc, "error_dict"):
                        raise
                    raise ValidationError({key.replace("prices.", "price_"): errors
                                           for key, errors in exc.message_dict.items()}) from None
                if quote.status == QuoteStatus.PENDING_APPROVAL:
                    messages.warning(request, _("报价 %(no)s 低于成本（MKT-2），须经实验室管理层批准后才能发出。")
                                     % {"no": quote.number})
                else:
                    messages.success(request, _("报价 %(no)s 已生成。") % {"no": quote.number})
                return redirect("orders:review", number=order.number)
        elif action == "complete":
            form = forms["decision"] = DecisionRuleForm(request.POST)
            if form.is_valid():
                services.do_complete_review(order, actor=user, decision_rule=form.cleaned_data["decision_rule"])
                messages.success(request, _("合同评审已完成，已通知客户确认。"))
                return redirect("orders:detail", number=order.number)
        else:
            raise Http404
    except ValidationError as exc:
        target = next((f for f in forms.values()), None)
        if target is None:
            raise
        _field_errors(target, exc)
    except TransitionError as exc:
        refusal = exc
    except RuleViolation as exc:
        violations = exc.violations
    order.refresh_from_db()
    ctx = _review_context(request, order, forms=forms, refusal=refusal, violations=violations)
    return render(request, "orders/review.html", ctx, status=409 if (refusal or violations) else 400)


@role_required(roles.LAB_MANAGER)
def approve_quote(request, pk):
    quote = get_object_or_404(Quote.objects.select_related("order", "order__customer"), pk=pk)
    form = ApproveQuoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.do_approve_quote(quote, actor=request.user, note=form.cleaned_data["note"])
        except ValidationError as exc:
            _field_errors(form, exc)
        else:
            messages.success(request, _("报价 %(no)s 已批准。") % {"no": quote.number})
            return redirect("orders:detail", number=quote.order.number)
    lines = list(quote.lines.select_related("item").order_by("id"))
    return render(request, "orders/approve_quote.html", {"quote": quote, "lines": lines, "form": form},
                  status=400 if request.method == "POST" else 200)


# --- receipt, label, hand-over (SMP-1…SMP-3) ------------------------------------------------------

def _item_or_404(pk) -> OrderItem:
    return get_object_or_404(OrderItem.objects.select_related("order", "order__customer", "received_by"), pk=pk)


@role_required(*DESK)
def receive(request, pk):
    item = _item_or_404(pk)
    form = ReceiveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.do_receive_item(item, actor=request.user, condition=form.cleaned_data["condition"],
                                            deviation=form.cleaned_data["deviation"])
        except ValidationError as exc:
            _field_errors(form, exc)
        else:
            messages.success(request, _("已收样，样品编号 %(id)s。请打印标签贴在样品上。")
                             % {"id": item.identification})
            return redirect("orders:label", pk=item.pk)
    return render(request, "orders/receive.html", {"item": item, "order": item.order, "form": form},
                  status=400 if request.method == "POST" else 200)


@role_required(*DESK)
def label(request, pk):
    item = _item_or_404(pk)
    if not item.identification:
        raise Http404
    url = labels.scan_url(item)
    ctx = {"item": item, "order": item.order, "scan_url": url, "qr": labels.qr_svg(url),
           "sheet": request.GET.get("sheet") == "a4"}
    return render(request, "orders/label.html", ctx)


@role_required(*DESK)
def hand_over(request, pk):
    item = _item_or_404(pk)
    form = HandOverForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.do_hand_over(item, actor=request.user, method=data["method"], returned_to=data["returned_to"],
                                  courier_slip_no=data["courier_slip_no"])
        except ValidationError as exc:
            _field_errors(form, exc)
        else:
            messages.success(request, _("样品 %(id)s 已交还。") % {"id": item.identification or item.description})
            return redirect("orders:detail", number=item.order.number)
    return render(request, "orders/hand_over.html", {"item": item, "order": item.order, "form": form},
                  status=400 if request.method == "POST" else 200)


# --- scanning -------------------------------------------------------------------------------------

@role_required(*roles.STAFF_ROLES, roles.CUSTOMER)
def scan(request):
    form = ScanForm(request.GET or None)
    if form.is_bound and form.is_valid():
        code = labels.code_from_scan(form.cleaned_data["code"])
        if code and "/" not in code:
            return redirect("orders:scan_code", code=code)
        if code:
            return _open_code(request, code)
    return render(request, "orders/scan.html", {"form": form})


@role_required(*roles.STAFF_ROLES, roles.CUSTOMER)
def scan_code(request, code):
    return _open_code(request, labels.normalise(code))


def _open_code(request, code):
    """Open the item a code names wherever it is in the flow (staff), or the portal page (its customer)."""
    item = selectors.find_by_code(code) if code else None
    if not roles.is_staff_member(request.user):
        if item is None or not visible_organisations(request.user).filter(pk=item.order.customer_id).exists():
            raise Http404
        url = (_reverse_or_none("portal:order_detail", item.order.number)
               or _reverse_or_none("web:portal_order", item.order.number))
        if url is None:
            raise Http404
        return redirect(url)
    if item is None:
        return render(request, "orders/scan.html", {"form": ScanForm(initial={"code": code}), "not_found": code},
                      status=404)
    job = item.jobs.order_by("-id").first()
    if job is not None:
        url = _reverse_or_none("calibration:job_detail", job.pk)
        if url:
            return redirect(url)
    return redirect(reverse("orders:detail", args=[item.order.number]) + f"#item-{item.pk}")


# --- price list (MKT-2) ---------------------------------------------------------------------------

@role_required(roles.LAB_MANAGER)
def price_list(request):
    items = list(ScopeItem.objects.select_related("certificate", "price").order_by("certificate__number", "code"))
    edit_pk = request.POST.get("scope_item") or request.GET.get("edit")
    form, editing = None, None
    if edit_pk:
        editing = next((s for s in items if str(s.pk) == str(edit_pk)), None)
        if editing is None:
            raise Http404
        entry = getattr(editing, "price", None) if hasattr(editing, "price") else None
        initial = ({f: getattr(entry, f) for f in PriceForm.base_fields} if entry else {})
        form = PriceForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                services.do_set_price(editing, actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                _field_errors(form, exc)
            else:
                messages.success(request, _("“%(item)s”的价格已保存。") % {"item": editing})
                return redirect("orders:prices")
    rows = []
    for s in items:
        try:
            entry = s.price
        except PriceListEntry.DoesNotExist:
            entry = None
        cost = entry.cost if entry else None
        rows.append({"scope_item": s, "entry": entry, "cost": cost,
                     "margin": (entry.price - cost) if entry else None,
                     "below_cost": bool(entry and entry.price < cost)})
    return render(request, "orders/prices.html", {"rows": rows, "form": form, "editing": editing},
                  status=400 if request.method == "POST" else 200)


# --- public status lookup (DIG-1) -----------------------------------------------------------------

def status_lookup(request):
    """Order number + access code → the public timeline. Any wrong pair gets the same answer."""
    form = StatusLookupForm(request.POST or None)
    if request.method != "POST":
        return render(request, "orders/status_lookup.html", {"form": form})
    if selectors.lookup_over_limit(selectors.client_address(request)):
        return render(request, "orders/status_lookup.html", {"form": StatusLookupForm(), "limited": True},
                      status=429)
    order = None
    if form.is_valid():
        order = selectors.lookup_status(form.cleaned_data["number"].strip(), form.cleaned_data["code"])
    if order is None and not form.is_valid():
        return render(request, "orders/status_lookup.html", {"form": form})
    if order is None:  # the same answer whichever half was wrong; the code typed is not echoed
        form = StatusLookupForm(initial={"number": form.cleaned_data["number"]})
        return render(request, "orders/status_lookup.html", {"form": form, "not_found": True})
    items = _items_of(order)
    for item in items:
        item.certificates = _certificates(item)
    ctx = {"form": StatusLookupForm(), "order": order, "items": items, "timeline": selectors.public_timeline(order)}
    return render(request, "orders/status_lookup.html", ctx)
