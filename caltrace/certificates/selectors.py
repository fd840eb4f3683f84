"""Reads of issued certificates, scoped to what the user may see (RPT-3).

Staff see every certificate; a customer account only those of its own organisation (through the
certificate's ``customer``); anyone else none. Lists annotate the effective state in SQL, so a page
of certificates costs the same number of queries whatever its length.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, Exists, OuterRef, Q, Value, When
from django.db.models.fields import CharField

from caltrace.core import roles
from caltrace.customers.selectors import visible_organisations

from .models import Certificate, CertificateStatus

# Who may withdraw a certificate (撤回): quality staff and the lab's management.
WITHDRAW_ROLES = (roles.QUALITY_MANAGER, roles.LAB_MANAGER, roles.TECHNICAL_DIRECTOR)
# The effective states a list can be filtered by, as Certificate.effective_status names them.
STATES = ("issued", "amended", "withdrawn")


def can_read(user) -> bool:
    return roles.is_staff_member(user) or roles.is_customer(user)


def can_withdraw(user) -> bool:
    if not user or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return bool(roles.roles_of(user) & set(WITHDRAW_ROLES))


def visible_certificates(user):
    """The certificates ``user`` may see, with ``state`` annotated, newest first."""
    qs = Certificate.objects.all()
    if roles.is_staff_member(user):
        pass
    elif roles.is_customer(user):
        qs = qs.filter(customer__in=visible_organisations(user))
    else:
        qs = qs.none()
    return with_state(qs).select_related("customer").order_by("-issued_at", "-pk")


def with_state(qs):
    """Annotate ``state`` ("issued", "amended" or "withdrawn") as ``effective_status`` computes it,
    with one subquery instead of a query per row."""
    replaced = Exists(Certificate.objects.filter(replaces=OuterRef("pk")))
    return qs.annotate(state=Case(
        When(status=CertificateStatus.WITHDRAWN, then=Value("withdrawn")),
        When(replaced, then=Value("amended")),
        default=Value("issued"),
        output_field=CharField(),
    ))


def filter_certificates(qs, *, status: str | None = None, customer: int | None = None,
                        issued_from: dt.date | None = None, issued_to: dt.date | None = None,
                        q: str | None = None):
    """The same filters for the page and the API: state, customer, issue date range, number/item search."""
    if status:
        qs = qs.filter(state=status)
    if customer:
        qs = qs.filter(customer_id=customer)
    if issued_from:
        qs = qs.filter(issued_at__date__gte=issued_from)
    if issued_to:
        qs = qs.filter(issued_at__date__lte=issued_to)
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(document__item__name__icontains=q)
                       | Q(document__item__model__icontains=q) | Q(document__item__identification__icontains=q)
                       | Q(document__item__serial_no__icontains=q))
    return qs


def get_visible(user, number: str) -> Certificate:
    """The certificate ``number`` if ``user`` may see it; Certificate.DoesNotExist otherwise."""
    return visible_certificates(user).select_related("replaces").get(number=number)


def amendment_chain(cert: Certificate, user) -> list[Certificate]:
    """The certificates of ``cert``'s amendment chain that ``user`` may see, oldest first
    (each one carries the reason it replaced the one before)."""
    visible = visible_certificates(user).select_related("replaces")
    chain = [cert]
    seen = {cert.pk}
    current = cert
    while current.replaces_id and current.replaces_id not in seen:
        current = visible.filter(pk=current.replaces_id).first()
        if current is None:
            break
        chain.insert(0, current)
        seen.add(current.pk)
    current = cert
    while True:
        nxt = visible.filter(replaces_id=current.pk).exclude(pk__in=seen).order_by("issued_at", "pk").first()
        if nxt is None:
            break
        chain.append(nxt)
        seen.add(nxt.pk)
        current = nxt
    return chain
