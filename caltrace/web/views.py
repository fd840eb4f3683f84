"""Pages of the UI shell. Each view checks access with one helper, reads through selectors or a
filtered queryset, and writes only through a service (here: the workflow service)."""

import datetime as dt
import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from caltrace.core import reminders, roles
from caltrace.core.models import AuditEntry
from caltrace.core.workflows import transition
from caltrace.customers.models import CustomerContact, CustomerOrganisation
from caltrace.customers.selectors import organisation_of, visible_organisations
from caltrace.integrity import registry
from caltrace.integrity.models import Finding

from . import display
from .access import CUSTOMER_DESK_ROLES, FINDING_ROLES, has_role, role_required, staff_required
from .forms import CustomerFilterForm, FindingFilterForm, TransitionForm

PAGE_SIZE = 25
OPEN_FINDING_STATES = ("open", "acknowledged")
HISTORY_LIMIT = 50


def paginate(request, qs, per_page=PAGE_SIZE):
    """The requested page of ``qs`` (out-of-range and junk page numbers fall back sensibly)."""
    page = Paginator(qs, per_page).get_page(request.GET.get("page"))
    page.elided_range = list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))
    return page


# --- home ---------------------------------------------------------------------------------------


@login_required
def home(request):
    """The dashboard: what waits for the signed-in user, panel by role."""
    user = request.user
    ctx = {"is_customer": roles.is_customer(user)}
    if has_role(user, FINDING_ROLES):
        ctx["finding_counts"] = Finding.objects.aggregate(
            open=Count("pk", filter=Q(status="open")),
            acknowledged=Count("pk", filter=Q(status="acknowledged")),
            blocking=Count("pk", filter=Q(status__in=OPEN_FINDING_STATES, blocks_issue=True)),
        )
        ctx["open_findings"] = list(Finding.objects.filter(status__in=OPEN_FINDING_STATES).order_by("-id")[:5])
    if has_role(user, CUSTOMER_DESK_ROLES):
        ctx["customer_count"] = CustomerOrganisation.objects.count()
        ctx["recent_customers"] = list(CustomerOrganisation.objects.order_by("-created_at", "-id")[:5])
    if roles.is_staff_member(user):
        today = timezone.localdate()
        ctx["today"] = today
        ctx["due_window"] = settings.CALTRACE["DUE_SOON_DAYS"]
        ctx["due_items"] = reminders.due_for(user, today + dt.timedelta(days=settings.CALTRACE["DUE_SOON_DAYS"]))
    if ctx["is_customer"]:
        org = organisation_of(user)
        ctx["organisation"] = org
        ctx["contacts"] = list(org.contacts.select_related("user")) if org else []
    return render(request, "web/home.html", ctx)


# --- customers ----------------------------------------------------------------------------------


@role_required(*CUSTOMER_DESK_ROLES)
def customer_list(request):
    form = CustomerFilterForm(request.GET or None)
    qs = CustomerOrganisation.objects.annotate(
        contact_count=Count("contacts", distinct=True),
        has_portal=Exists(CustomerContact.objects.filter(organisation=OuterRef("pk"), user__isnull=False)),
    ).order_by("name", "id")
    page = paginate(request, form.filter(qs))
    return render(request, "web/customers/list.html", {"form": form, "page": page})


@login_required
def customer_detail(request, pk):
    """One organisation: staff see any; a customer account only its own (404 for any other)."""
    org = get_object_or_404(visible_organisations(request.user), pk=pk)
    return _organisation_page(request, org)


@login_required
def my_organisation(request):
    """A customer's own organisation. Staff have none: the desk goes to the list, others get 404."""
    user = request.user
    if roles.is_customer(user):
        org = organisation_of(user)
        if org is None:
            return render(request, "web/customers/no_organisation.html")
        return _organisation_page(request, org)
    if has_role(user, CUSTOMER_DESK_ROLES):
        return redirect("web:customer_list")
    raise Http404


def _organisation_page(request, org):
    contacts = list(org.contacts.select_related("user").order_by("name", "id"))
    own = roles.is_customer(request.user)
    return render(request, "web/customers/detail.html", {"organisation": org, "contacts": contacts, "own": own})


# --- integrity ----------------------------------------------------------------------------------


@role_required(*FINDING_ROLES)
def finding_list(request):
    rule_ids = Finding.objects.order_by().values_list("rule_id", flat=True).distinct()
    form = FindingFilterForm(request.GET or None, workflow=Finding.workflow, rule_ids=rule_ids)
    page = paginate(request, form.filter(Finding.objects.order_by("-id")))
    return render(request, "web/integrity/finding_list.html", {"form": form, "page": page})


@role_required(*FINDING_ROLES)
def finding_detail(request, pk):
    finding = get_object_or_404(Finding, pk=pk)
    return _finding_page(request, finding, None)


@role_required(*FINDING_ROLES)
@require_POST
def finding_transition(request, pk):
    """Apply one workflow action. A refused action raises; the web middleware shows it (409)."""
    finding = get_object_or_404(Finding, pk=pk)
    form = TransitionForm(request.POST, workflow=Finding.workflow,
                          available=Finding.workflow.available(finding, request.user))
    if not form.is_valid():
        return _finding_page(request, finding, form, status=400)
    name = form.cleaned_data["transition"]
    finding = transition(finding, name, actor=request.user, comment=form.cleaned_data["comment"])
    messages.success(request, _("发现项 #%(pk)s 已执行“%(action)s”，当前状态：%(state)s。") % {
        "pk": finding.pk,
        "action": display.transition_label(Finding.workflow.transitions[name]),
        "state": display.state_label(Finding.workflow, finding.status),
    })
    return redirect("web:finding_detail", pk=finding.pk)


def _finding_page(request, finding, form, status=200):
    """The finding with its open actions; ``form`` is a bound form with errors, or None."""
    actions = Finding.workflow.available(finding, request.user)
    if form is None:
        form = TransitionForm(workflow=Finding.workflow, available=actions)
    ctx = {"finding": finding, "form": form, "actions": actions, "history": _history(finding)}
    return render(request, "web/integrity/finding_detail.html", ctx, status=status)


def _history(obj):
    """The record's audit-ledger entries, oldest first, with its state before and after each."""
    field = obj.workflow.field_name
    # A transition without a comment records its English label as the reason; the state columns
    # already say that, so such a reason shows as no comment.
    bare_labels = {t.label_en for t in obj.workflow.transitions.values()}
    entries = (AuditEntry.objects.filter(model=obj._meta.label, object_pk=str(obj.pk))
               .order_by("-seq")[:HISTORY_LIMIT])
    rows = []
    for e in reversed(list(entries)):
        before = json.loads(e.before) if e.before else {}
        after = json.loads(e.after) if e.after else {}
        rows.append({
            "seq": e.seq, "at": parse_datetime(e.at), "actor": e.actor, "action": e.action,
            "reason": "" if e.reason in bare_labels else e.reason,
            "state_before": before.get(field), "state_after": after.get(field),
        })
    return rows


@staff_required
def rule_list(request):
    """Every registered rule: requirement id, GATE or FLAG, the events it is bound to, what it checks."""
    rules = registry.rules()
    kind = request.GET.get("kind")
    if kind in (registry.GATE, registry.FLAG):
        rules = [r for r in rules if r.kind == kind]
    return render(request, "web/integrity/rule_list.html", {"rules": rules, "kind": kind,
                                                              "kinds": (registry.GATE, registry.FLAG)})
