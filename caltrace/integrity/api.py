"""Integrity endpoints: the rule list, findings and their transitions."""

from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from caltrace.core import roles
from caltrace.core.workflows import transition

from . import registry
from .models import Finding

router = Router(tags=["integrity"])


class RuleOut(Schema):
    id: str
    kind: str
    events: list[str]
    zh: str
    en: str
    name: str


class FindingOut(Schema):
    id: int
    rule_id: str
    event: str
    message_zh: str
    message_en: str
    objects_involved: list[dict]
    blocks_issue: bool
    status: str


class TransitionIn(Schema):
    comment: str = ""


@router.get("/rules", response=list[RuleOut], summary="Every registered rule")
def list_rules(request):
    return [r.as_dict() for r in registry.rules()]


def _findings_for(user):
    if not roles.is_staff_member(user):
        return Finding.objects.none()
    return Finding.objects.all()


@router.get("/findings", response=list[FindingOut], summary="Integrity findings")
@paginate(LimitOffsetPagination)
def list_findings(request, status: str | None = None, rule_id: str | None = None):
    qs = _findings_for(request.auth)
    if status:
        qs = qs.filter(status=status)
    if rule_id:
        qs = qs.filter(rule_id=rule_id)
    return qs


@router.get("/findings/{finding_id}", response=FindingOut)
def get_finding(request, finding_id: int):
    return get_object_or_404(_findings_for(request.auth), pk=finding_id)


@router.post("/findings/{finding_id}/transitions/{name}", response=FindingOut,
             summary="Apply a workflow transition to a finding")
def finding_transition(request, finding_id: int, name: str, payload: TransitionIn):
    finding = get_object_or_404(_findings_for(request.auth), pk=finding_id)
    return transition(finding, name, actor=request.auth, comment=payload.comment)
