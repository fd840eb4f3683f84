"""Customer endpoints. A customer account sees only its own organisation (others answer 404)."""

from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from .models import CustomerContact
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
