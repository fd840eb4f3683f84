"""Pages of the customer portal (客户门户) and of the lab's customer-service desk.

Customer pages are for portal accounts and show only their organisation's records: anything else
answers 404. Each view checks access with one helper, reads through
:mod:`.portal_selectors`, and writes through one service (customers or orders). Refused workflow
actions (``TransitionError``, ``RuleViolation``) propagate to the web middleware's readable page.
"""

from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth import login
from django.core import signing
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from caltrace.core import roles
from caltrace.web import display
from caltrace.web.access import role_required

from . import portal_selectors as sel
from . import services
from .forms import (AppointmentForm, ApplicationForm, ComplaintForm, ComplaintResponseForm, ContactInviteForm,
                    DeclineForm, DeviationDecisionForm, InstrumentFormSet, RecordDecisionForm, RecordRequestForm,
                    RegistrationForm, SurveyForm)
from .models import SURVEY_SCORES, Complaint, RecordRequest, SurveyResponse

PAGE_SIZE = 20
HOME_LIST = 5
STAFF = services.CUSTOMER_SERVICE_ROLES
SESSION_CODE = "portal_access_code"
REAPPLY_MAX_AGE_DAYS = 60

customer_required = role_required(roles.CUSTOMER)


def paginate(request, qs, per_page=PAGE_SIZE, param="page"):
    page = Paginator(qs, per_page).get_page(request.GET.get(param))
    page.elided_range = list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))
    return page


def _contact(request):
    """The signed-in portal user's contact record; a customer account without one gets 404."""
    contact = sel.portal_contact(request.user)
    if contact is None:
        raise Http404
    return contact


def _get_or_404(fn, *args):
    try:
        return fn(*args)
    except ObjectDoesNotExist:
        raise Http404 from None


def _apply_errors(form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form: known fields on the field, the rest on top."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, errors in exc.message_dict.items():
        form.add_error(name if name in form.fields else None, errors)


# --- registration and colleagues --------------------------------------------------------------------


def register(request):
    """Self-service registration of a customer organisation with its first portal account."""
    if request.user.is_authenticated:
        return redirect("portal:home" if roles.is_customer(request.user) else "web:home")
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            contact = services.do_register_customer(
                name=d["name"], credit_code=d["credit_code"], address=d["address"], phone=d["phone"],
                contact_name=d["contact_name"], contact_phone=d["contact_phone"], contact_email=d["contact_email"],
                username=d["username"], password=d["password"])
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            login(request, contact.user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("注册成功。欢迎使用客户门户。"))
            return redirect("portal:home")
    return render(request, "customers/portal/register.html", {"form": form},
                  status=400 if form.is_bound and form.errors else 200)


@customer_required
def contacts(request):
    """The organisation's contacts; a contact invites a colleague with a portal login."""
    contact = _contact(request)
    org = contact.organisation
    form = ContactInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            new = services.do_add_portal_contact(org, name=d["contact_name"], phone=d["contact_phone"],
                                                 email=d["contact_email"], username=d["username"],
                                                 password=d["password"], actor=request.user)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("已为 %(name)s 开通门户账号。") % {"name": new.name})
            return redirect("portal:contacts")
    people = list(org.contacts.select_related("user").order_by("name", "id"))
    return render(request, "customers/portal/contacts.html", {"organisation": org, "people": people, "form": form},
                  status=400 if form.is_bound and form.errors else 200)


# --- home ------------------------------------------------------------------------------------------


@customer_required
def home(request):
    from caltrace.certificates.selectors import visible_certificates

    org = _contact(request).organisation
    page = paginate(request, sel.organisation_orders(org))
    for order in page.object_list:
        order.next_step = sel.NEXT_STEP.get(order.status, "")
        order.state = display.state_label(order.workflow, order.status)
    ctx = {
        "organisation": org,
        "page": page,
        "to_rate": list(sel.orders_to_rate(org)[:HOME_LIST]),
        "certificates": list(visible_certificates(request.user)[:HOME_LIST]),
        "due_items": list(sel.items_falling_due(org)[:10]),
        "due_window": sel.DUE_WINDOW_DAYS,
        "open_requests": list(sel.open_requests(org)[:HOME_LIST]),
        "open_complaints": list(sel.open_complaints(org)[:HOME_LIST]),
    }
    return render(request, "customers/portal/home.html", ctx)


# --- the application -------------------------------------------------------------------------------


def _rows_from_post(post) -> list[dict]:
    """The instrument rows as typed (for adding or removing a row without losing anything)."""
    formset = InstrumentFormSet(post, prefix="items")
    rows = []
    for form in formset.forms:
        rows.append({name: form[name].value() for name in form.fields})
    return rows


def _application_forms(post=None, *, rows=None, header=None):
    if post is not None:
        return ApplicationForm(post), InstrumentFormSet(post, prefix="items")
    return ApplicationForm(initial=header), InstrumentFormSet(prefix="items", initial=rows)


def _row_errors(formset, header=None) -> list[dict]:
    """Each error with the row number and the field label, for the summary on top."""
    out = []
    if header is not None:
        for name, errors in header.errors.items():
            field = header.fields.get(name)
            for message in errors:
                out.append({"row": None, "field": field.label if field else "", "message": message,
                            "anchor": header[name].auto_id if field else "application-form"})
    for i, form in enumerate(formset.forms, 1):
        for name, errors in form.errors.items():
            label = form.fields[name].label if name in form.fields else ""
            for message in errors:
                out.append({"row": i, "field": label, "message": message,
                            "anchor": form[name].auto_id if name in form.fields else f"row-{i}"})
    for message in formset.non_form_errors():
        out.append({"row": None, "field": "", "message": message, "anchor": "instrument-rows"})
    return out


def _item_errors_to_rows(forms, exc: ValidationError, header) -> None:
    """A service error keyed "items[i].field" goes to the field of the row sent as item i; others to
    the header form."""

    for key, errors in exc.message_dict.items():
        m = re.fullmatch(r"items\[(\d+)\](?:\.(\w+))?", key)
        if m and int(m.group(1)) < len(forms):
            form = forms[int(m.group(1))]
            name = m.group(2)
            form.add_error(name if name in form.fields else None, errors)
        else:
            header.add_error(key if key in header.fields else None, errors)


@customer_required
def apply(request):
    """The application form: several instruments, conformity statement, in-lab or on-site.

    "Add a row" and "remove row n" post the whole form and get it back with what was typed; with
    htmx only the form is swapped, without JavaScript the page reloads. Submit creates and submits
    the order and shows its access code once.
    """
    contact = _contact(request)
    status = 200
    if request.method != "POST":
        header, formset = _application_forms(rows=[{}])
    elif "add_row" in request.POST or "remove_row" in request.POST:
        rows = _rows_from_post(request.POST)
        if "add_row" in request.POST and len(rows) < 50:
            rows.append({"quantity": 1})
        elif "remove_row" in request.POST:
            try:
                index = int(request.POST["remove_row"])
            except ValueError:
                index = -1
            if 0 <= index < len(rows) and len(rows) > 1:
                rows.pop(index)
        bound = ApplicationForm(request.POST)
        header_values = {name: bound[name].value() for name in bound.fields}
        header, formset = _application_forms(rows=rows, header=header_values)
    else:
        header, formset = _application_forms(request.POST)
        if header.is_valid() & formset.is_valid():
            from caltrace.orders import services as orders

            d = header.cleaned_data
            kept = [f for f in formset.forms if f.cleaned_data]  # a blank extra row is skipped
            try:
                with transaction.atomic():  # created and submitted, or nothing
                    order, code = orders.do_create_order(
                        contact.organisation, items=[f.as_item() for f in kept], actor=request.user,
                        contact=contact, submitted_by=request.user, location=d["location"],
                        on_site_address=d["on_site_address"], conformity_wanted=d["conformity_wanted"],
                        conformity_specification=d["conformity_specification"], notes=d["notes"])
                    orders.do_submit_order(order, actor=request.user)
            except ValidationError as exc:
                _item_errors_to_rows(kept, exc, header)
            else:
                request.session[SESSION_CODE] = {"number": order.number, "code": code}
                return redirect("portal:order_created", number=order.number)
        status = 400
    ctx = {"header": header, "formset": formset, "row_errors": _row_errors(formset, header) if formset.is_bound else [],
           "max_rows": 50}
    return render(request, "customers/portal/apply.html", ctx, status=status)


@customer_required
def order_created(request, number):
    """The access code of a new order, shown this once (only its hash is stored)."""
    org = _contact(request).organisation
    order = _get_or_404(sel.get_order, org, number)
    shown = request.session.pop(SESSION_CODE, None)
    code = shown["code"] if shown and shown.get("number") == order.number else None
    return render(request, "customers/portal/order_created.html", {"order": order, "code": code})


# --- one order -------------------------------------------------------------------------------------


def _timeline(order):
    from caltrace.orders.selectors import public_timeline

    return list(public_timeline(order))


def _order_context(request, order, *, forms=None):
    from caltrace.orders.choices import DeviationStatus
    from caltrace.orders.models import Deviation, Quote

    forms = forms or {}
    items = list(order.items.prefetch_related(
        Prefetch("deviations", queryset=Deviation.objects.order_by("id"))).order_by("id"))
    for item in items:
        item.state = display.state_label(item.workflow, item.status)
    deviations = [d for item in items for d in item.deviations.all()]
    pending = [d for d in deviations if d.status == DeviationStatus.PENDING]
    refused = [d for d in deviations if d.status == DeviationStatus.REJECTED]
    quote = (Quote.objects.filter(order=order).exclude(status="rejected").prefetch_related("lines__item")
             .order_by("-id").first())
    awaiting = order.status == "awaiting_customer"
    deviation_forms = {d.pk: forms.get(("deviation", d.pk)) or DeviationDecisionForm(prefix=f"dev{d.pk}")
                       for d in pending} if awaiting else {}
    for d in pending:
        d.form = deviation_forms.get(d.pk)
    can_book = order.status in ("accepted", "in_progress")
    rated = order.status == "closed" and SurveyResponse.objects.filter(order=order).exists()
    return {
        "order": order,
        "state": display.state_label(order.workflow, order.status),
        "next_step": sel.NEXT_STEP.get(order.status, ""),
        "items": items,
        "deviations": deviations,
        "pending": pending,
        "refused": refused,
        "quote": quote,
        "awaiting": awaiting,
        "can_accept": awaiting and not pending and not refused,
        "decline_form": forms.get("decline") or (DeclineForm() if awaiting else None),
        "appointment_form": (forms.get("appointment") or AppointmentForm(on_site=order.on_site, initial={
            "drop_off_on": order.drop_off_on, "pick_up_on": order.pick_up_on, "visit_on": order.visit_on}))
        if can_book else None,
        "timeline": _timeline(order),
        "certificates": list(sel.order_certificates(order)),
        "may_rate": order.status == "closed" and not rated,
    }


def _order_or_404(request, number):
    org = _contact(request).organisation
    return _get_or_404(sel.get_order, org, number)


@customer_required
def order_detail(request, number):
    order = _order_or_404(request, number)
    return render(request, "customers/portal/order_detail.html", _order_context(request, order))


def _order_page_with(request, order, forms):
    return render(request, "customers/portal/order_detail.html", _order_context(request, order, forms=forms),
                  status=400)


@customer_required
@require_POST
def deviation_decide(request, number, pk):
    """Accept or refuse one deviation (CON-2)."""
    from caltrace.orders import services as orders
    from caltrace.orders.models import Deviation

    order = _order_or_404(request, number)
    deviation = _get_or_404(lambda: Deviation.objects.select_related("item__order").get(pk=pk, item__order=order))
    form = DeviationDecisionForm(request.POST, prefix=f"dev{deviation.pk}")
    if form.is_valid():
        accept = form.cleaned_data["decision"] == "accept"
        try:
            orders.do_decide_deviation(deviation, accept=accept, actor=request.user,
                                       comment=form.cleaned_data["comment"])
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("已接受偏离。") if accept else _("已记录您不接受该偏离。"))
            return redirect("portal:order_detail", number=order.number)
    return _order_page_with(request, order, {("deviation", deviation.pk): form})


@customer_required
@require_POST
def order_accept(request, number):
    """Accept the quote and the order (awaiting_customer → accepted); a refusal shows the reason (409)."""
    from caltrace.orders import services as orders

    order = _order_or_404(request, number)
    orders.do_accept_order(order, actor=request.user)
    messages.success(request, _("您已接受报价，委托已受理。请预约送样或现场校准。"))
    return redirect("portal:order_detail", number=order.number)


@customer_required
@require_POST
def order_decline(request, number):
    from caltrace.orders import services as orders

    order = _order_or_404(request, number)
    form = DeclineForm(request.POST)
    if not form.is_valid():
        return _order_page_with(request, order, {"decline": form})
    orders.do_decline_order(order, actor=request.user, comment=form.cleaned_data["comment"])
    messages.success(request, _("您已拒绝本次报价，委托已取消。"))
    return redirect("portal:order_detail", number=order.number)


@customer_required
@require_POST
def appointment(request, number):
    """Book drop-off and pick-up (in-lab) or the on-site visit (SMP-1)."""
    from caltrace.orders import services as orders

    order = _order_or_404(request, number)
    form = AppointmentForm(request.POST, on_site=order.on_site)
    if form.is_valid():
        try:
            orders.do_book_appointment(order, actor=request.user, **{k: v for k, v in form.cleaned_data.items()
                                                                       if v is not None})
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("预约已提交。"))
            return redirect("portal:order_detail", number=order.number)
    return _order_page_with(request, order, {"appointment": form})


@customer_required
def survey(request, number):
    """The satisfaction survey of a completed order: once per order."""
    order = _order_or_404(request, number)
    if order.status != "closed":
        raise Http404
    if sel.organisation_orders(order.customer).filter(pk=order.pk, rated=True).exists():
        messages.info(request, _("该委托单已经评价过，感谢您的反馈。"))
        return redirect("portal:order_detail", number=order.number)
    form = SurveyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.do_answer_survey(order, actor=request.user, comment=d["comment"],
                                      **{k: d[k] for k in SURVEY_SCORES})
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("感谢您的评价。"))
            return redirect("portal:home")
    return render(request, "customers/portal/survey.html", {"order": order, "form": form},
                  status=400 if form.is_bound and form.errors else 200)


# --- additional records (CON-3) and complaints ---------------------------------------------------------


@customer_required
def requests(request):
    org = _contact(request).organisation
    form = RecordRequestForm(request.POST or None, organisation=org,
                             initial={"order_item": request.GET.get("item"), "certificate": request.GET.get("cert")})
    return _submit_or_list(
        request, form, lambda d: services.do_request_records(actor=request.user, what=d["what"], reason=d["reason"],
                                                             order_item=d["order_item"], certificate=d["certificate"]),
        _("申请已提交，实验室处理后您会在此看到结果。"), "portal:request_detail",
        sel.organisation_requests(org), "customers/portal/requests.html")


def _submit_or_list(request, form, create, done_message, detail_url, rows, template):
    """A customer's list page with its own submission form on top (record requests, complaints):
    a valid POST creates through ``create(cleaned_data)`` and goes to the new row's page; a
    refused one keeps what was typed, with the service's errors on their fields (HTTP 400)."""
    if request.method == "POST" and form.is_valid():
        try:
            created = create(form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, done_message)
            return redirect(detail_url, pk=created.pk)
    page = paginate(request, rows)
    return render(request, template, {"page": page, "form": form},
                  status=400 if form.is_bound and form.errors else 200)


@customer_required
def request_detail(request, pk):
    org = _contact(request).organisation
    req = _get_or_404(lambda: sel.organisation_requests(org).get(pk=pk))
    return render(request, "customers/portal/request_detail.html", {"req": req})


def _released_file(req: RecordRequest):
    if req.status != "released" or not req.released_file:
        raise Http404
    return FileResponse(req.released_file.open("rb"), as_attachment=True,
                        filename=req.released_file.name.rsplit("/", 1)[-1])


@customer_required
def request_file(request, pk):
    org = _contact(request).organisation
    return _released_file(_get_or_404(lambda: sel.organisation_requests(org).get(pk=pk)))


@customer_required
def complaints(request):
    org = _contact(request).organisation
    form = ComplaintForm(request.POST or None, organisation=org)
    return _submit_or_list(
        request, form, lambda d: services.do_submit_complaint(actor=request.user, text=d["text"], order=d["order"]),
        _("投诉已受理，我们会尽快答复。"), "portal:complaint_detail", sel.organisation_complaints(org),
        "customers/portal/complaints.html")


@customer_required
def complaint_detail(request, pk):
    org = _contact(request).organisation
    complaint = _get_or_404(lambda: sel.organisation_complaints(org).get(pk=pk))
    return render(request, "customers/portal/complaint_detail.html", {"complaint": complaint})


# --- re-application from the recall reminder (DIG-7) ---------------------------------------------------


def _reapply_items(request, token):
    """The items a recall token names, if they belong to the user's organisation; else an error text."""
    from caltrace.orders import reminders

    items = reminders.items_from_token(token, max_age_days=REAPPLY_MAX_AGE_DAYS)
    if not items:
        try:  # a genuine token that is only too old gets its own message
            signing.loads(token, salt=reminders.TOKEN_SALT)
        except signing.BadSignature:
            return None, _("该复校申请链接无效。请检查链接是否完整，或登录客户门户重新填写申请。")
        return None, _("该复校申请链接已过期。请登录客户门户重新填写申请，或联系实验室。")
    org = _contact(request).organisation
    if any(i.order.customer_id != org.pk for i in items):
        raise Http404
    return items, None


@customer_required
def reapply(request, token):
    """One-click re-application: the instruments of the reminder and one button."""
    from caltrace.orders import services as orders

    items, error = _reapply_items(request, token)
    if error:
        return render(request, "customers/portal/reapply_error.html", {"error": error}, status=400)
    if request.method == "POST":
        order, code = orders.do_reapply(items, actor=request.user)
        request.session[SESSION_CODE] = {"number": order.number, "code": code}
        return redirect("portal:order_created", number=order.number)
    return render(request, "customers/portal/reapply.html", {"items": items})


# --- the lab's customer-service desk -----------------------------------------------------------------------


@role_required(*STAFF)
def staff_requests(request):
    status = request.GET.get("status") or ""
    if status not in RecordRequest.workflow.states:
        status = ""
    page = paginate(request, sel.staff_requests(status or None))
    states = [(code, display.state_label(RecordRequest.workflow, code)) for code in RecordRequest.workflow.states]
    return render(request, "customers/portal/staff_requests.html", {"page": page, "status": status,
                                                                    "states": states})


@role_required(*STAFF)
def staff_request_detail(request, pk):
    req = _get_or_404(lambda: sel.staff_requests().get(pk=pk))
    form = RecordDecisionForm(request.POST or None, request.FILES or None) if req.status == "requested" else None
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.do_decide_record_request(req, actor=request.user, release=d["decision"] == "release",
                                                  note=d["note"], released_file=d["released_file"])
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("已处理追加记录申请 #%(pk)s。") % {"pk": req.pk})
                return redirect("portal:staff_request_detail", pk=req.pk)
    return render(request, "customers/portal/staff_request_detail.html", {"req": req, "form": form},
                  status=400 if form is not None and form.is_bound and form.errors else 200)


@role_required(*STAFF)
def staff_request_file(request, pk):
    return _released_file(_get_or_404(lambda: sel.staff_requests().get(pk=pk)))


@role_required(*STAFF)
def staff_complaints(request):
    status = request.GET.get("status") or ""
    if status not in Complaint.workflow.states:
        status = ""
    page = paginate(request, sel.staff_complaints(status or None))
    states = [(code, display.state_label(Complaint.workflow, code)) for code in Complaint.workflow.states]
    return render(request, "customers/portal/staff_complaints.html", {"page": page, "status": status,
                                                                      "states": states})


@role_required(*STAFF)
def staff_complaint_detail(request, pk):
    complaint = _get_or_404(lambda: sel.staff_complaints().get(pk=pk))
    form = ComplaintResponseForm(request.POST or None) if complaint.status != "closed" else None
    if form is not None and complaint.status == "investigating":
        form.fields["action"].choices = [c for c in form.fields["action"].choices if c[0] == "close"]
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            d = form.cleaned_data
            try:
                if d["action"] == "close":
                    services.do_close_complaint(complaint, actor=request.user, response=d["response"])
                else:
                    services.do_start_complaint_investigation(complaint, actor=request.user,
                                                              comment=d["response"])
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("投诉 #%(pk)s 已更新。") % {"pk": complaint.pk})
                return redirect("portal:staff_complaint_detail", pk=complaint.pk)
    return render(request, "customers/portal/staff_complaint_detail.html", {"complaint": complaint, "form": form},
                  status=400 if form is not None and form.is_bound and form.errors else 200)


@role_required(*STAFF)
def staff_surveys(request):
    """Averages of the satisfaction survey, with a small bar chart, and the latest answers."""
    summary = sel.survey_summary()
    labels = {k: SurveyResponse._meta.get_field(k).verbose_name for k in SURVEY_SCORES}
    bars = []
    for i, key in enumerate(SURVEY_SCORES):
        avg = summary.get(key)
        bars.append({"key": key, "label": labels[key], "avg": avg, "width": round((avg or 0) / 5 * 300, 1),
                     "y": i * 36})
    page = paginate(request, SurveyResponse.objects.select_related("order__customer", "answered_by"))
    return render(request, "customers/portal/staff_surveys.html", {"summary": summary, "bars": bars, "page": page,
                                                                   "chart_height": len(bars) * 36})
