"""Reads of the methods app: who may see and write the registry, a version's status and warnings
on a day, the validations that permit a use, and the timeline of a method's editions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Prefetch, Q
from django.utils.translation import gettext_lazy as _

from caltrace.core import roles

from .choices import ValidationConclusion, VersionStatus
from .models import EnvironmentLimit, Method, MethodValidation, MethodVersion, RecordField

DEFAULT_WARNING_DAYS = 90
WITHDRAWAL_SOON = "withdrawal_soon"  # a badge, not a status: current, with its end inside the warning period

WRITER_ROLES = (roles.TECHNICAL_DIRECTOR,)


# --- access -------------------------------------------------------------------------------------


def can_read(user) -> bool:
    """Staff read the registry; customers and anonymous users do not (they get 404)."""
    return roles.is_staff_member(user)


def can_write(user) -> bool:
    """The technical director (技术负责人) keeps the registry; a superuser may too."""
    if not (user and user.is_authenticated):
        return False
    return user.is_superuser or bool(roles.roles_of(user) & set(WRITER_ROLES))


# --- status on a day ----------------------------------------------------------------------------


def warning_days() -> int:
    """How many days ahead a known withdrawal shows as a warning (lab policy; default 90)."""
    return int(getattr(settings, "CALTRACE", {}).get("METHOD_WITHDRAWAL_WARNING_DAYS", DEFAULT_WARNING_DAYS))


def _ended_q(on: dt.date) -> Q:
    """Versions that have ended by ``on``: withdrawn, or superseded with no withdrawal date of their own."""
    return (Q(withdrawn_on__isnull=False, withdrawn_on__lte=on)
            | Q(withdrawn_on__isnull=True, superseded_by__isnull=False, superseded_by__effective_on__lte=on))


def _ends_between_q(start: dt.date, end: dt.date) -> Q:
    """Versions whose last day of use falls after ``start`` and whose end is on or before ``end``."""
    return (Q(withdrawn_on__isnull=False, withdrawn_on__gt=start, withdrawn_on__lte=end)
            | Q(withdrawn_on__isnull=True, superseded_by__isnull=False, superseded_by__effective_on__gt=start,
                superseded_by__effective_on__lte=end))


def version_status_q(status: str, on: dt.date) -> Q:
    """A filter for versions with ``status`` (a VersionStatus, or "withdrawal_soon") on ``on``;
    the same answer as ``MethodVersion.status_on`` and :func:`badge_for`, in the database."""
    if status == VersionStatus.NOT_YET_EFFECTIVE:
        return Q(effective_on__gt=on)
    started = Q(effective_on__lte=on)
    if status == VersionStatus.CURRENT:
        return started & ~_ended_q(on)
    if status == VersionStatus.SUPERSEDED:
        return started & _ended_q(on) & Q(superseded_by__isnull=False)
    if status == VersionStatus.WITHDRAWN:
        return started & _ended_q(on) & Q(superseded_by__isnull=True)
    if status == WITHDRAWAL_SOON:
        return started & _ends_between_q(on, on + dt.timedelta(days=warning_days()))
    raise ValueError(f"unknown version status {status!r}")


STATUS_FILTERS = [(s.value, s.label) for s in VersionStatus] + [(WITHDRAWAL_SOON, _("即将废止"))]

BADGE_CLASSES = {
    VersionStatus.CURRENT: "badge-ok",
    VersionStatus.NOT_YET_EFFECTIVE: "state-acknowledged",
    VersionStatus.SUPERSEDED: "state-dismissed",
    VersionStatus.WITHDRAWN: "badge-danger",
    WITHDRAWAL_SOON: "state-open",
}


@dataclass(frozen=True)
class Badge:
    code: str
    label: str
    css: str


def badge_for(version: MethodVersion, on: dt.date) -> Badge:
    """The status badge of a version on a day: current, withdrawal soon, superseded, withdrawn…"""
    status = version.status_on(on)
    if status == VersionStatus.CURRENT and withdrawal_ahead(version, on) is not None:
        return Badge(WITHDRAWAL_SOON, str(_("即将废止")), BADGE_CLASSES[WITHDRAWAL_SOON])
    return Badge(status, str(VersionStatus(status).label), BADGE_CLASSES[status])


def withdrawal_ahead(version: MethodVersion, on: dt.date) -> dt.date | None:
    """The version's last-day-plus-one when it falls within the warning period after ``on``."""
    end = version.ends_on
    if end is not None and on < end <= on + dt.timedelta(days=warning_days()):
        return end
    return None


@dataclass(frozen=True)
class MethodWarning:
    """A warning about a version that may still be used (VAL-1, DIG-5 预警): it is not a refusal."""

    code: str  # "withdrawal_soon" or "newer_edition"
    zh: str
    en: str
    due_on: dt.date | None = None

    def message(self) -> str:
        from django.utils import translation

        return self.en if (translation.get_language() or "zh-hans").startswith("en") else self.zh


def loaded_siblings(version: MethodVersion) -> list[MethodVersion] | None:
    """The method's editions when they are loaded already (a prefetch from the method), else None."""
    cache = getattr(version.method, "_prefetched_objects_cache", {})
    return list(cache["versions"]) if "versions" in cache else None


def warnings_for(version: MethodVersion, on: dt.date, *, siblings=None) -> list[MethodWarning]:
    """What a page or a job should warn about when ``version`` is used on ``on``: a withdrawal
    inside the warning period, or a newer edition of the method already in force without a
    recorded supersession. A version that may not be used at all is the rules' business.
    ``siblings``: the method's editions when the caller has them (saves a query)."""
    if not version.is_current_on(on):
        return []
    found = []
    end = withdrawal_ahead(version, on)
    if end is not None:
        days = (end - on).days
        successor = version.superseded_by
        if successor is not None:
            zh = f"{version.designation} 将于 {end.isoformat()} 废止（{days} 天后），由 {successor.designation} 代替"
            en = (f"{version.designation} is withdrawn on {end.isoformat()} (in {days} days), "
                  f"superseded by {successor.designation}")
        else:
            zh = f"{version.designation} 将于 {end.isoformat()} 废止（{days} 天后）"
            en = f"{version.designation} is withdrawn on {end.isoformat()} (in {days} days)"
        found.append(MethodWarning(WITHDRAWAL_SOON, zh, en, end))
    if siblings is None:
        siblings = MethodVersion.objects.filter(method_id=version.method_id).select_related("method")
    newer = max((v for v in siblings if version.effective_on < v.effective_on <= on
                 and v.pk not in (version.pk, version.superseded_by_id)),
                key=lambda v: v.effective_on, default=None)
    if newer is not None:
        found.append(MethodWarning(
            "newer_edition",
            f"{newer.designation} 已于 {newer.effective_on.isoformat()} 实施，请确认 {version.designation} 仍然有效",
            f"{newer.designation} is in force since {newer.effective_on.isoformat()}; "
            f"confirm that {version.designation} is still valid",
            newer.effective_on))
    return found


def current_successor(version: MethodVersion, on: dt.date) -> MethodVersion | None:
    """The edition that replaces ``version`` and is current on ``on``, following the chain of
    supersessions (JJF 1059-1999 → JJF 1059.1-2012 → …); None when there is none."""
    seen = {version.pk}
    nxt = version.superseded_by
    while nxt is not None and nxt.pk not in seen:
        if nxt.is_current_on(on):
            return nxt
        seen.add(nxt.pk)
        nxt = nxt.superseded_by
    return None


def current_version(method: Method, on: dt.date) -> MethodVersion | None:
    """The method's edition in force on ``on`` (the latest one when a transition period overlaps)."""
    qs = method.versions.filter(version_status_q(VersionStatus.CURRENT, on))
    return qs.select_related("method", "superseded_by__method").order_by("-effective_on").first()


# --- validations --------------------------------------------------------------------------------


def valid_validations(version: MethodVersion, use: str, on: dt.date):
    """Approved validations of ``version`` for ``use`` that conclude fit for purpose by ``on`` (MTH-2)."""
    return MethodValidation.objects.filter(version=version, use=use, conclusion=ValidationConclusion.FIT,
                                           approved_on__isnull=False,
                                           approved_on__lte=on)


def qualifies_as_method_validator(person, on: dt.date) -> bool:
    """Whether ``person`` may develop or validate a non-standard method on ``on`` (PER-4): a level-1
    registered metrologist certificate or a senior technical title, valid that day. The people
    app owns the question; this is where the methods rules ask it."""
    from caltrace.people.selectors import qualifies_as_method_validator as people_check

    return bool(people_check(person, on))


# --- lists and pages ----------------------------------------------------------------------------


def methods_for_list():
    """Methods with their editions loaded in one more query (for lists)."""
    versions = MethodVersion.objects.select_related("method", "superseded_by__method").order_by("-effective_on")
    return Method.objects.prefetch_related(Prefetch("versions", queryset=versions))


def filter_methods(qs, *, q: str = "", kind: str = "", status: str = "", on: dt.date | None = None):
    """Search by code or title; filter by kind and by the status of an edition on a day."""
    if q:
        q = q.strip()
        qs = qs.filter(Q(code__icontains=q) | Q(title__icontains=q) | Q(title_en__icontains=q)
                       | Q(versions__edition__icontains=q)).distinct()
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        ids = MethodVersion.objects.filter(version_status_q(status, on)).values("method_id")
        qs = qs.filter(pk__in=ids)
    return qs


def versions_for_detail(*, with_method: bool = True):
    """Versions with everything a detail page or API answer shows, in a fixed number of queries.
    Without ``with_method`` for a prefetch from the method, which then shares the method instance."""
    validations = MethodValidation.objects.select_related("validated_by", "approved_by").order_by("-validated_on",
                                                                                                  "-id")
    related = ("method",) if with_method else ()
    return MethodVersion.objects.select_related(*related, "superseded_by__method", "developed_by").prefetch_related(
        Prefetch("limits", queryset=EnvironmentLimit.objects.order_by("condition", "name")),
        Prefetch("record_fields", queryset=RecordField.objects.order_by("position", "id")),
        Prefetch("validations", queryset=validations),
        Prefetch("supersedes", queryset=MethodVersion.objects.select_related("method")),
    )


@dataclass(frozen=True)
class TimelineBar:
    version: MethodVersion
    badge: Badge
    x: float  # percent of the chart width
    width: float
    start: dt.date
    end: dt.date | None


@dataclass(frozen=True)
class Timeline:
    bars: list[TimelineBar]
    start: dt.date
    end: dt.date
    today_x: float
    ticks: list[tuple[float, int]]  # (x percent, year)


def timeline(versions, on: dt.date) -> Timeline | None:
    """Editions as bars on one time axis, from the first effective date to a little after today
    (or the last known end), for the method page's small timeline."""
    versions = sorted(versions, key=lambda v: v.effective_on)
    if not versions:
        return None
    start = versions[0].effective_on
    ends = [v.ends_on for v in versions if v.ends_on is not None]
    end = max([on + dt.timedelta(days=365)] + [e + dt.timedelta(days=180) for e in ends]
              + [v.effective_on + dt.timedelta(days=365) for v in versions])
    span = max((end - start).days, 1)

    def x(day: dt.date) -> float:
        return round(100 * (day - start).days / span, 2)

    bars = []
    for v in versions:
        stop = v.ends_on or end
        bars.append(TimelineBar(v, badge_for(v, on), x(v.effective_on), max(round(x(stop) - x(v.effective_on), 2), 0.5),
                                v.effective_on, v.ends_on))
    years = range(start.year + 1, end.year + 1)
    step = max(1, len(years) // 8)
    ticks = [(x(dt.date(y, 1, 1)), y) for y in years[::step]]
    return Timeline(bars, start, end, x(min(max(on, start), end)), ticks)
