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
