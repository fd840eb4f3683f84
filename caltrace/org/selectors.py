"""Reads of the org app beyond a filter: what is valid on a day, and the public scope declaration."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from caltrace.core import roles

from .choices import MetrologyField
from .models import Agency, QualificationCertificate, Room, ScopeItem, Site


def certificate_valid_q(on: dt.date, prefix: str = "") -> Q:
    """Certificates in force on ``on``: inside their validity and not suspended or revoked by then."""
    return (Q(**{f"{prefix}valid_from__lte": on, f"{prefix}valid_until__gte": on})
            & (Q(**{f"{prefix}revoked_on__isnull": True}) | Q(**{f"{prefix}revoked_on__gt": on})))


def scope_item_valid_q(on: dt.date) -> Q:
    """Scope items valid on ``on``: their certificate is in force and they are not withdrawn."""
    return certificate_valid_q(on, "certificate__") & (Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=on))


def certificates() -> QuerySet[QualificationCertificate]:
    return QualificationCertificate.objects.select_related("agency", "replaces").annotate(
        item_count=Count("scope_items", distinct=True))


def certificates_valid_on(on: dt.date) -> QuerySet[QualificationCertificate]:
    return QualificationCertificate.objects.filter(certificate_valid_q(on)).select_related("agency")


def scope_items() -> QuerySet[ScopeItem]:
    """Scope items with what a list shows loaded in bulk: certificate, agency, methods and sites."""
    from caltrace.methods.models import Method

    return (ScopeItem.objects.select_related("certificate", "certificate__agency")
            .prefetch_related(Prefetch("methods", queryset=Method.objects.order_by("code")),
                              Prefetch("sites", queryset=Site.objects.order_by("-is_main", "name")))
            .order_by("field", "certificate__number", "code"))


def valid_scope_items(on: dt.date) -> QuerySet[ScopeItem]:
    """Every scope item valid on ``on`` (the accredited scope as it stands that day)."""
    return scope_items().filter(scope_item_valid_q(on))


def search_scope_items(qs: QuerySet[ScopeItem], text: str) -> QuerySet[ScopeItem]:
    """Items whose code, quantity, item type, certificate number or method code contains ``text``."""
    text = text.strip()
    if not text:
        return qs
    through = ScopeItem.methods.through
    by_method = Exists(through.objects.filter(scopeitem_id=OuterRef("pk"), method__code__icontains=text))
    return qs.filter(Q(code__icontains=text) | Q(quantity__icontains=text) | Q(quantity_en__icontains=text)
                     | Q(item_type__icontains=text) | Q(item_type_en__icontains=text)
                     | Q(certificate__number__icontains=text) | by_method)


def filter_scope_items(qs: QuerySet[ScopeItem], *, field: str | None = None, certificate: int | None = None,
                       valid_on: dt.date | None = None, site: int | None = None, method: int | None = None,
                       q: str | None = None) -> QuerySet[ScopeItem]:
    """The filters of the scope item list, page and API alike."""
    if field:
        qs = qs.filter(field=field)
    if certificate:
        qs = qs.filter(certificate_id=certificate)
    if valid_on:
        qs = qs.filter(scope_item_valid_q(valid_on))
    if site:
        qs = qs.filter(Exists(ScopeItem.sites.through.objects.filter(scopeitem_id=OuterRef("pk"), site_id=site)))
    if method:
        qs = qs.filter(Exists(ScopeItem.methods.through.objects.filter(scopeitem_id=OuterRef("pk"),
                                                                       method_id=method)))
    if q:
        qs = search_scope_items(qs, q)
    return qs


def sites() -> QuerySet[Site]:
    return Site.objects.select_related("agency").annotate(room_count=Count("rooms", distinct=True))


def rooms() -> QuerySet[Room]:
    return Room.objects.select_related("site", "site__agency")


def the_agency() -> Agency | None:
    """The agency this installation runs (the first registered, when there are several)."""
    return Agency.objects.order_by("pk").first()


# --- the public declaration of the scope (QUAL-2) ----------------------------------------------


@dataclass
class FieldScope:
    field: str
    label: str
    items: list[ScopeItem]


@dataclass
class AgencyScope:
    agency: Agency
    certificates: list[QualificationCertificate]
    fields: list[FieldScope] = field(default_factory=list)

    @property
    def item_count(self) -> int:
        return sum(len(f.items) for f in self.fields)


def public_scope(on: dt.date) -> list[AgencyScope]:
    """What the agency declares publicly on ``on``: each agency with its certificates in force and
    exactly the valid scope items, grouped by field (专业领域) in the order of the field list."""
    order = {value: n for n, value in enumerate(MetrologyField.values)}
    labels = dict(MetrologyField.choices)
    certs = list(certificates_valid_on(on).order_by("agency_id", "kind", "number"))
    items = list(valid_scope_items(on))
    out: dict[int, AgencyScope] = {}
    for agency in Agency.objects.filter(pk__in={c.agency_id for c in certs}).order_by("pk"):
        out[agency.pk] = AgencyScope(agency=agency, certificates=[c for c in certs if c.agency_id == agency.pk])
    by_field: dict[tuple[int, str], list[ScopeItem]] = {}
    for item in items:
        by_field.setdefault((item.certificate.agency_id, item.field), []).append(item)
    for (agency_id, fld), group in sorted(by_field.items(), key=lambda kv: (kv[0][0], order.get(kv[0][1], 99))):
        group.sort(key=lambda i: (i.certificate.number, i.code))
        out[agency_id].fields.append(FieldScope(fld, str(labels.get(fld, fld)), group))
    return list(out.values())


def reminder_recipients() -> tuple[int, ...]:
    """Who answers for certificates and premises being in date: the lab manager and the technical director."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(is_active=True,
                                            groups__name__in=(roles.LAB_MANAGER, roles.TECHNICAL_DIRECTOR))
    return tuple(sorted(set(users.values_list("pk", flat=True))))
