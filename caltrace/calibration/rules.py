"""Rules of the calibration app, registered with the integrity rule registry."""

from caltrace.integrity.registry import GATE, rule
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
