"""Rules of the calibration app, registered with the integrity rule registry."""

from decimal import Decimal

from caltrace.integrity.registry import FLAG, GATE, rule
from caltrace.integrity.work import RECORD_SIGN_OFF, as_work


@rule("CND-3", kind=GATE, events=[RECORD_SIGN_OFF], zh="原始记录齐全方可签署：方法要求的记录字段和每个校准点的读数都不能缺",
      en="A raw record is signed off only when complete: every record field the method requires and a reading at "
         "every calibration point")
def record_complete(r, obj, ctx):
    record = as_work(obj).extra.get("record")
    if record is None:
        return
    missing = record.missing_fields()
    if missing:
        yield r.violation("以下必填记录字段为空：" + "、".join(f.label_zh for f in missing),
                          "These required record fields are empty: "
                          + ", ".join(f.label_en or f.name for f in missing), record)
    empty = record.empty_points()
    if empty:
        yield r.violation("以下校准点没有被校仪器读数：" + "、".join(str(p) for p in empty),
                          "These calibration points have no reading of the item: "
                          + ", ".join(str(p) for p in empty), record)


@rule("SITE-3", kind=GATE, events=[RECORD_SIGN_OFF], zh="校准时的环境条件须符合方法要求",
      en="The environment during the calibration meets the method's conditions")
def conditions_within_limits(r, obj, ctx):
    from caltrace.methods.environment import check_conditions

    record = as_work(obj).extra.get("record")
    if record is None or not record.conditions:
        return
    for breach in check_conditions(record.procedure.method_version, _readings(record.conditions)):
        zh, en = breach.messages()
        yield r.violation(zh, en, record)


@rule("SITE-3", kind=FLAG, events=[RECORD_SIGN_OFF], zh="方法规定的环境条件须有记录",
      en="Every environmental condition the method sets a limit on is logged")
def conditions_logged(r, obj, ctx):
    from caltrace.methods.environment import uncovered

    record = as_work(obj).extra.get("record")
    if record is None:
        return
    missing = uncovered(record.procedure.method_version, _readings(record.conditions or ()))
    if missing:
        zh = "、".join(m.labels()[0] for m in missing)
        en = ", ".join(m.labels()[1] for m in missing)
        yield r.violation(f"校准期间没有以下环境条件的记录：{zh}", f"No record of these conditions during the calibration: {en}",
                          record)


def _readings(conditions):
    import datetime as dt

    from caltrace.methods.environment import Reading

    out = []
    for c in conditions:
        at = dt.datetime.fromisoformat(c["at"]) if c.get("at") else None
        out.append(Reading(c["condition"], Decimal(c["value"]), c.get("unit", ""), at))
    return out


# --- jobs ---------------------------------------------------------------------------------------

JOB_REVIEW = "job.review"
ON_SITE_EVIDENCE = (("photo_people",), ("photo_place",), ("travel", "vehicle"))


@rule("REC-3", kind=GATE, events=[RECORD_SIGN_OFF],
      zh="现场校准的原始记录签署前须有校准真实发生的证据：人员照片、现场照片和差旅或车辆记录",
      en="An on-site calibration is signed off only with evidence that it happened: a photo of the people, "
         "a photo of the place, and a travel or vehicle record")
def on_site_evidence(r, obj, ctx):
    work = as_work(obj)
    job = work.extra.get("job")
    if not work.on_site or job is None:
        return
    have = set(job.evidence.values_list("kind", flat=True))
    labels = {"photo_people": ("人员现场照片", "a photo of the people"),
              "photo_place": ("校准现场照片", "a photo of the place"),
              "travel": ("差旅或车辆记录", "a travel or vehicle record")}
    missing = [labels[kinds[0]] for kinds in ON_SITE_EVIDENCE if not have & set(kinds)]
    if missing:
        yield r.violation("现场校准缺少证据：" + "、".join(m[0] for m in missing),
                          "The on-site calibration lacks evidence: " + ", ".join(m[1] for m in missing), job)


@rule("RPT-1", kind=GATE, events=[JOB_REVIEW], zh="核验人员不能是本次校准的校准人员",
      en="The reviewer is not the calibrator of the work")
def reviewer_not_calibrator(r, obj, ctx):
    work = as_work(obj)
    if work.reviewer is None:
        yield r.violation("缺少核验人员", "Missing: reviewer")
    elif work.calibrator is not None and work.reviewer.pk == work.calibrator.pk:
        yield r.violation(f"核验人员 {work.reviewer.name} 也是本次校准的校准人员",
                          f"The reviewer {work.reviewer.name} is also the calibrator", work.reviewer)


@rule("CND-6", kind=GATE, events=[JOB_REVIEW], zh="核验人员须经授权，且授权领域覆盖本次校准",
      en="The reviewer is authorized for the field of the work")
def reviewer_authorized(r, obj, ctx):
    from caltrace.people.choices import AuthorizationKind
    from caltrace.people.rules import _fields_problems

    work = as_work(obj)
    if work.reviewer is not None:
        for zh, en, thing in _fields_problems(work.reviewer, work, AuthorizationKind.REVIEWER, "核验人员", "reviewer"):
            yield r.violation(zh, en, work.reviewer, thing)


@rule("PER-5", kind=GATE, events=[JOB_REVIEW], zh="核验人员须持证、长期聘用、不超过 65 周岁且在职",
      en="The reviewer is qualified, long-term, employed and not older than 65")
def reviewer_qualified(r, obj, ctx):
    from caltrace.people.rules import per5_problems

    work = as_work(obj)
    if work.reviewer is not None:
        for zh, en in per5_problems(work.reviewer, work.at, "核验人员", "reviewer"):
            yield r.violation(zh, en, work.reviewer)
