"""Rules of certificate issue (event ``certificate.issue``), registered with the rule registry."""

from caltrace.integrity.registry import GATE, rule
from caltrace.integrity.work import CERTIFICATE_ISSUE, as_work


@rule("RPT-1", kind=GATE, events=[CERTIFICATE_ISSUE],
      zh="证书发出前须经核验和批准：校准人员、核验人员和授权签字人须是三个不同的人",
      en="A certificate is reviewed and approved before issue: calibrator, reviewer and signatory are three "
         "different people")
def three_different_people(r, obj, ctx):
    work = as_work(obj)
    people = {"校准人员/calibrator": work.calibrator, "核验人员/reviewer": work.reviewer,
              "授权签字人/signatory": work.signatory}
    missing = [k for k, p in people.items() if p is None]
    if missing:
        yield r.violation("缺少" + "、".join(k.split("/")[0] for k in missing),
                          "Missing: " + ", ".join(k.split("/")[1] for k in missing))
        return
    if work.reviewer.pk == work.calibrator.pk:
        yield r.violation(f"核验人员 {work.reviewer.name} 也是本次校准的校准人员",
                          f"The reviewer {work.reviewer.name} is also the calibrator", work.reviewer)
    if work.signatory.pk == work.calibrator.pk:
        yield r.violation(f"授权签字人 {work.signatory.name} 也是本次校准的校准人员",
                          f"The signatory {work.signatory.name} is also the calibrator", work.signatory)
    if work.signatory.pk == work.reviewer.pk:
        yield r.violation(f"授权签字人 {work.signatory.name} 也是本证书的核验人员",
                          f"The signatory {work.signatory.name} is also the reviewer", work.signatory)


DIFFERENCE_ZH = {"results": "校准结果", "equipment": "所用设备", "calibrator": "校准人员", "method": "校准方法",
                 "date of calibration": "校准日期", "conditions": "环境条件", "record is not signed off": "原始记录未签署"}


@rule("CND-5", kind=GATE, events=[CERTIFICATE_ISSUE], zh="证书内容须与原始记录（实际校准活动）一致",
      en="The certificate says what the raw record (the real calibration) says")
def certificate_matches_record(r, obj, ctx):
    from .from_record import differences

    work = as_work(obj)
    record, doc = work.extra.get("record"), work.extra.get("document")
    if doc is None:
        return
    if record is None:
        yield r.violation("证书没有对应的原始记录", "The certificate has no raw record behind it")
        return
    found = differences(doc, record)
    if found:
        yield r.violation("证书与原始记录不一致：" + "、".join(DIFFERENCE_ZH.get(f, f) for f in found),
                          "The certificate differs from the raw record in: " + ", ".join(found), record)
