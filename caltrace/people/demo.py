"""The people app's part of the demo lab (called by caltrace.demo.seed after the base data and the
org and methods parts).

It gives the demo staff their posts, training (technical, practical, basic, safety, integrity) and
authorizations, so that every status shows: valid, expiring, lapsed (the signatory 郑伟), revoked
(黄磊, moved to equipment management) and not yet in force; and someone whose integrity training is
overdue (黄磊, and 钱国强 who has none). Calibrator authorizations cover the org demo's scope items
found at the calibrator's own site in their fields, on certificates valid today.

Dates are relative to ``today``; an authorization's validity stays inside the qualification it
rests on, so that the demo stays lawful as the base data's certificates age. Idempotent: trainings
are found by topic, authorizations by document number, and a person's post is set only while empty.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Q

from .choices import AuthorizationKind as AK
from .choices import QualificationKind as QK
from .choices import StaffCategory as SC
from .choices import TrainingKind as TK
from .models import Authorization, Person, Training
from .selectors import employed_on_q
from .services import (
    do_grant_authorization,
    do_issue_protective_equipment,
    do_record_training,
    do_update_person,
)

D = dt.timedelta

# staff number: (category, position)
POSTS = {
    "MH-001": (SC.MANAGEMENT, "实验室主任"),
    "MH-002": (SC.TECHNICAL, "技术负责人"),
    "MH-003": (SC.MANAGEMENT, "质量负责人"),
    "MH-004": (SC.TECHNICAL, "授权签字人、电学室主任"),
    "MH-005": (SC.CALIBRATION, "核验员"),
    "MH-006": (SC.CALIBRATION, "校准员（电学、力学）"),
    "MH-007": (SC.SUPPORT, "设备管理员"),
    "MH-008": (SC.SUPPORT, "业务受理"),
    "MH-009": (SC.CALIBRATION, "校准员（温度）"),
    "MH-010": (SC.TECHNICAL, "授权签字人（温度）"),
    "MH-011": (SC.TECHNICAL, "技术顾问"),
}
TECHNICAL_DIRECTOR, QUALITY_MANAGER = "MH-002", "MH-003"
EVERYONE = tuple(POSTS)
OVERDUE_INTEGRITY = ("MH-007", "MH-011")  # 黄磊's last integrity training is 15 months old; 钱国强 has none


def _trainings(today: dt.date) -> list[dict]:
    return [
        {"topic": "JJF 1587、JJF 1638 宣贯与直流电压校准技术培训", "kind": TK.TECHNICAL, "held_on": today - D(days=1100),
         "hours": Decimal("8"), "trainer": TECHNICAL_DIRECTOR, "assessment": "笔试",
         "attendees": ("MH-005", "MH-006", "MH-007")},
        {"topic": "电子天平检定（JJG 1036-2022）技术培训", "kind": TK.TECHNICAL, "held_on": today - D(days=1000),
         "hours": Decimal("6"), "trainer": TECHNICAL_DIRECTOR, "assessment": "笔试",
         "attendees": ("MH-005", "MH-006")},
        {"topic": "工业铂热电阻比较法校准实际操作考核", "kind": TK.PRACTICAL, "held_on": today - D(days=1050),
         "hours": Decimal("4"), "trainer_name": "陆建明", "provider": "江苏省计量科学研究院",
         "trainer_qualification": "江苏省计量科学研究院高级工程师，一级注册计量师", "assessment": "实操考核",
         "attendees": ("MH-009", "MH-010")},
        {"topic": "计量法律法规与量值溯源基础知识", "kind": TK.BASIC, "held_on": today - D(days=640),
         "hours": Decimal("4"), "trainer": QUALITY_MANAGER, "assessment": "笔试",
         "attendees": ("MH-008", "MH-009", "MH-006")},
        {"topic": "实验室用电安全与危险化学品管理", "kind": TK.SAFETY, "held_on": today - D(days=120),
         "hours": Decimal("3"), "trainer_name": "苏州工业园区安全生产培训中心", "provider": "苏州工业园区安全生产培训中心",
         "attendees": tuple(s for s in EVERYONE if s != "MH-011")},
        {"topic": "诚信教育：数据真实性与原始记录管理", "kind": TK.INTEGRITY, "held_on": today - D(days=460),
         "hours": Decimal("2"), "trainer": QUALITY_MANAGER, "attendees": ("MH-007",)},
        {"topic": "年度诚信教育：计量校准活动良好行为规范", "kind": TK.INTEGRITY, "held_on": today - D(days=75),
         "hours": Decimal("2"), "trainer": QUALITY_MANAGER,
         "attendees": tuple(s for s in EVERYONE if s not in OVERDUE_INTEGRITY)},
    ]


def _years(day: dt.date, n: int) -> dt.date:
    try:
        return day.replace(year=day.year + n)
    except ValueError:  # 29 February
        return day.replace(year=day.year + n, day=28)


def _basis(person: Person, kinds, today: dt.date):
    """The qualification an authorization rests on: of those valid today the one lasting longest,
    else the latest."""
    quals = list(person.qualifications.filter(kind__in=kinds).order_by("-valid_from"))
    current = sorted((q for q in quals if q.is_valid_on(today)), key=lambda q: q.valid_until or dt.date.max,
                     reverse=True)
    return (current or quals or [None])[0]


def _window(basis, start: dt.date, end: dt.date | None) -> tuple[dt.date, dt.date | None]:
    """``start``–``end`` kept inside the basis qualification's validity."""
    start = max(start, basis.valid_from)
    if basis.valid_until is not None:
        end = basis.valid_until if end is None else min(end, basis.valid_until)
    if end is not None and end < start:
        return basis.valid_from, basis.valid_until
    return start, end


def _scope(person: Person, fields, today: dt.date):
    from caltrace.org.models import ScopeItem

    if person.site_id is None:
        return [], []
    items = list(ScopeItem.objects.filter(field__in=fields, sites=person.site_id, certificate__valid_from__lte=today,
                                          certificate__valid_until__gte=today)
                 .filter(Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=today))
                 .prefetch_related("methods").order_by("certificate__number", "code").distinct())
    methods = list({m.pk: m for item in items for m in item.methods.all()}.values())
    return items, methods


def _authorizations(today: dt.date) -> list[dict]:
    """Each: staff number, kind, the qualification kinds it rests on, and its window (days from
    today; None = open), with fields or the fields whose scope items it covers."""
    rm = (QK.REGISTERED_METROLOGIST_1, QK.REGISTERED_METROLOGIST_2, QK.VERIFIER_CERTIFICATE)
    senior = (QK.REGISTERED_METROLOGIST_1, QK.SENIOR_TITLE)
    return [
        {"no": "MH-SQ-2401", "staff": "MH-002", "kind": AK.TECHNICAL_DIRECTOR, "basis": senior,
         "start": _years(today, -3), "end": None},
        {"no": "MH-SQ-2402", "staff": "MH-002", "kind": AK.METHOD_DEVELOPER, "basis": senior,
         "start": _years(today, -2), "end": None},
        {"no": "MH-SQ-2403", "staff": "MH-003", "kind": AK.METHOD_VALIDATOR, "basis": senior,
         "start": _years(today, -2), "end": None},
        {"no": "MH-SQ-2404", "staff": "MH-003", "kind": AK.SUPERVISOR, "basis": senior,
         "start": _years(today, -2), "end": _years(today, 1)},
        {"no": "MH-SQ-2405", "staff": "MH-004", "kind": AK.SIGNATORY, "basis": senior,
         "fields": ["electrical", "mechanical", "thermal", "length"], "start": _years(today, -1),
         "end": _years(today, 2)},
        # the lapsed signatory: his authorization ended three weeks ago and was not renewed
        {"no": "MH-SQ-2406", "staff": "MH-010", "kind": AK.SIGNATORY, "basis": rm, "fields": ["thermal"],
         "start": _years(today, -2), "end": today - D(days=21)},
        {"no": "MH-SQ-2407", "staff": "MH-010", "kind": AK.REVIEWER, "basis": rm, "fields": ["thermal"],
         "start": _years(today, -2), "end": _years(today, 1)},
        # expiring within the reminder period
        {"no": "MH-SQ-2408", "staff": "MH-005", "kind": AK.REVIEWER, "basis": rm,
         "fields": ["electrical", "mechanical"], "start": _years(today, -1), "end": today + D(days=20)},
        {"no": "MH-SQ-2409", "staff": "MH-006", "kind": AK.CALIBRATOR, "basis": rm,
         "scope_fields": ["electrical", "mechanical"], "start": _years(today, -1), "end": _years(today, 2)},
        {"no": "MH-SQ-2410", "staff": "MH-009", "kind": AK.CALIBRATOR, "basis": rm, "scope_fields": ["thermal"],
         "start": _years(today, -1), "end": _years(today, 2)},
        # not yet in force: 刘洋 starts reviewing temperature records in ten days
        {"no": "MH-SQ-2411", "staff": "MH-009", "kind": AK.REVIEWER, "basis": rm, "fields": ["thermal"],
         "start": today + D(days=10), "end": _years(today, 2)},
        # revoked when 黄磊 moved to equipment management
        {"no": "MH-SQ-2301", "staff": "MH-007", "kind": AK.CALIBRATOR, "basis": rm, "scope_fields": ["electrical"],
         "start": _years(today, -2), "end": _years(today, 1), "revoked_on": today - D(days=60),
         "revoke_reason": "调任设备管理员，不再从事校准工作"},
    ]


def seed(today: dt.date) -> None:
    """Add this app's demo records (idempotent)."""
    staff = {p.staff_no: p for p in Person.objects.filter(staff_no__in=EVERYONE).prefetch_related("qualifications")}
    for staff_no, (category, position) in POSTS.items():
        person = staff.get(staff_no)
        if person is not None and not person.position:
            staff[staff_no] = do_update_person(person, category=category, position=position)
    _seed_trainings(today, staff)
    for row in _authorizations(today):
        _seed_authorization(row, today, staff)
    _seed_protective_equipment(today, staff)


def _seed_trainings(today: dt.date, staff: dict[str, Person]) -> None:
    employed = set(Person.objects.filter(employed_on_q(today)).values_list("staff_no", flat=True))
    for row in _trainings(today):
        if Training.objects.filter(topic=row["topic"]).exists():
            continue
        attendees = [staff[s] for s in row["attendees"] if s in staff and s in employed]
        trainer = staff.get(row.get("trainer", ""))
        if not attendees or ("trainer" in row and trainer is None):
            continue
        fields = {k: v for k, v in row.items() if k not in ("attendees", "trainer")}
        do_record_training(attendees=attendees, trainer=trainer, **fields)


def _seed_authorization(row: dict, today: dt.date, staff: dict[str, Person]) -> None:
    person = staff.get(row["staff"])
    if person is None or Authorization.objects.filter(document_no=row["no"]).exists():
        return
    basis = _basis(person, row["basis"], today)
    if basis is None:
        return
    start, end = _window(basis, row["start"], row["end"])
    extra = {}
    if "fields" in row:
        extra["metrology_fields"] = row["fields"]
    if "scope_fields" in row:
        items, methods = _scope(person, row["scope_fields"], today)
        if not items or not methods:
            return  # the org demo has no scope item here yet
        extra.update(scope_items=items, methods=methods)
    if "revoked_on" in row:
        revoked_on = max(row["revoked_on"], start + D(days=1))
        extra.update(revoked_on=revoked_on, revoke_reason=row["revoke_reason"])
    do_grant_authorization(person, kind=row["kind"], valid_from=start, valid_until=end, document_no=row["no"],
                           today=today, **extra)


def _seed_protective_equipment(today: dt.date, staff: dict[str, Person]) -> None:
    for staff_no, item, days_ago in (("MH-009", "耐高温防护手套", 100), ("MH-007", "防静电工作服", 200),
                                     ("MH-006", "防静电腕带", 200)):
        person = staff.get(staff_no)
        if person is not None and not person.protective_equipment.filter(item=item).exists():
            do_issue_protective_equipment(person, item=item, issued_on=today - D(days=days_ago), quantity=1)
