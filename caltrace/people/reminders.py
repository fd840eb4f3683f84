"""What falls due in the people app: qualifications and authorizations expiring (人员资格、授权到期).

Each item goes to the person (when they have a login) and to every lab manager. A record already
followed by a newer one of the same kind that lasts longer is not due: the renewal took its place
(for authorizations the newer one must also cover the same scope items, methods and fields).
Only staff still employed on the day are reminded about.
"""

from __future__ import annotations

import datetime as dt
import functools

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from caltrace.core import roles
from caltrace.core.reminders import DueItem

from .models import Authorization, Qualification
from .selectors import employed_on_q


KIND_EN = {"rm1": "level-1 registered metrologist certificate", "rm2": "level-2 registered metrologist certificate",
           "senior_title": "senior technical title", "verifier": "verifier certificate", "other": "qualification",
           "calibrator": "calibrator", "reviewer": "reviewer", "signatory": "authorized signatory",
           "method_developer": "method developer", "method_validator": "method validator",
           "technical_director": "technical director", "supervisor": "supervisor"}


def _lab_managers() -> tuple[int, ...]:
    return tuple(get_user_model().objects.filter(groups__name=roles.LAB_MANAGER, is_active=True)
                 .order_by("pk").values_list("pk", flat=True))


def _responsible(person, managers) -> tuple[int, ...]:
    return tuple(dict.fromkeys(((person.user_id,) if person.user_id else ()) + managers()))


def _outlasts(newer_until, until) -> bool:
    return newer_until is None or newer_until > until


def _qualification_items(until: dt.date, today: dt.date, managers) -> list[DueItem]:
    ending = (Qualification.objects.filter(valid_until__isnull=False, valid_until__lte=until)
              .filter(person__in=_employed(today)).select_related("person").order_by("valid_until", "pk"))
    ending = list(ending)
    others: dict[tuple, list] = {}
    for q in Qualification.objects.filter(person__in={q.person_id for q in ending}):
        others.setdefault((q.person_id, q.kind), []).append(q)
    items = []
    for q in ending:
        if any(o.pk != q.pk and _outlasts(o.valid_until, q.valid_until) for o in others[(q.person_id, q.kind)]):
            continue
        kind_zh, kind_en = q.get_kind_display(), KIND_EN.get(q.kind, q.kind)
        number = f" {q.number}" if q.number else ""
        items.append(DueItem(
            kind="qualification",
            label_zh=f"{q.person.name} 的{kind_zh}{number} 有效期至 {q.valid_until.isoformat()}",
            label_en=f"{q.person.name}'s {kind_en}{number} valid until {q.valid_until.isoformat()}",
            due_on=q.valid_until,
            url=reverse("people:person_detail", args=[q.person_id]),
            responsible=_responsible(q.person, managers),
        ))
    return items


def _covers(newer: Authorization, old: Authorization) -> bool:
    return ({s.pk for s in old.scope_items.all()} <= {s.pk for s in newer.scope_items.all()}
            and {m.pk for m in old.methods.all()} <= {m.pk for m in newer.methods.all()}
            and set(old.metrology_fields) <= set(newer.metrology_fields))


def _authorization_items(until: dt.date, today: dt.date, managers) -> list[DueItem]:
    live = Q(revoked_on__isnull=True) | Q(revoked_on__gt=today)
    ending = list(Authorization.objects.filter(live, valid_until__isnull=False, valid_until__lte=until)
                  .filter(person__in=_employed(today)).select_related("person")
                  .prefetch_related("scope_items", "methods").order_by("valid_until", "pk"))
    others: dict[tuple, list] = {}
    for a in (Authorization.objects.filter(live, person__in={a.person_id for a in ending})
              .prefetch_related("scope_items", "methods")):
        others.setdefault((a.person_id, a.kind), []).append(a)
    items = []
    for a in ending:
        if any(o.pk != a.pk and _outlasts(o.valid_until, a.valid_until) and _covers(o, a)
               for o in others[(a.person_id, a.kind)]):
            continue
        items.append(DueItem(
            kind="authorization",
            label_zh=f"{a.person.name} 的{a.get_kind_display()}授权有效期至 {a.valid_until.isoformat()}",
            label_en=f"{a.person.name}'s {KIND_EN.get(a.kind, a.kind)} authorization valid until "
                     f"{a.valid_until.isoformat()}",
            due_on=a.valid_until,
            url=reverse("people:person_detail", args=[a.person_id]),
            responsible=_responsible(a.person, managers),
        ))
    return items


def _employed(today: dt.date):
    from .models import Person

    return Person.objects.filter(employed_on_q(today)).values("pk")


def due(until: dt.date) -> list[DueItem]:
    """Qualifications and authorizations of employed staff ending on or before ``until``."""
    today = timezone.localdate()
    managers = functools.cache(_lab_managers)  # read once, and only when something is due
    return _qualification_items(until, today, managers) + _authorization_items(until, today, managers)
