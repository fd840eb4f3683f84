"""The equipment app's rules (设备规则), registered with the integrity registry.

On the four moments of work (job assignment, job start, record sign-off, certificate issue) each
piece of equipment in a :class:`~caltrace.integrity.work.Work` is judged on the work's day
(``work.at``) from its history, through :func:`caltrace.equipment.selectors.with_status`:

- EQP-2: instruments, standards and auxiliary devices have a valid traceability record;
- EQP-3: that record has a passed metrological confirmation;
- EQP-4: the equipment was verified before first use and is not out of service (an item out of
  service, under repair or retired returns only through a passed verification);
- EQP-5: a reference material has its certificate and is within its validity;
- CND-7: the ranges of the equipment used cover every calibration point, and its uncertainty
  there is adequate for the accredited CMC.

A certificate due on the work's day is still valid that day; one due the day before is not.
Each rule yields every violation it finds, naming the equipment involved.
"""

from __future__ import annotations

from caltrace.integrity.registry import GATE, rule
from caltrace.integrity.work import WORK_EVENTS, as_work

from . import metrology
from .choices import CERTIFIED_KINDS, TRACEABLE_KINDS, ServiceEventKind
from .models import EquipmentRange
from .selectors import status_rows


def _rows(work):
    return status_rows(work.equipment, work.at) if work.equipment else {}


@rule("EQP-2", kind=GATE, events=WORK_EVENTS, zh="使用的设备须有有效的量值溯源",
      en="Equipment used must be metrologically traceable and in date")
def traceability_valid(rule, obj, ctx):
    """Refuses an instrument, standard or auxiliary device with no traceability record performed on
    or before the work's day (corrected records do not count), or whose latest record is due
    before that day."""
    work = as_work(obj)
    day = work.at.isoformat()
    for eq in _rows(work).values():
        if eq.kind not in TRACEABLE_KINDS:
            continue
        if eq.trace_pk is None:
            yield rule.violation(f"设备 {eq} 在 {day} 没有量值溯源记录，不得使用",
                                 f"Equipment {eq} has no traceability record on {day} and cannot be used", eq)
        elif eq.trace_due < work.at:
            due = eq.trace_due.isoformat()
            yield rule.violation(f"设备 {eq} 的溯源证书 {eq.trace_cert} 已于 {due} 到期，{day} 不得使用",
                                 f"The traceability certificate {eq.trace_cert} of {eq} expired on {due}; "
                                 f"it cannot be used on {day}", eq)


@rule("EQP-3", kind=GATE, events=WORK_EVENTS, zh="溯源后须经计量确认合格方可使用",
      en="Equipment must pass metrological confirmation after traceability")
def confirmation_passed(rule, obj, ctx):
    """Refuses an instrument, standard or auxiliary device whose latest valid traceability record
    has no metrological confirmation on or before the work's day, or whose latest confirmation
    found that the results do not meet the use requirements."""
    work = as_work(obj)
    day = work.at.isoformat()
    for eq in _rows(work).values():
        if eq.kind not in TRACEABLE_KINDS or eq.trace_pk is None:
            continue
        if eq.confirmation_passed is None:
            yield rule.violation(f"设备 {eq} 的溯源证书 {eq.trace_cert} 在 {day} 尚未进行计量确认，不得使用",
                                 f"The traceability certificate {eq.trace_cert} of {eq} has not been "
                                 f"metrologically confirmed by {day}", eq)
        elif eq.confirmation_passed is False:
            yield rule.violation(f"设备 {eq} 的溯源证书 {eq.trace_cert} 计量确认不合格，不得使用",
                                 f"The metrological confirmation of certificate {eq.trace_cert} of {eq} "
                                 f"found it does not meet the use requirements", eq)


@rule("EQP-4", kind=GATE, events=WORK_EVENTS, zh="投入使用或重新投入使用前须经验证；停用设备不得使用",
      en="Equipment must be verified before (re)entry into service; equipment out of service cannot be used")
def verified_and_in_service(rule, obj, ctx):
    """Refuses equipment that on the work's day is out of service, under repair or retired (it
    returns only through a passed verification before return to service), and equipment with no
    passed verification before first use on or before that day."""
    work = as_work(obj)
    day = work.at.isoformat()
    for eq in _rows(work).values():
        if eq.service_kind == ServiceEventKind.RETIRED:
            since = eq.service_since.isoformat()
            yield rule.violation(f"设备 {eq} 已于 {since} 报废，不得使用",
                                 f"Equipment {eq} was retired on {since} and cannot be used", eq)
        elif eq.service_kind in (ServiceEventKind.OUT_OF_SERVICE, ServiceEventKind.REPAIR):
            last = eq.service_since.isoformat()
            what_zh, what_en = ("送修", "sent for repair") if eq.service_kind == ServiceEventKind.REPAIR else (
                "停用", "taken out of service")
            yield rule.violation(
                f"设备 {eq} 处于停用状态（{last} {what_zh}），重新投入使用前须经验证合格，{day} 不得使用",
                f"Equipment {eq} is out of service ({what_en} on {last}); it must pass a verification before "
                f"return to service and cannot be used on {day}", eq)
        elif not eq.verified:
            yield rule.violation(f"设备 {eq} 投入使用前未经验证合格，{day} 不得使用",
                                 f"Equipment {eq} has not passed a verification before first use and cannot "
                                 f"be used on {day}", eq)


@rule("EQP-5", kind=GATE, events=WORK_EVENTS, zh="标准物质须有证书并在有效期内使用",
      en="Reference materials need a certificate and must be within validity")
def reference_material_valid(rule, obj, ctx):
    """Refuses a reference material with no certificate on or before the work's day, or whose
    certificate's validity ended before that day."""
    work = as_work(obj)
    day = work.at.isoformat()
    for eq in _rows(work).values():
        if eq.kind not in CERTIFIED_KINDS:
            continue
        if eq.trace_pk is None:
            yield rule.violation(f"标准物质 {eq} 没有标准物质证书，不得使用",
                                 f"Reference material {eq} has no certificate and cannot be used", eq)
        elif eq.trace_due < work.at:
            due = eq.trace_due.isoformat()
            yield rule.violation(f"标准物质 {eq} 已于 {due} 超过有效期，{day} 不得使用",
                                 f"Reference material {eq} expired on {due} and cannot be used on {day}", eq)


@rule("CND-7", kind=GATE, events=WORK_EVENTS, zh="设备的测量范围须覆盖校准点，准确度须满足要求",
      en="Equipment ranges must cover the calibration points and its accuracy must be adequate")
def characteristics_fit(rule, obj, ctx):
    """Judges each calibration point of the work against the registered ranges of all the
    equipment used (:class:`~caltrace.equipment.models.EquipmentRange`).

    Coverage: the point, converted to a range's unit with pint, lies inside at least one range
    (bounds included; a bipolar range by absolute value). A point whose unit cannot be read, or
    that no range covers, is refused.

    Adequacy (when the work names a scope item): among the covering ranges, the best one's
    standard uncertainty at the point — U/k for a range stated as an expanded uncertainty, MPE/√3
    for one stated as a maximum permissible error — must not exceed the scope item's CMC at the
    point as a standard uncertainty (``cmc_at(x) / cmc_k``, in the scope item's unit). With k = 2
    on both sides this is "the equipment's U does not exceed the CMC". A point whose unit is not
    compatible with the scope item's is refused; a CMC of zero at the point (a relative CMC at
    zero) is not judged.
    """
    work = as_work(obj)
    if not work.points or not work.equipment:
        return
    ranges = list(EquipmentRange.objects.filter(equipment__in=[e.pk for e in work.equipment])
                  .select_related("equipment"))
    names = "、".join(str(e) for e in work.equipment)
    names_en = ", ".join(str(e) for e in work.equipment)
    scope = work.scope_item
    for p in work.points:
        shown = f"{metrology.fmt(p.value, 12)} {p.unit}"
        try:
            found, compatible = metrology.coverages(p.value, p.unit, ranges)
        except metrology.UnitError:
            yield rule.violation(f"校准点 {shown} 的单位无法识别", f"The unit of calibration point {shown} "
                                 f"cannot be read", *work.equipment)
            continue
        if not found:
            why_zh = "" if compatible else "（没有该量的测量范围）"
            why_en = "" if compatible else " (no range of that quantity)"
            yield rule.violation(f"校准点 {shown} 不在所用设备 {names} 的测量范围内{why_zh}",
                                 f"Calibration point {shown} lies outside the ranges of the equipment used "
                                 f"({names_en}){why_en}", *work.equipment)
            continue
        if scope is None:
            continue
        try:
            u_cmc = metrology.cmc_standard_uncertainty(scope, p.value, p.unit)
        except metrology.UnitError:
            yield rule.violation(f"校准点 {shown} 的单位与能力范围条目 {scope.code} 的单位 {scope.unit} 不相容",
                                 f"The unit of calibration point {shown} does not match the unit {scope.unit} "
                                 f"of scope item {scope.code}", scope)
            continue
        if u_cmc <= 0:
            continue
        best, u_eq = metrology.best_in_unit(found, scope.unit)
        if u_eq > u_cmc:
            eq = best.range.equipment
            a, b = metrology.fmt(u_eq), metrology.fmt(u_cmc)
            yield rule.violation(
                f"校准点 {shown} 处设备 {eq} 的标准不确定度 {a} {scope.unit} 大于能力范围条目 {scope.code} "
                f"的 CMC 标准不确定度 {b} {scope.unit}，准确度不满足要求",
                f"At calibration point {shown} the standard uncertainty {a} {scope.unit} of {eq} exceeds the "
                f"CMC standard uncertainty {b} {scope.unit} of scope item {scope.code}: accuracy not adequate",
                eq, scope)
