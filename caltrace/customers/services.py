"""Writes of the customers app: organisations, contacts and portal accounts."""

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from caltrace.core import roles
from caltrace.core.audit import actor_for_user, audit_context
from caltrace.core.roles import CUSTOMER
from caltrace.core.workflows import transition
from caltrace.people.services import do_assign_role, do_create_login

from .models import (SURVEY_SCORES, Complaint, CustomerContact, CustomerOrganisation, RecordRequest,
                     SurveyResponse)


def do_register_customer_organisation(*, name: str, credit_code: str, name_en: str = "", address: str = "",
                                      phone: str = "") -> CustomerOrganisation:
    """Register a customer organisation under its unified social credit code."""
    with transaction.atomic():
        org = CustomerOrganisation(name=name, name_en=name_en, credit_code=credit_code.strip(), address=address,
                                   phone=phone)
        org.full_clean()
        org.save()
        return org


def do_add_customer_contact(organisation: CustomerOrganisation, *, name: str, phone: str = "",
                            email: str = "") -> CustomerContact:
    """Add a contact person to a customer organisation."""
    with transaction.atomic():
        contact = CustomerContact(organisation=organisation, name=name, phone=phone, email=email)
        contact.full_clean()
        contact.save()
        return contact


def do_open_portal_account(contact: CustomerContact, *, username: str, password: str):
    """Give a contact a portal login (role ``customer``); it sees only its own organisation."""
    with transaction.atomic():
        contact = CustomerContact.objects.select_for_update().get(pk=contact.pk)
        if contact.user_id is not None:
            raise ValidationError(_("%(name)s 已有门户账号"), params={"name": contact.name})
        user = do_create_login(username=username, password=password, email=contact.email, full_name=contact.name)
        contact.user = user
        contact.save(update_fields=["user", "updated_at"])
        do_assign_role(user, CUSTOMER)
        return user


# --- the customer portal ---------------------------------------------------------------------------

REGISTRATION_ACTOR = "system:portal-registration"
# Who decides on record requests and answers complaints for the lab.
CUSTOMER_SERVICE_ROLES = (roles.QUALITY_MANAGER, roles.LAB_MANAGER)


def _check_login(username: str, password: str, *, email: str = "", name: str = "") -> None:
    """The portal login's username is free and its password passes Django's validators."""
    errors = {}
    if get_user_model().objects.filter(username__iexact=username.strip()).exists():
        errors["username"] = [_("该用户名已被使用")]
    try:
        validate_password(password, user=get_user_model()(username=username, email=email, first_name=name))
    except ValidationError as exc:
        errors["password"] = exc.messages
    if errors:
        raise ValidationError(errors)


def do_register_customer(*, name: str, credit_code: str, contact_name: str, username: str, password: str,
                         address: str = "", phone: str = "", contact_phone: str = "", contact_email: str = "",
                         name_en: str = "") -> CustomerContact:
    """Self-service registration (客户注册): the organisation, its first contact and that contact's
    portal account (role ``customer``). A credit code already registered is refused without saying
    who registered it: the existing contacts can invite colleagues."""
    code = (credit_code or "").strip().upper()
    with audit_context(actor=REGISTRATION_ACTOR), transaction.atomic():
        if CustomerOrganisation.objects.filter(credit_code=code).exists():
            raise ValidationError({"credit_code": _("该统一社会信用代码已注册。请联系本单位已有的联系人在客户门户为您开通账号。")})
        _check_login(username, password, email=contact_email, name=contact_name)
        org = do_register_customer_organisation(name=name, credit_code=code, name_en=name_en, address=address,
                                                phone=phone)
        contact = do_add_customer_contact(org, name=contact_name, phone=contact_phone, email=contact_email)
        do_open_portal_account(contact, username=username.strip(), password=password)
        contact.refresh_from_db()
        return contact


def do_add_portal_contact(organisation: CustomerOrganisation, *, name: str, username: str, password: str,
                          actor, phone: str = "", email: str = "") -> CustomerContact:
    """A portal user invites a colleague: a new contact of the same organisation with its own login."""
    if not roles.is_staff_member(actor) and not CustomerContact.objects.filter(user=actor,
                                                                               organisation=organisation).exists():
        raise PermissionDenied("not a contact of this organisation")
    with audit_context(actor=actor_for_user(actor)), transaction.atomic():
        _check_login(username, password, email=email, name=name)
        contact = do_add_customer_contact(organisation, name=name, phone=phone, email=email)
        do_open_portal_account(contact, username=username.strip(), password=password)
        contact.refresh_from_db()
        return contact


def _organisation_of(user) -> CustomerOrganisation:
    """The portal user's organisation (``selectors.organisation_of``); anyone else is refused."""
    from .selectors import organisation_of

    organisation = organisation_of(user)
    if organisation is None:
        raise PermissionDenied("not a portal user")
    return organisation


def _require_customer_service(actor) -> None:
    if not (getattr(actor, "is_superuser", False) or roles.roles_of(actor) & set(CUSTOMER_SERVICE_ROLES)):
        raise PermissionDenied("quality manager or laboratory manager only")


def do_request_records(*, actor, what: str, reason: str, order_item=None, certificate=None) -> RecordRequest:
    """A portal user asks for additional records (CON-3) about one of its organisation's items or
    certificates."""
    org = _organisation_of(actor)
    if order_item is not None and order_item.order.customer_id != org.pk:
        raise ValidationError({"order_item": _("样品不属于本单位")})
    if certificate is not None and certificate.customer_id != org.pk:
        raise ValidationError({"certificate": _("证书不属于本单位")})
    with audit_context(actor=actor_for_user(actor)), transaction.atomic():
        req = RecordRequest(organisation=org, requested_by=actor, what=what, reason=(reason or "").strip(),
                            order_item=order_item, certificate=certificate)
        req.full_clean()
        req.save()
        return req


def do_decide_record_request(request: RecordRequest, *, actor, release: bool, note: str = "",
                             released_file=None) -> RecordRequest:
    """The quality or lab manager releases the records (a file, or a note saying how) or refuses
    with a reason; the decision, who and when, stays with the request."""
    _require_customer_service(actor)
    note = (note or "").strip()
    if release and not note and not released_file:
        raise ValidationError({"decision_note": _("请上传提供的文件或说明提供方式")})
    with audit_context(actor=actor_for_user(actor)), transaction.atomic():
        locked = RecordRequest.objects.select_for_update().get(pk=request.pk)
        if locked.status == "requested":  # a decided request is refused by the workflow below
            locked.decided_by = actor
            locked.decided_at = timezone.now()
            locked.decision_note = note
            if release and released_file:
                locked.released_file = released_file
            locked.full_clean()
            locked.save()
        return transition(locked, "release" if release else "refuse", actor=actor, comment=note)


def do_submit_complaint(*, actor, text: str, order=None) -> Complaint:
    """A portal user complains, about an order of its organisation or in general."""
    org = _organisation_of(actor)
    if order is not None and order.customer_id != org.pk:
        raise ValidationError({"order": _("只能就本单位的委托单投诉")})
    with audit_context(actor=actor_for_user(actor)), transaction.atomic():
        complaint = Complaint(organisation=org, order=order, text=(text or "").strip(), submitted_by=actor,
                              submitted_at=timezone.now())
        complaint.full_clean()
        complaint.save()
        return complaint


def do_start_complaint_investigation(complaint: Complaint, *, actor, comment: str = "") -> Complaint:
    _require_customer_service(actor)
    return transition(complaint, "investigate", actor=actor, comment=comment)


def do_close_complaint(complaint: Complaint, *, actor, response: str) -> Complaint:
    """Answer the complaint and close it; the response is what the customer reads."""
    _require_customer_service(actor)
    response = (response or "").strip()
    if not response:
        raise ValidationError({"response": _("请填写处理结果")})
    with audit_context(actor=actor_for_user(actor)), transaction.atomic():
        locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
        if locked.status != "closed":
            locked.response = response
            locked.responded_by = actor
            locked.closed_at = timezone.now()
            locked.save()
        return transition(locked, "close", actor=actor, comment=response)


def do_answer_survey(order, *, actor, comment: str = "", **scores) -> SurveyResponse:
    """The customer rates a completed order (满意度调查): once per order, each score 1–5."""
    org = _organisation_of(actor)
    if order.customer_id != org.pk:
        raise PermissionDenied("not this organisation's order")
    missing = [k for k in SURVEY_SCORES if k not in scores]
    unknown = set(scores) - set(SURVEY_SCORES)
    if missing or unknown:
        raise TypeError(f"scores missing {missing} or unknown {sorted(unknown)}")
    with audit_context(actor=actor_for_user(actor)), transaction.atomic():
        from caltrace.orders.models import Order

        locked = Order.objects.select_for_update().get(pk=order.pk)
        if locked.status != "closed":
            raise ValidationError(_("委托单完成后才能评价"))
        if SurveyResponse.objects.filter(order=locked).exists():
            raise ValidationError(_("该委托单已经评价过"))
        answer = SurveyResponse(order=locked, answered_by=actor, answered_at=timezone.now(),
                                comment=(comment or "").strip(), **scores)
        answer.full_clean(validate_unique=False)
        answer.save()
        return answer


SURVEY_ACTOR = "system:task:survey_invitations"


def do_send_survey_invitations(*, limit: int = 200) -> int:
    """Mail the satisfaction survey to the contacts of completed orders not yet rated nor invited;
    the mail goes after commit, and each order is invited once. Returns the number of mails."""
    from django.conf import settings
    from django.core.mail import send_mail
    from django.urls import reverse

    from caltrace.orders.models import Order
    from caltrace.orders.notices import recipients

    from .models import SurveyInvitation

    sent = 0
    with audit_context(actor=SURVEY_ACTOR), transaction.atomic():
        due = (Order.objects.filter(status="closed", survey__isnull=True, survey_invitation__isnull=True)
               .select_related("contact", "submitted_by").select_for_update(of=("self",)).order_by("closed_at", "id")
               [:limit])
        for order in due:
            to = recipients(order)
            if not to:
                continue
            SurveyInvitation.objects.create(order=order, sent_to=", ".join(to), sent_at=timezone.now())
            link = settings.CALTRACE_BASE_URL + reverse("portal:survey", args=[order.number])
            subject = f"委托单 {order.number} 满意度调查 / Order {order.number}: satisfaction survey"
            body = (f"您的委托单 {order.number} 已完成。请花一分钟对我们的服务作出评价：\n{link}\n\n"
                    f"Your order {order.number} is completed. Please take a minute to rate our service:\n{link}\n")
            transaction.on_commit(lambda s=subject, b=body, t=to: send_mail(s, b, None, t))
            sent += 1
    return sent
