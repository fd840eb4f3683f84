"""What a piece of calibration work is, for the rules that judge it (DIG-3).

The permission rules of every domain (people, org, methods, equipment) judge a :class:`Work`:
who calibrates, reviews and signs, under which scope item and method version, with which
equipment, where, on which day and at which calibration points. They are registered with the
rule registry and bound to the four moments of work in :data:`WORK_EVENTS`; a job (a later
issue) hands the registry its ``as_work()``. :func:`can_perform` asks all of them at once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from . import registry

JOB_ASSIGN = "job.assign"
JOB_START = "job.start"
RECORD_SIGN_OFF = "record.sign_off"
CERTIFICATE_ISSUE = "certificate.issue"
WORK_EVENTS = (JOB_ASSIGN, JOB_START, RECORD_SIGN_OFF, CERTIFICATE_ISSUE)


@dataclass(frozen=True)
class Point:
    """A calibration point: a value in a unit (pint-readable, e.g. "V", "mV", "g", "degC")."""

    value: Decimal
    unit: str


@dataclass(frozen=True)
class Work:
    """One piece of calibration work as the rules see it."""

    at: dt.date
    scope_item: object | None = None  # org.ScopeItem
    method_version: object | None = None  # methods.MethodVersion
    equipment: tuple = ()  # equipment.Equipment, each used in the work
    calibrator: object | None = None  # people.Person
    reviewer: object | None = None
    signatory: object | None = None
    site: object | None = None  # org.Site where in-lab work happens
    on_site: bool = False  # at the customer's premises (SITE-2 allows it; REC-3 wants evidence)
    points: tuple[Point, ...] = ()
    customer_consent: bool = False  # the customer agreed to a lab-developed method (MTH-2)
    extra: dict = field(default_factory=dict, compare=False)

    # What ObjectRef needs, so a violation may name the work itself.
    class _meta:
        label = "integrity.Work"

    pk = "-"

    def __str__(self):
        return f"work on {self.at.isoformat()}"

    def as_work(self) -> "Work":
        return self


def as_work(obj) -> Work:
    """The Work of an object bound to a work event (a Work, or anything with ``as_work()``)."""
    return obj if isinstance(obj, Work) else obj.as_work()


def can_perform(person, scope_item, method_version, equipment=(), *, at: dt.date, role: str = "calibrator",
                site=None, on_site: bool = False, points=(), customer_consent: bool = False,
                event: str = JOB_ASSIGN) -> list[registry.Violation]:
    """Every violation that would stop ``person`` doing this work in ``role`` on the day ``at``.

    ``role`` is "calibrator", "reviewer" or "signatory". Returns GATE and FLAG violations alike;
    an empty list means the work may go ahead.
    """
    if role not in ("calibrator", "reviewer", "signatory"):
        raise ValueError(f"role must be calibrator, reviewer or signatory, not {role!r}")
    work = Work(at=at, scope_item=scope_item, method_version=method_version, equipment=tuple(equipment),
                site=site, on_site=on_site, points=tuple(points), customer_consent=customer_consent,
                **{role: person})
    return registry.check(event, work)
