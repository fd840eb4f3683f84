"""Reads of the equipment app: the derived status, the facts the rules judge, the life-cycle timeline.

The status of a piece of equipment on a day is computed from its history in one SQL expression
(:func:`with_status`), so a list of any length costs one query and can be filtered by status:

1. retired — the latest service event on or before the day is a retirement;
2. out of service — it is an out-of-service or repair event (a return needs a passed verification);
3. unverified — no passed verification before first use on or before the day (EQP-4);
4. untraced — a kind that needs traceability (or a reference material) has no record (EQP-2, EQP-5);
5. overdue — the latest valid record's due date is before the day (EQP-2, EQP-5);
6. unconfirmed — the latest valid record has no passed metrological confirmation (EQP-3);
7. due soon — the due date is within ``CALTRACE["DUE_SOON_DAYS"]`` days;
8. in service.

The latest valid record is the latest one performed on or before the day that no later record
corrects. A record due on the day itself is still valid that day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Case, CharField, Exists, OuterRef, Q, Subquery, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from caltrace.core import roles

from .choices import (
    RECORDED_KINDS,
    STATUS_BADGES,
    TRACEABLE_KINDS,
    EquipmentStatus,
    ServiceEventKind,
)
from .models import (
    Equipment,
    IntermediateCheck,
    MetrologicalConfirmation,
    ServiceEvent,
    StandardCertificate,
    TraceabilityRecord,
    UsageRecord,
    Verification,
)

USAGE_ON_TIMELINE = 50


def due_soon_days() -> int:
    return int(settings.CALTRACE["DUE_SOON_DAYS"])


def can_read(user) -> bool:
    """Staff read the equipment registry; customers and strangers do not (they get 404)."""
    return roles.is_staff_member(user)


def can_manage(user) -> bool:
    """Only the equipment manager (or a superuser) writes to it."""
    return bool(user and user.is_authenticated and user.is_active
                and (user.is_superuser or roles.EQUIPMENT_MANAGER in roles.roles_of(user)))


def valid_records(on: dt.date):
    """Traceability records that count on ``on``: performed by then and not corrected."""
    return TraceabilityRecord.objects.filter(performed_on__lte=on, correction__isnull=True)


def with_status(qs=None, on: dt.date | None = None):
    """``qs`` (default: all equipment) annotated with its history's facts and ``status`` on ``on``."""
    qs = Equipment.objects.all() if qs is None else qs
    on = on or timezone.localdate()
    soon = on + dt.timedelta(days=due_soon_days())
    latest = valid_records(on).filter(equipment=OuterRef("pk")).order_by("-performed_on", "-id")
    confirmation = (MetrologicalConfirmation.objects.filter(record=OuterRef("trace_pk"), confirmed_on__lte=on)
                    .order_by("-confirmed_on", "-id"))
    service = ServiceEvent.objects.filter(equipment=OuterRef("pk"), on__lte=on).order_by("-on", "-id")
    checks = IntermediateCheck.objects.filter(equipment=OuterRef("pk"), performed_on__lte=on).order_by(
        "-performed_on", "-id")
    qs = qs.annotate(
        trace_pk=Subquery(latest.values("pk")[:1]),
        trace_due=Subquery(latest.values("due_on")[:1]),
        trace_performed=Subquery(latest.values("performed_on")[:1]),
        trace_cert=Subquery(latest.values("certificate_no")[:1]),
        service_kind=Subquery(service.values("kind")[:1]),
        service_since=Subquery(service.values("on")[:1]),
        verified=Exists(Verification.objects.filter(equipment=OuterRef("pk"), passed=True, performed_on__lte=on)),
        last_check=Subquery(checks.values("performed_on")[:1]),
    ).annotate(confirmation_passed=Subquery(confirmation.values("passed")[:1]))
    recorded, traceable = Q(kind__in=RECORDED_KINDS), Q(kind__in=TRACEABLE_KINDS)
    S = EquipmentStatus
    return qs.annotate(status=Case(
        When(service_kind=ServiceEventKind.RETIRED, then=Value(S.RETIRED)),
        When(service_kind__in=[ServiceEventKind.OUT_OF_SERVICE, ServiceEventKind.REPAIR],
             then=Value(S.OUT_OF_SERVICE)),
        When(verified=False, then=Value(S.UNVERIFIED)),
        When(recorded & Q(trace_due__isnull=True), then=Value(S.UNTRACED)),
        When(recorded & Q(trace_due__lt=on), then=Value(S.OVERDUE)),
        When(traceable & (Q(confirmation_passed__isnull=True) | Q(confirmation_passed=False)),
             then=Value(S.UNCONFIRMED)),
        When(recorded & Q(trace_due__lte=soon), then=Value(S.DUE_SOON)),
        default=Value(S.IN_SERVICE),
        output_field=CharField(),
    ))


def status_of(equipment: Equipment, on: dt.date | None = None) -> str:
    return with_status(Equipment.objects.filter(pk=equipment.pk), on).values_list("status", flat=True).get()


def status_rows(equipment, on: dt.date) -> dict[int, Equipment]:
    """The annotated rows of several pieces of equipment on ``on``, by pk (one query)."""
    pks = [e.pk for e in equipment]
    if not pks:
        return {}
    return {e.pk: e for e in with_status(Equipment.objects.filter(pk__in=pks), on)}


def status_label(code: str) -> str:
    return str(EquipmentStatus(code).label) if code in EquipmentStatus.values else code


def status_badge(code: str) -> str:
    return STATUS_BADGES.get(code, "")


def next_check_due(equipment: Equipment) -> dt.date | None:
    """The next intermediate check: the last check (or, before the first one, the latest
    calibration, the commissioning day or the registration) plus the check interval."""
    if not equipment.check_interval_days:
        return None
    base = (getattr(equipment, "last_check", None) or getattr(equipment, "trace_performed", None)
            or equipment.commissioned_on or timezone.localdate(equipment.created_at))
    return base + dt.timedelta(days=equipment.check_interval_days)


@dataclass(frozen=True)
class TimeLeft:
    total_days: int
    left_days: int

    @property
    def percent_left(self) -> int:
        if self.total_days <= 0:
            return 0
        return max(0, min(100, round(100 * self.left_days / self.total_days)))

    @property
    def overdue_days(self) -> int:
        return max(0, -self.left_days)

    @property
    def level(self) -> str:
        if self.left_days < 0:
            return "overdue"
        if self.left_days <= due_soon_days():
            return "soon"
        return "ok"


def time_left(equipment: Equipment, on: dt.date | None = None) -> TimeLeft | None:
    """How much of the traceability interval is left on ``on`` (for the bar on the life-cycle page)."""
    performed, due = getattr(equipment, "trace_performed", None), getattr(equipment, "trace_due", None)
    if not (performed and due):
        return None
    on = on or timezone.localdate()
    return TimeLeft(total_days=(due - performed).days, left_days=(due - on).days)


def records_with_state(qs=None, on: dt.date | None = None):
    """Traceability records annotated with whether a later record corrects them and their latest
    confirmation's conclusion."""
    qs = TraceabilityRecord.objects.all() if qs is None else qs
    on = on or timezone.localdate()
    latest = MetrologicalConfirmation.objects.filter(record=OuterRef("pk")).order_by("-confirmed_on", "-id")
    return qs.annotate(
        is_corrected=Exists(TraceabilityRecord.objects.filter(corrects=OuterRef("pk"))),
        confirmation_passed=Subquery(latest.values("passed")[:1]),
        confirmed_on=Subquery(latest.values("confirmed_on")[:1]),
    ).annotate(is_expired=Case(When(due_on__lt=on, then=Value(True)), default=Value(False)))


def latest_standard_certificate(equipment: Equipment):
    return StandardCertificate.objects.filter(equipment=equipment).order_by("-valid_until", "-id").first()


# ---------------------------------------------------------------------------------------------
# Life-cycle timeline (DIG-2)


@dataclass(frozen=True)
class TimelineEntry:
    on: dt.date
    kind: str  # registration, traceability, confirmation, certificate, check, verification, service, usage
    title: str
    detail: str = ""
    badge: str = ""
    badge_class: str = ""
    url: str = ""
    at: object = None  # a finer sort key inside one day (created or started time)


def _passed_badge(passed: bool) -> tuple[str, str]:
    return (_("合格"), "badge-ok") if passed else (_("不合格"), "badge-danger")


def timeline(equipment: Equipment, *, usage_limit: int = USAGE_ON_TIMELINE) -> tuple[list[TimelineEntry], int]:
    """The equipment's history, newest first, and how many usage entries were left out."""
    from django.urls import reverse

    entries = [TimelineEntry(timezone.localdate(equipment.created_at), "registration", _("登记入册"),
                             f"{equipment.get_kind_display()} · {equipment}", at=equipment.created_at)]
    if equipment.commissioned_on:
        entries.append(TimelineEntry(equipment.commissioned_on, "registration", _("启用"), at=equipment.created_at))
    for r in records_with_state(equipment.traceability_records.select_related("corrects")):
        badge, css = ("", "")
        if r.is_corrected:
            badge, css = _("已被更正"), "state-dismissed"
        detail = _("证书 %(no)s · %(provider)s · 有效期至 %(due)s") % {
            "no": r.certificate_no, "provider": r.provider, "due": r.due_on.isoformat()}
        if r.corrects_id:
            detail += " · " + _("更正 %(no)s：%(reason)s") % {"no": r.corrects.certificate_no,
                                                              "reason": r.correction_reason}
        entries.append(TimelineEntry(r.performed_on, "traceability", r.get_kind_display(), detail, badge, css,
                                     reverse("equipment:record_detail", args=[r.pk]), r.created_at))
    for c in MetrologicalConfirmation.objects.filter(record__equipment=equipment).select_related("record"):
        badge, css = _passed_badge(c.passed)
        entries.append(TimelineEntry(c.confirmed_on, "confirmation", _("计量确认"),
                                     f"{c.record.certificate_no} · {c.requirement}", badge, css,
                                     reverse("equipment:record_detail", args=[c.record_id]), c.created_at))
    for s in equipment.standard_certificates.all():
        entries.append(TimelineEntry(s.issued_on, "certificate", _("计量标准考核证书"),
                                     _("%(no)s · %(name)s · 有效期至 %(until)s") % {
                                         "no": s.number, "name": s.standard_name, "until": s.valid_until.isoformat()},
                                     at=s.created_at))
    for c in equipment.checks.all():
        badge, css = _passed_badge(c.passed)
        entries.append(TimelineEntry(c.performed_on, "check", _("期间核查"), f"{c.method} · {c.result}", badge, css,
                                     at=c.created_at))
    for v in equipment.verifications.all():
        badge, css = _passed_badge(v.passed)
        entries.append(TimelineEntry(v.performed_on, "verification", v.get_purpose_display(),
                                     f"{v.criteria} · {v.result}", badge, css, at=v.created_at))
    for e in equipment.service_events.all():
        detail = e.reason + (f" · {e.provider}" if e.provider else "")
        entries.append(TimelineEntry(e.on, "service", e.get_kind_display(), detail,
                                     at=e.created_at))
    usage = equipment.usage_records.select_related("person").order_by("-started_at", "-id")
    total_usage = usage.count()
    for u in usage[:usage_limit]:
        start = timezone.localtime(u.started_at)
        end = timezone.localtime(u.ended_at)
        who = f" · {u.person.name}" if u.person_id else ""
        entries.append(TimelineEntry(start.date(), "usage", _("使用"),
                                     f"{u.job_ref} · {start:%H:%M}–{end:%H:%M}{who}", at=u.started_at))
    entries.sort(key=lambda e: (e.on, e.at or timezone.now()), reverse=True)
    return entries, max(0, total_usage - usage_limit)
