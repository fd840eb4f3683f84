"""The requirements on people, as rules of the integrity registry.

Two moments are judged:

- granting an authorization (event ``authorization.grant``, the unsaved :class:`Authorization`):
  the person must qualify on the day it takes effect, and on the grant day too when that falls
  inside its validity (``ctx["on"]`` judges one given day instead, for "may they still?");
- the four moments of calibration work (:data:`caltrace.integrity.work.WORK_EVENTS`, a ``Work``):
  the calibrator, reviewer and signatory must be qualified and authorized on ``work.at``.

PER-7 is not a rule of its own: in a PLA or defence-industry agency (``Agency.defence_agency``) a
verifier certificate counts as level-2 wherever PER-2 and PER-5 read qualifications
(``selectors.level_2_equivalents``); in a civil agency it does not.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from caltrace.integrity.registry import FLAG, GATE, rule
from caltrace.integrity.work import WORK_EVENTS, as_work

from . import selectors
from .choices import (
    CALIBRATION_QUALIFICATIONS,
    CALIBRATOR_TRAININGS,
    LEVEL_1_OR_SENIOR,
    LEVEL_2_OR_BETTER,
    LONG_TERM_EMPLOYMENT,
    SKILL_TRAININGS,
    TRAINER_QUALIFICATIONS,
    AuthorizationKind,
)
from .models import TrainingAttendance

AK = AuthorizationKind
GRANT = "authorization.grant"
TRAINING_RECORD = "training.record"

MAX_AGE = 65  # PER-5: not older than 65 on the activity day (65 allowed, 66 refused)
TECHNICAL_DIRECTOR_YEARS = 5  # PER-3
SIGNATORY_FIELDS_AT_LEVEL_2 = 3  # PER-2: up to 3 fields with level 2; more need level 1 or a senior title
WORK_ROLES = (("calibrator", "校准人员", "calibrator"), ("reviewer", "核验人员", "reviewer"),
              ("signatory", "授权签字人", "signatory"))


def _d(day: dt.date) -> str:
    return day.isoformat()


def _grant_days(auth, ctx) -> list[dt.date]:
    """The days a grant is judged on: the day it takes effect, and the grant day when inside."""
    if ctx.get("on") is not None:
        return [ctx["on"]]
    today = ctx.get("today") or timezone.localdate()
    days = [auth.valid_from]
    if auth.valid_from < today and (auth.valid_until is None or today <= auth.valid_until) \
            and (auth.revoked_on is None or today < auth.revoked_on):
        days.append(today)
    return days


def _grant_problems(auth, ctx, problems):
    """The problems ``problems(day)`` finds on the first judged day that has any (one report, not
    the same reason once per day)."""
    for day in _grant_days(auth, ctx):
        found = list(problems(day))
        if found:
            return found
    return []


# --- the checks, shared by grant and work -------------------------------------------------------


def per5_problems(person, on: dt.date, role_zh: str, role_en: str):
    """(zh, en) for each way ``person`` fails PER-5 as a calibrator or reviewer on ``on``."""
    if not selectors.holding(person, selectors.level_2_equivalents(person, CALIBRATION_QUALIFICATIONS), on):
        yield (f"{person.name}在 {_d(on)} 没有有效的一级或二级注册计量师证书或计量检定员证，不能担任{role_zh}",
               f"{person.name} holds no valid level-1 or level-2 registered metrologist or verifier certificate "
               f"on {_d(on)} and cannot act as {role_en}")
    if person.employment_type not in LONG_TERM_EMPLOYMENT:
        label = person.get_employment_type_display()
        yield (f"{person.name}的用工形式为“{label}”，{role_zh}应为长期聘用人员",
               f"{person.name} is employed as '{person.employment_type}'; a {role_en} must be a long-term employee")
    age = person.age_on(on)
    if age > MAX_AGE:
        yield (f"{person.name}在 {_d(on)} 已满 {age} 周岁，{role_zh}不得超过 {MAX_AGE} 周岁",
               f"{person.name} is {age} on {_d(on)}; a {role_en} may not be older than {MAX_AGE}")
    if not person.employed_on(on):
        yield (f"{person.name}在 {_d(on)} 不在职", f"{person.name} is not employed on {_d(on)}")


def per2_problems(person, n_fields: int, on: dt.date):
    """(zh, en) when ``person`` lacks the qualification PER-2 asks of a signatory for ``n_fields``."""
    if n_fields <= SIGNATORY_FIELDS_AT_LEVEL_2:
        if not selectors.holding(person, selectors.level_2_equivalents(person, LEVEL_2_OR_BETTER), on):
            yield (f"{person.name}在 {_d(on)} 没有有效的二级或一级注册计量师证书、计量检定员证或高级技术职称，"
                   f"不能担任 {n_fields} 个专业领域的授权签字人",
                   f"{person.name} holds no valid level-2 or level-1 registered metrologist certificate, verifier "
                   f"certificate or senior title on {_d(on)}, needed to sign for {n_fields} field(s)")
    elif not selectors.holding(person, LEVEL_1_OR_SENIOR, on):
        yield (f"{person.name}在 {_d(on)} 没有有效的一级注册计量师证书或高级技术职称，授权签字领域超过 "
               f"{SIGNATORY_FIELDS_AT_LEVEL_2} 个（{n_fields} 个）时必须具备",
               f"{person.name} holds no valid level-1 registered metrologist certificate or senior title on "
               f"{_d(on)}, needed to sign for more than {SIGNATORY_FIELDS_AT_LEVEL_2} fields ({n_fields})")


def per3_problems(person, on: dt.date):
    years = person.calibration_years_on(on)
    if years < TECHNICAL_DIRECTOR_YEARS:
        yield (f"{person.name}在 {_d(on)} 的校准工作经历为 {years} 年，技术负责人应至少 {TECHNICAL_DIRECTOR_YEARS} 年",
               f"{person.name} has {years} year(s) of calibration experience on {_d(on)}; a technical director "
               f"needs at least {TECHNICAL_DIRECTOR_YEARS}")
    if not selectors.holding(person, LEVEL_1_OR_SENIOR, on):
        yield (f"{person.name}在 {_d(on)} 没有有效的一级注册计量师证书或高级技术职称，不能担任技术负责人",
               f"{person.name} holds no valid level-1 registered metrologist certificate or senior title on "
               f"{_d(on)} and cannot be technical director")


def per4_problems(person, on: dt.date, role_zh: str, role_en: str):
    if not selectors.qualifies_as_method_validator(person, on):
        yield (f"{person.name}在 {_d(on)} 没有有效的一级注册计量师证书或高级技术职称，不能担任{role_zh}",
               f"{person.name} holds no valid level-1 registered metrologist certificate or senior title on "
               f"{_d(on)} and cannot act as {role_en}")


def trained_for_calibration(person, on: dt.date) -> bool:
    """CND-6: the person passed a technical or practical skills training on or before ``on``."""
    return TrainingAttendance.objects.filter(person=person, passed=True, training__kind__in=CALIBRATOR_TRAININGS,
                                             training__held_on__lte=on).exists()


# --- granting an authorization ------------------------------------------------------------------


@rule("PER-2", kind=GATE, events=[GRANT], zh="授权签字人须具备与授权领域数量相应的资格",
      en="An authorized signatory holds the qualification the number of fields needs")
def signatory_qualified_for_grant(r, auth, ctx):
    if auth.kind != AK.SIGNATORY:
        return
    n = max(len(auth.metrology_fields or ()), 1)
    for zh, en in _grant_problems(auth, ctx, lambda day: per2_problems(auth.person, n, day)):
        yield r.violation(zh, en, auth.person)


@rule("PER-3", kind=GATE, events=[GRANT], zh="技术负责人须有 5 年以上校准经历并具备一级注册计量师或高级职称",
      en="The technical director has 5 years of calibration experience and level 1 or a senior title")
def technical_director_qualified(r, auth, ctx):
    if auth.kind != AK.TECHNICAL_DIRECTOR:
        return
    for zh, en in _grant_problems(auth, ctx, lambda day: per3_problems(auth.person, day)):
        yield r.violation(zh, en, auth.person)


@rule("PER-4", kind=GATE, events=[GRANT], zh="非标准方法的制定和确认人员须具备一级注册计量师或高级职称",
      en="Developers and validators of non-standard methods hold level 1 or a senior title")
def method_developer_qualified(r, auth, ctx):
    if auth.kind not in (AK.METHOD_DEVELOPER, AK.METHOD_VALIDATOR):
        return
    role_zh, role_en = (("非标准方法制定人员", "method developer") if auth.kind == AK.METHOD_DEVELOPER
                        else ("非标准方法确认人员", "method validator"))
    for zh, en in _grant_problems(auth, ctx, lambda day: per4_problems(auth.person, day, role_zh, role_en)):
        yield r.violation(zh, en, auth.person)


@rule("PER-5", kind=GATE, events=[GRANT], zh="核验和校准人员须持证、长期聘用、不超过 65 周岁",
      en="Reviewers and calibrators are qualified, long-term employees and not older than 65")
def calibrator_or_reviewer_qualified_for_grant(r, auth, ctx):
    if auth.kind not in (AK.CALIBRATOR, AK.REVIEWER):
        return
    role_zh, role_en = ("校准人员", "calibrator") if auth.kind == AK.CALIBRATOR else ("核验人员", "reviewer")
    for zh, en in _grant_problems(auth, ctx, lambda day: per5_problems(auth.person, day, role_zh, role_en)):
        yield r.violation(zh, en, auth.person)


@rule("CND-6", kind=GATE, events=[GRANT], zh="校准人员经培训后方可授权上岗",
      en="Calibrators are trained before they are authorized")
def calibrator_trained_before_grant(r, auth, ctx):
    if auth.kind != AK.CALIBRATOR:
        return
    day = min(_grant_days(auth, ctx))
    if not trained_for_calibration(auth.person, day):
        yield r.violation(
            f"{auth.person.name}在 {_d(day)} 之前没有考核合格的技术或实际操作技能培训记录，不能授权为校准人员",
            f"{auth.person.name} has passed no technical or practical training by {_d(day)} and cannot be "
            f"authorized as calibrator", auth.person)


# --- calibration work ---------------------------------------------------------------------------


@rule("PER-5", kind=GATE, events=WORK_EVENTS, zh="核验和校准人员须持证、长期聘用、不超过 65 周岁且在职",
      en="Reviewers and calibrators are qualified, long-term, employed and not older than 65")
def calibrator_and_reviewer_qualified(r, obj, ctx):
    work = as_work(obj)
    for attr, role_zh, role_en in WORK_ROLES[:2]:
        person = getattr(work, attr)
        if person is not None:
            for zh, en in per5_problems(person, work.at, role_zh, role_en):
                yield r.violation(zh, en, person)


def _work_field(work) -> str | None:
    if work.scope_item is not None:
        return work.scope_item.field
    return work.extra.get("field")


def _field_label(code) -> str:
    from caltrace.org.choices import MetrologyField

    return str(dict(MetrologyField.choices).get(code, code))


def _calibrator_problems(person, work):
    on = work.at
    auths = selectors.authorizations_in_force(person, on, AK.CALIBRATOR)
    item, version = work.scope_item, work.method_version
    if not auths:
        yield (f"{person.name}在 {_d(on)} 没有有效的校准人员授权",
               f"{person.name} holds no calibrator authorization in force on {_d(on)}", None)
        return
    if item is not None:
        covering = [a for a in auths if any(s.pk == item.pk for s in a.scope_items.all())]
        if not covering:
            yield (f"{person.name}在 {_d(on)} 未被授权校准能力范围条目“{item}”",
                   f"{person.name} is not authorized on {_d(on)} to calibrate scope item '{item}'", item)
            return
        auths = covering
    if version is not None:
        method_id = version.method_id
        if not any(m.pk == method_id for a in auths for m in a.methods.all()):
            yield (f"{person.name}在 {_d(on)} 未被授权按“{version}”校准" + (f"“{item}”" if item else ""),
                   f"{person.name} is not authorized on {_d(on)} to calibrate with '{version}'"
                   + (f" for '{item}'" if item else ""), version)


def _fields_problems(person, work, kind, role_zh, role_en):
    on = work.at
    auths = selectors.authorizations_in_force(person, on, kind)
    if not auths:
        yield (f"{person.name}在 {_d(on)} 没有有效的{role_zh}授权",
               f"{person.name} holds no {role_en} authorization in force on {_d(on)}", None)
        return
    field = _work_field(work)
    if field and not any(field in a.metrology_fields for a in auths):
        yield (f"{person.name}在 {_d(on)} 的{role_zh}授权不包括专业领域“{_field_label(field)}”",
               f"{person.name}'s {role_en} authorization on {_d(on)} does not cover the field '{field}'",
               work.scope_item)


@rule("CND-6", kind=GATE, events=WORK_EVENTS, zh="校准、核验人员经授权；授权签字人只签发授权领域内的项目",
      en="Calibrators and reviewers are authorized; signatories sign only inside their fields")
def work_people_authorized(r, obj, ctx):
    work = as_work(obj)
    if work.calibrator is not None:
        for zh, en, thing in _calibrator_problems(work.calibrator, work):
            yield r.violation(zh, en, work.calibrator, thing)
    if work.reviewer is not None:
        for zh, en, thing in _fields_problems(work.reviewer, work, AK.REVIEWER, "核验人员", "reviewer"):
            yield r.violation(zh, en, work.reviewer, thing)
    signatory = work.signatory
    if signatory is not None:
        for zh, en, thing in _fields_problems(signatory, work, AK.SIGNATORY, "授权签字人", "signatory"):
            yield r.violation(zh, en, signatory, thing)
        if not signatory.employed_on(work.at):
            yield r.violation(f"授权签字人{signatory.name}在 {_d(work.at)} 不在职，授权不再有效",
                              f"signatory {signatory.name} is not employed on {_d(work.at)}; the authorization "
                              f"no longer holds", signatory)


@rule("PER-2", kind=GATE, events=WORK_EVENTS, zh="授权签字人签发时须具备与授权领域数量相应的资格",
      en="A signatory holds, when signing, the qualification the number of fields needs")
def signatory_qualified(r, obj, ctx):
    work = as_work(obj)
    person = work.signatory
    if person is None:
        return
    n = max(len(selectors.signatory_fields(person, work.at)), 1)
    for zh, en in per2_problems(person, n, work.at):
        yield r.violation(zh, en, person)


@rule("HR-3", kind=FLAG, events=WORK_EVENTS, zh="员工须定期接受诚信教育培训",
      en="Staff take integrity training regularly")
def integrity_training_current(r, obj, ctx):
    work = as_work(obj)
    months = selectors.integrity_training_months()
    seen = set()
    for attr, _zh, _en in WORK_ROLES:
        person = getattr(work, attr)
        if person is None or person.pk in seen:
            continue
        seen.add(person.pk)
        status = selectors.integrity_training_status(person, work.at)
        if not status.overdue:
            continue
        if status.last is None:
            yield r.violation(f"{person.name}没有诚信教育培训记录", f"{person.name} has no integrity training on record",
                              person)
        else:
            yield r.violation(
                f"{person.name}最近一次诚信教育培训在 {_d(status.last)}，已超过 {months} 个月",
                f"{person.name}'s last integrity training was on {_d(status.last)}, more than {months} months ago",
                person)


# --- training records ---------------------------------------------------------------------------


@rule("PER-6", kind=FLAG, events=[TRAINING_RECORD], zh="基础、技术和实操培训的教师须满足要求",
      en="Trainers of basic, technical and practical skills meet the requirements")
def trainer_meets_requirements(r, training, ctx):
    """An in-house trainer of skills holds a valid qualification on the training day; an external
    trainer's qualification is recorded (``Training.clean`` insists on it)."""
    if training.kind not in SKILL_TRAININGS or training.trainer is None:
        return
    if not selectors.holding(training.trainer, TRAINER_QUALIFICATIONS, training.held_on):
        t = training.trainer
        yield r.violation(
            f"培训教师{t.name}在 {_d(training.held_on)} 没有有效的注册计量师证书、计量检定员证或高级技术职称",
            f"trainer {t.name} holds no valid registered metrologist or verifier certificate or senior title on "
            f"{_d(training.held_on)}", t)
