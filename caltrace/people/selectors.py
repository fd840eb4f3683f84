"""Reads of the people app that are more than a filter: what a person holds on a day, what they
may do, how the staff cover the roles (PER-1), and the querysets the lists use."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import DateField, Max, OuterRef, Prefetch, Q, Subquery, Value

from .choices import (
    LEVEL_1_OR_SENIOR,
    QualificationKind,
    AuthorizationKind,
    StaffCategory,
    TrainingKind,
    Validity,
)
from .models import Authorization, Person, Qualification, TrainingAttendance, add_months, due_soon_days

AK = AuthorizationKind
DEFAULT_INTEGRITY_TRAINING_MONTHS = 12


# --- qualifications -----------------------------------------------------------------------------


def valid_qualifications(person: Person, on: dt.date) -> list[Qualification]:
    """The person's qualifications in date on a day (uses prefetched ones when there are)."""
    cache = getattr(person, "_prefetched_objects_cache", {})
    if "qualifications" in cache:
        return [q for q in cache["qualifications"] if q.is_valid_on(on)]
    return list(person.qualifications.valid_on(on))


def holding(person: Person, kinds, on: dt.date) -> list[Qualification]:
    """The person's qualifications of the given kinds valid on a day, best first."""
    order = ["rm1", "senior_title", "rm2", "verifier", "other"]
    found = [q for q in valid_qualifications(person, on) if q.kind in kinds]
    return sorted(found, key=lambda q: (order.index(q.kind) if q.kind in order else 99, q.valid_until or dt.date.max))


def verifier_counts_as_level_2(person: Person) -> bool:
    """PER-7: a verifier certificate (计量检定员证) counts as a level-2 registered metrologist
    certificate only for calibrators of a PLA or defence-industry agency."""
    from caltrace.org.models import Agency

    if person.site_id is not None:
        return Agency.objects.filter(sites=person.site_id, defence_agency=True).exists()
    return Agency.objects.filter(defence_agency=True).exists()


def level_2_equivalents(person: Person, kinds) -> frozenset:
    """``kinds`` plus the verifier certificate where PER-7 lets it count as level-2."""
    if verifier_counts_as_level_2(person):
        return frozenset(kinds) | {QualificationKind.VERIFIER_CERTIFICATE}
    return frozenset(kinds)


def qualifies_as_method_validator(person: Person, on: dt.date) -> bool:
    """PER-4: whoever develops or validates a non-standard method holds, on that day, a valid level-1
    registered metrologist certificate or a senior technical title. Qualification only: whether the
    person also holds a method developer or validator authorization is :func:`authorized_as`."""
    return bool(holding(person, LEVEL_1_OR_SENIOR, on))


# --- authorizations -----------------------------------------------------------------------------


def authorizations_in_force(person: Person, on: dt.date, kind: str | None = None) -> list[Authorization]:
    qs = person.authorizations.in_force_on(on).prefetch_related("scope_items", "methods")
    if kind is not None:
        qs = qs.filter(kind=kind)
    return list(qs)


def authorized_as(person: Person, kind: str, on: dt.date) -> bool:
    return person.authorizations.in_force_on(on).filter(kind=kind).exists()


def signatory_fields(person: Person, on: dt.date) -> set[str]:
    """The fields of measurement a signatory may sign for on a day (all in-force authorizations)."""
    fields: set[str] = set()
    for auth in person.authorizations.in_force_on(on).filter(kind=AK.SIGNATORY):
        fields.update(auth.metrology_fields)
    return fields


# --- integrity training (HR-3) ------------------------------------------------------------------


def integrity_training_months() -> int:
    """The set period of HR-3 in months: ``CALTRACE["INTEGRITY_TRAINING_MONTHS"]``, default 12."""
    months = settings.CALTRACE.get("INTEGRITY_TRAINING_MONTHS", DEFAULT_INTEGRITY_TRAINING_MONTHS)
    try:
        months = int(months)
    except (TypeError, ValueError):
        months = DEFAULT_INTEGRITY_TRAINING_MONTHS
    return months if months > 0 else DEFAULT_INTEGRITY_TRAINING_MONTHS


def last_integrity_training(person: Person, on: dt.date) -> dt.date | None:
    """The day of the person's last passed integrity training on or before ``on``."""
    if getattr(person, "status_on", None) == on:  # annotated by people_with_status(on)
        return person.last_integrity_training_on
    return (TrainingAttendance.objects
            .filter(person=person, passed=True, training__kind=TrainingKind.INTEGRITY, training__held_on__lte=on)
            .aggregate(last=Max("training__held_on"))["last"])


@dataclass(frozen=True)
class IntegrityTraining:
    last: dt.date | None
    due_on: dt.date | None  # the last day the last training still counts; None when there is none
    overdue: bool


def integrity_training_status(person: Person, on: dt.date) -> IntegrityTraining:
    """HR-3: overdue when there is no integrity training, or the last is older than the set period
    (a training exactly ``months`` before ``on`` still counts)."""
    last = last_integrity_training(person, on)
    if last is None:
        return IntegrityTraining(None, None, True)
    due = add_months(last, integrity_training_months())
    return IntegrityTraining(last, due, on > due)


# --- lists --------------------------------------------------------------------------------------


def people_with_status(on: dt.date):
    """Persons for lists: site and user joined, valid qualifications and in-force authorizations
    prefetched, the last integrity training annotated. A fixed number of queries for any page."""
    last_integrity = (TrainingAttendance.objects
                      .filter(person=OuterRef("pk"), passed=True, training__kind=TrainingKind.INTEGRITY,
                              training__held_on__lte=on)
                      .order_by("-training__held_on").values("training__held_on")[:1])
    return (Person.objects.select_related("site", "user")
            .annotate(last_integrity_training_on=Subquery(last_integrity), status_on=Value(on, DateField()))
            .prefetch_related(
                Prefetch("qualifications", queryset=Qualification.objects.order_by("kind", "-valid_from")),
                Prefetch("authorizations", queryset=Authorization.objects.in_force_on(on).order_by("kind"),
                         to_attr="authorizations_now")))


def employed_on_q(on: dt.date) -> Q:
    return Q(hire_date__lte=on) & (Q(left_on__isnull=True) | Q(left_on__gte=on))


# --- PER-1: roles covered -----------------------------------------------------------------------


@dataclass
class RoleCoverage:
    code: str
    label: str
    people: list = field(default_factory=list)

    @property
    def covered(self) -> bool:
        return bool(self.people)


def role_coverage(on: dt.date) -> list[RoleCoverage]:
    """PER-1: who covers management, technical, supervision and calibration roles on a day.

    Management: staff in the management category. Technical: staff in the technical category or
    the technical director. Supervision: in-force supervisor authorizations (监督员). Calibration:
    in-force calibrator authorizations. Only staff employed on the day count.
    """
    from django.utils.translation import gettext as _

    staff = list(Person.objects.filter(employed_on_q(on)).order_by("staff_no"))
    auth_kinds: dict[int, set[str]] = {}
    for person_id, kind in (Authorization.objects.in_force_on(on).filter(person__in=[p.pk for p in staff])
                            .values_list("person_id", "kind")):
        auth_kinds.setdefault(person_id, set()).add(kind)
    rows = [RoleCoverage("management", _("管理人员")), RoleCoverage("technical", _("技术人员")),
            RoleCoverage("supervision", _("监督人员")), RoleCoverage("calibration", _("校准人员"))]
    by_code = {r.code: r for r in rows}
    for p in staff:
        kinds = auth_kinds.get(p.pk, set())
        if p.category == StaffCategory.MANAGEMENT:
            by_code["management"].people.append(p)
        if p.category == StaffCategory.TECHNICAL or AK.TECHNICAL_DIRECTOR in kinds:
            by_code["technical"].people.append(p)
        if AK.SUPERVISOR in kinds:
            by_code["supervision"].people.append(p)
        if AK.CALIBRATOR in kinds:
            by_code["calibration"].people.append(p)
    return rows


# --- validity filters for lists -----------------------------------------------------------------


def filter_validity(qs, status: str, on: dt.date, *, revocable: bool = False):
    """Rows of a qualification or authorization queryset in a :class:`Validity` on a day."""
    soon = on + dt.timedelta(days=due_soon_days())
    live = Q(revoked_on__isnull=True) | Q(revoked_on__gt=on) if revocable else Q()
    if status == Validity.REVOKED:
        return qs.filter(revoked_on__lte=on) if revocable else qs.none()
    if status == Validity.NOT_YET:
        return qs.filter(live, valid_from__gt=on)
    if status == Validity.LAPSED:
        return qs.filter(live, valid_until__lt=on)
    started = Q(valid_from__lte=on)
    if status == Validity.EXPIRING:
        return qs.filter(live, started, valid_until__gte=on, valid_until__lte=soon)
    if status == Validity.VALID:
        return qs.filter(live, started, Q(valid_until__isnull=True) | Q(valid_until__gt=soon))
    if status == "in_force":
        return qs.filter(live, started, Q(valid_until__isnull=True) | Q(valid_until__gte=on))
    return qs


# --- what a person may do on a day --------------------------------------------------------------

PEOPLE_RULE_IDS = frozenset({"PER-2", "PER-3", "PER-4", "PER-5", "CND-6", "HR-3"})


@dataclass
class Permission:
    """One thing an in-force authorization lets a person do, and what the rules say about it today."""

    authorization: Authorization
    subject: str
    violations: list
    employed: bool = True  # nobody acts on an authorization on a day they are not on the staff

    @property
    def gates(self) -> list:
        return [v for v in self.violations if v.kind == "GATE"]

    @property
    def flags(self) -> list:
        return [v for v in self.violations if v.kind == "FLAG"]

    @property
    def allowed(self) -> bool:
        return self.employed and not self.gates


def _current_version(method, on: dt.date):
    versions = [v for v in method.versions.all() if v.effective_on <= on]
    current = [v for v in versions if v.is_current_on(on)]
    return (current or sorted(versions, key=lambda v: v.effective_on, reverse=True) or [None])[0]


def permissions_on(person: Person, on: dt.date) -> list[Permission]:
    """What each of the person's in-force authorizations lets them do on ``on``, as the rules judge it.

    A calibrator authorization is asked of every rule (``can_perform``) for each scope item and
    method it names, at the person's own site, with the method's current version; reviewer and
    signatory authorizations are judged by the rules on people for each field; the others by the
    grant rules for that day.
    """
    from caltrace.integrity import registry
    from caltrace.integrity.work import JOB_ASSIGN, Work, can_perform
    from caltrace.org.choices import MetrologyField

    from .rules import GRANT

    field_labels = dict(MetrologyField.choices)
    auths = (person.authorizations.in_force_on(on)
             .prefetch_related("scope_items__certificate", "scope_items__methods", "scope_items__sites",
                               "methods__versions__superseded_by", "methods__versions__method")
             .order_by("kind", "valid_from"))
    rows: list[Permission] = []
    for auth in auths:
        if auth.kind == AK.CALIBRATOR:
            methods = {m.pk: m for m in auth.methods.all()}
            for item in auth.scope_items.all():
                for method in [methods[m.pk] for m in item.methods.all() if m.pk in methods]:
                    version = _current_version(method, on)
                    found = can_perform(person, item, version, at=on, role="calibrator", site=person.site)
                    rows.append(Permission(auth, f"{item} · {version or method.code}", found))
        elif auth.kind in (AK.REVIEWER, AK.SIGNATORY):
            role = "reviewer" if auth.kind == AK.REVIEWER else "signatory"
            for code in auth.metrology_fields:
                work = Work(at=on, extra={"field": code}, **{role: person})
                found = [v for v in registry.check(JOB_ASSIGN, work) if v.rule_id in PEOPLE_RULE_IDS]
                rows.append(Permission(auth, str(field_labels.get(code, code)), found))
        else:
            rows.append(Permission(auth, auth.get_kind_display(), registry.check(GRANT, auth, on=on)))
    employed = person.employed_on(on)
    for row in rows:
        row.employed = employed
    return rows
