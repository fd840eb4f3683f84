"""The methods app's rules (方法规则), registered with the integrity registry.

On the four moments of work (job assignment, job start, record sign-off, certificate issue) a
:class:`~caltrace.integrity.work.Work` is judged on its method version on the work's day:

- VAL-1: only a version current that day (not superseded, withdrawn or not yet effective);
- DIG-5: a withdrawn or superseded version is refused with the system's alert;
- MTH-2: an in-house or non-standard method, or a standard one modified or used out of its scope
  (``work.extra["method_use"]``), needs the customer's consent and an approved validation.

A withdrawal that is only near is not a refusal: :func:`caltrace.methods.selectors.warnings_for`
gives the warning that pages and jobs show.

PER-4 judges who develops a method version (``method.version.add``), who validates it
(``method.validation.record``) and who approves the validation (``method.validation.approve``).
"""

from caltrace.integrity.registry import GATE, rule
from caltrace.integrity.work import WORK_EVENTS, as_work

from .choices import STANDARD_USES, MethodUse, VersionStatus
from .selectors import current_successor, current_version, qualifies_as_method_validator, valid_validations

VERSION_ADD = "method.version.add"
VALIDATION_RECORD = "method.validation.record"
VALIDATION_APPROVE = "method.validation.approve"

USE_EN = {MethodUse.IN_HOUSE: "in-house method", MethodUse.NON_STANDARD: "non-standard method",
          MethodUse.MODIFIED: "modified standard method", MethodUse.OUT_OF_SCOPE: "standard method used out of scope"}
USE_ZH = {MethodUse.IN_HOUSE: "实验室自编方法", MethodUse.NON_STANDARD: "非标准方法",
          MethodUse.MODIFIED: "修改过的标准方法", MethodUse.OUT_OF_SCOPE: "超出预定范围使用的标准方法"}


def _replacement(version, on):
    """The edition to use instead of ``version`` on ``on``: its current successor or the method's current edition."""
    return current_successor(version, on) or current_version(version.method, on)


@rule("VAL-1", kind=GATE, events=WORK_EVENTS, zh="只能使用方法的现行有效版本",
      en="Only the current valid version of a method may be used")
def version_in_force(rule, obj, ctx):
    work = as_work(obj)
    version = work.method_version
    if version is None:
        return
    on = work.at
    status = version.status_on(on)
    if status == VersionStatus.CURRENT:
        return
    d, day = version.designation, on.isoformat()
    if status == VersionStatus.NOT_YET_EFFECTIVE:
        eff = version.effective_on.isoformat()
        yield rule.violation(f"{d} 自 {eff} 起实施，{day} 尚不能使用",
                             f"{d} takes effect on {eff} and cannot be used on {day}", version)
        return
    end = version.ends_on.isoformat()
    if status == VersionStatus.SUPERSEDED:
        zh = f"{d} 已于 {end} 被 {version.superseded_by.designation} 代替，{day} 不能使用"
        en = f"{d} was superseded by {version.superseded_by.designation} on {end} and cannot be used on {day}"
    else:
        zh = f"{d} 已于 {end} 废止，{day} 不能使用"
        en = f"{d} was withdrawn on {end} and cannot be used on {day}"
    instead = _replacement(version, on)
    if instead is not None:
        zh += f"；请使用现行有效版本 {instead.designation}"
        en += f"; use the current version {instead.designation}"
    yield rule.violation(zh, en, version, instead)


@rule("DIG-5", kind=GATE, events=WORK_EVENTS, zh="使用已废止的方法版本时系统预警并拒绝",
      en="The system alerts on and refuses a withdrawn method version")
def withdrawn_version_alert(rule, obj, ctx):
    work = as_work(obj)
    version = work.method_version
    if version is None or version.status_on(work.at) not in (VersionStatus.SUPERSEDED, VersionStatus.WITHDRAWN):
        return
    end = version.ends_on.isoformat()
    yield rule.violation(f"预警：方法版本 {version.designation} 自 {end} 起已失效，不得使用",
                         f"Alert: method version {version.designation} is no longer valid since {end}", version)


def required_use(work) -> str | None:
    """The use of the work's method that needs consent and validation (MTH-2), or None for a
    standard method used as written. A job names a modified or out-of-scope use of a standard
    method in ``work.extra["method_use"]``."""
    version = work.method_version
    inherent = version.method.inherent_use
    if inherent:
        return inherent
    use = (work.extra or {}).get("method_use")
    return use if use in STANDARD_USES else None


@rule("MTH-2", kind=GATE, events=WORK_EVENTS, zh="自编方法、非标准方法及修改或超范围使用的标准方法须经客户同意并经方法确认",
      en="In-house and non-standard methods, and modified or out-of-scope use of standard methods, "
         "need the customer's consent and a method validation")
def use_consented_and_validated(rule, obj, ctx):
    work = as_work(obj)
    version = work.method_version
    if version is None:
        return
    use = required_use(work)
    if use is None:
        return
    d, zh_use, en_use = version.designation, USE_ZH[use], USE_EN[use]
    if not work.customer_consent:
        yield rule.violation(f"{d} 属于{zh_use}，使用前须经客户同意",
                             f"{d} is a {en_use}: the customer must consent before it is used", version)
    if not valid_validations(version, use, work.at).exists():
        yield rule.violation(
            f"{d} 属于{zh_use}，{work.at.isoformat()} 前没有经批准且结论为满足预期用途的方法确认记录",
            f"{d} is a {en_use} with no approved validation concluding it fit for purpose by "
            f"{work.at.isoformat()}", version)


@rule("PER-4", kind=GATE, events=[VERSION_ADD], zh="实验室自编方法的制定人须具有一级注册计量师资格或高级技术职称",
      en="Whoever develops an in-house method holds level-1 registration or a senior title")
def developer_qualified(rule, version, ctx):
    person = version.developed_by
    if person is None:
        return
    if not qualifies_as_method_validator(person, version.effective_on):
        day = version.effective_on.isoformat()
        yield rule.violation(
            f"{person.name} 在 {day} 不具有有效的一级注册计量师证或高级技术职称，不能制定 {version.designation}",
            f"{person.name} holds no valid level-1 registered metrologist certificate or senior title on {day} "
            f"and may not develop {version.designation}", person, version)


@rule("PER-4", kind=GATE, events=[VALIDATION_RECORD], zh="方法确认人员须具有一级注册计量师资格或高级技术职称",
      en="Whoever validates a method holds level-1 registration or a senior title")
def validator_qualified(rule, validation, ctx):
    person, day = validation.validated_by, validation.validated_on
    if not qualifies_as_method_validator(person, day):
        d = validation.version.designation
        yield rule.violation(
            f"{person.name} 在 {day.isoformat()} 不具有有效的一级注册计量师证或高级技术职称，不能确认方法 {d}",
            f"{person.name} holds no valid level-1 registered metrologist certificate or senior title on "
            f"{day.isoformat()} and may not validate {d}", person, validation.version)


@rule("PER-4", kind=GATE, events=[VALIDATION_APPROVE], zh="批准方法确认的人员须具有一级注册计量师资格或高级技术职称",
      en="Whoever approves a method validation holds level-1 registration or a senior title")
def approver_qualified(rule, validation, ctx):
    person, day = validation.approved_by, validation.approved_on
    if not qualifies_as_method_validator(person, day):
        d = validation.version.designation
        yield rule.violation(
            f"{person.name} 在 {day.isoformat()} 不具有有效的一级注册计量师证或高级技术职称，不能批准 {d} 的方法确认",
            f"{person.name} holds no valid level-1 registered metrologist certificate or senior title on "
            f"{day.isoformat()} and may not approve the validation of {d}", person, validation.version)
