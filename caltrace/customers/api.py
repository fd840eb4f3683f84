"""Customer endpoints. A customer account sees only its own organisation (others answer 404).

The portal's requests for additional records (CON-3), complaints and survey answers: customers
create and list their own; the quality manager or lab manager decides (transitions as POST
actions). Registration is UI-only; orders go through /api/v1/orders.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from caltrace.core import roles

from . import portal_selectors, services
from .models import Complaint, CustomerContact, RecordRequest, SurveyResponse
from .selectors import visible_organisations

router = Router(tags=["customers"])


class OrganisationOut(Schema):
    id: int
    name: str
    name_en: str
    credit_code: str
    address: str


class ContactOut(Schema):
    id: int
    name: str
    phone: str
    email: str


@router.get("/organisations", response=list[OrganisationOut])
@paginate(LimitOffsetPagination)
def list_organisations(request, q: str | None = None):
    qs = visible_organisations(request.auth)
    if q:
        qs = qs.filter(name__icontains=q)
    return qs


@router.get("/organisations/{org_id}", response=OrganisationOut)
def get_organisation(request, org_id: int):
    return get_object_or_404(visible_organisations(request.auth), pk=org_id)


@router.get("/organisations/{org_id}/contacts", response=list[ContactOut])
def list_contacts(request, org_id: int):
    org = get_object_or_404(visible_organisations(request.auth), pk=org_id)
    return CustomerContact.objects.filter(organisation=org)


# --- the portal: record requests (CON-3), complaints, survey -----------------------------------------


class RecordRequestIn(Schema):
    what: str
    reason: str
    order_item_id: int | None = None
    certificate_id: int | None = None


class RecordRequestOut(Schema):
    id: int
    organisation_id: int
    what: str
    reason: str
    order_item_id: int | None
    certificate_id: int | None
    status: str
    created_at: dt.datetime
    decided_at: dt.datetime | None
    decision_note: str
    has_file: bool

    @staticmethod
    def resolve_has_file(obj):
        return bool(obj.released_file)


class ComplaintIn(Schema):
    text: str
    order_number: str | None = None


class ComplaintOut(Schema):
    id: int
    organisation_id: int
    order_id: int | None
    text: str
    status: str
    submitted_at: dt.datetime
    response: str
    closed_at: dt.datetime | None


class DecisionIn(Schema):
    comment: str = ""


class SurveyIn(Schema):
    order_number: str
    timeliness: int = Field(..., ge=1, le=5)
    service: int = Field(..., ge=1, le=5)
    competence: int = Field(..., ge=1, le=5)
    report_quality: int = Field(..., ge=1, le=5)
    overall: int = Field(..., ge=1, le=5)
    comment: str = ""


class SurveyOut(Schema):
    id: int
    order_id: int
    timeliness: int
    service: int
    competence: int
    report_quality: int
    overall: int
    comment: str
    answered_at: dt.datetime


class SurveySummaryOut(Schema):
    count: int
    timeliness: float | None
    service: float | None
    competence: float | None
    report_quality: float | None
    overall: float | None


def _requests_for(user):
    return RecordRequest.objects.filter(organisation__in=visible_organisations(user)).order_by("-created_at", "-id")


def _complaints_for(user):
    return Complaint.objects.filter(organisation__in=visible_organisations(user)).order_by("-submitted_at", "-id")


def _surveys_for(user):
    return (SurveyResponse.objects.filter(order__customer__in=visible_organisations(user))
            .order_by("-answered_at", "-id"))


def _require_customer(user):
    if not roles.is_customer(user) or portal_selectors.portal_contact(user) is None:
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("portal accounts only")
    return portal_selectors.portal_contact(user).organisation


@router.get("/record-requests", response=list[RecordRequestOut], summary="Requests for additional records")
@paginate(LimitOffsetPagination)
def list_record_requests(request, status: str | None = None):
    qs = _requests_for(request.auth)
    return qs.filter(status=status) if status else qs


@router.post("/record-requests", response={201: RecordRequestOut}, summary="Ask for additional records (CON-3)")
def create_record_request(request, payload: RecordRequestIn):
    from caltrace.certificates.models import Certificate
    from caltrace.orders.models import OrderItem

    org = _require_customer(request.auth)
    item = cert = None
    errors = {}
    if payload.order_item_id is not None:
        item = OrderItem.objects.filter(pk=payload.order_item_id, order__customer=org).first()
        if item is None:
            errors["order_item_id"] = [_("不存在")]
    if payload.certificate_id is not None:
        cert = Certificate.objects.filter(pk=payload.certificate_id, customer=org).first()
        if cert is None:
            errors["certificate_id"] = [_("不存在")]
    if errors:
        raise ValidationError(errors)
    req = services.do_request_records(actor=request.auth, what=payload.what, reason=payload.reason, order_item=item,
                                      certificate=cert)
    return Status(201, req)


@router.get("/record-requests/{request_id}", response=RecordRequestOut)
def get_record_request(request, request_id: int):
    return get_object_or_404(_requests_for(request.auth), pk=request_id)


@router.post("/record-requests/{request_id}/transitions/{name}", response=RecordRequestOut,
             summary="Release (with a note saying how) or refuse (with the reason) a record request")
def record_request_transition(request, request_id: int, name: str, payload: DecisionIn):
    req = get_object_or_404(_requests_for(request.auth), pk=request_id)
    if name not in RecordRequest.workflow.transitions:
        raise ValidationError({"name": [f"unknown transition {name}"]})
    return services.do_decide_record_request(req, actor=request.auth, release=name == "release",
                                             note=payload.comment)


@router.get("/complaints", response=list[ComplaintOut], summary="Complaints")
@paginate(LimitOffsetPagination)
def list_complaints(request, status: str | None = None):
    qs = _complaints_for(request.auth)
    return qs.filter(status=status) if status else qs


@router.post("/complaints", response={201: ComplaintOut}, summary="Complain")
def create_complaint(request, payload: ComplaintIn):
    from caltrace.orders.models import Order

    org = _require_customer(request.auth)
    order = None
    if payload.order_number:
        order = Order.objects.filter(number=payload.order_number, customer=org).first()
        if order is None:
            raise ValidationError({"order_number": [_("不存在")]})
    return Status(201, services.do_submit_complaint(actor=request.auth, text=payload.text, order=order))


@router.get("/complaints/{complaint_id}", response=ComplaintOut)
def get_complaint(request, complaint_id: int):
    return get_object_or_404(_complaints_for(request.auth), pk=complaint_id)


@router.post("/complaints/{complaint_id}/transitions/{name}", response=ComplaintOut,
             summary="Investigate, or close with the response (the comment)")
def complaint_transition(request, complaint_id: int, name: str, payload: DecisionIn):
    complaint = get_object_or_404(_complaints_for(request.auth), pk=complaint_id)
    if name == "close":
        return services.do_close_complaint(complaint, actor=request.auth, response=payload.comment)
    if name == "investigate":
        return services.do_start_complaint_investigation(complaint, actor=request.auth, comment=payload.comment)
    raise ValidationError({"name": [f"unknown transition {name}"]})


@router.get("/surveys", response=list[SurveyOut], summary="Satisfaction survey answers")
@paginate(LimitOffsetPagination)
def list_surveys(request):
    return _surveys_for(request.auth)


@router.post("/surveys", response={201: SurveyOut}, summary="Answer the survey of a completed order")
def create_survey(request, payload: SurveyIn):
    from caltrace.orders.models import Order

    org = _require_customer(request.auth)
    order = get_object_or_404(Order, number=payload.order_number, customer=org)
    scores = payload.dict(exclude={"order_number", "comment"})
    return Status(201, services.do_answer_survey(order, actor=request.auth, comment=payload.comment, **scores))


@router.get("/surveys/summary", response=SurveySummaryOut, summary="Average scores (staff)")
def survey_summary(request):
    if not roles.is_staff_member(request.auth):
        from django.http import Http404

        raise Http404
    return portal_selectors.survey_summary()
