"""Rules of the orders app, registered with the integrity rule registry.

CON-1 and CON-2 judge calibration work that names its order item (``Work.extra["order_item"]``):
no work before the contract review is complete and accepted, under anything but what was
reviewed, nor while a deviation waits for the customer. MKT-2 flags a quote below cost.
"""

from caltrace.integrity.registry import FLAG, GATE, rule
from caltrace.integrity.work import WORK_EVENTS, as_work

WORKING_ORDER_STATES = ("accepted", "in_progress", "ready")
QUOTE_MAKE = "quote.make"


def _order_item(obj):
    item = as_work(obj).extra.get("order_item")
    if item is None:
        return None
    from .models import OrderItem

    # Judge what the database says now, not a copy the caller held.
    return OrderItem.objects.select_related("order", "scope_item", "method_version").get(pk=item.pk)


@rule("CON-1", kind=GATE, events=WORK_EVENTS, zh="合同评审完成并经客户接受后，方可按评审确定的能力范围条目和方法版本开展工作",
      en="Work starts only after the contract review is complete and accepted by the customer, under the scope item "
         "and method version the review settled")
def contract_reviewed(r, obj, ctx):
    item = _order_item(obj)
    if item is None:
        return
    work = as_work(obj)
    order = item.order
    if order.status not in WORKING_ORDER_STATES:
        yield r.violation(f"委托单 {order.number} 的合同评审未完成或未经客户接受（{order.get_status_display()}）",
                          f"The contract review of order {order.number} is not complete or not accepted by the "
                          f"customer (status {order.status})", order)
        return
    if item.status in ("requested", "withdrawn"):
        yield r.violation(f"样品 {item} 未经评审或已撤销", f"Item {item} is not reviewed or is withdrawn", item)
        return
    scope_pk = getattr(work.scope_item, "pk", None)
    version_pk = getattr(work.method_version, "pk", None)
    if scope_pk != item.scope_item_id or version_pk != item.method_version_id:
        yield r.violation(
            f"工作使用的能力范围条目或方法版本与合同评审不一致（评审：{item.scope_item.code if item.scope_item else '—'}，"
            f"{item.method_version.designation if item.method_version else '—'}）",
            "The work's scope item or method version is not the one the contract review settled ("
            f"{item.scope_item.code if item.scope_item else '-'}, "
            f"{item.method_version.designation if item.method_version else '-'})", item)


@rule("CON-2", kind=GATE, events=WORK_EVENTS, zh="偏离须告知客户并经客户接受后方可开展工作",
      en="Work starts only when the customer has accepted every deviation")
def deviations_accepted(r, obj, ctx):
    item = _order_item(obj)
    if item is None:
        return
    from .choices import DeviationStatus

    open_ones = list(item.deviations.exclude(status=DeviationStatus.ACCEPTED))
    if open_ones:
        yield r.violation("以下偏离未经客户接受：" + "；".join(d.description for d in open_ones),
                          "These deviations are not accepted by the customer: "
                          + "; ".join(d.description for d in open_ones), item, *open_ones)


@rule("MKT-2", kind=FLAG, events=[QUOTE_MAKE], zh="报价低于成本须经管理层批准", en="A quote below cost needs management "
      "approval")
def quote_not_below_cost(r, quote, ctx):
    if quote.total < quote.cost and quote.approved_by_id is None:
        yield r.violation(f"报价 {quote.number} 合计 {quote.total} 元，低于成本 {quote.cost} 元",
                          f"Quote {quote.number} totals CNY {quote.total}, below its cost CNY {quote.cost}", quote)
