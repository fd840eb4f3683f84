"""The order and item workflows (委托单、样品的状态流转).

Order: a customer drafts and submits an application; reception reviews the contract (CON-1) item
by item, proposing scope item and method version, recording deviations and pricing it (MKT-2);
the review goes to the customer, who accepts the quote and every deviation (CON-2) in the portal;
items are then received and calibrated; when every item has its certificate the order is ready,
and hand-over closes it. Guards are pure functions of the order; the services that call
:func:`caltrace.core.workflows.transition` prepare what they check.
"""

from caltrace.core.workflows import Reason, Transition, Workflow


def _review_complete(order, actor):
    problems = order.review_problems()
    if problems:
        return Reason("合同评审未完成：" + "；".join(p[0] for p in problems),
                      "The contract review is not complete: " + "; ".join(p[1] for p in problems))
    return None


def _customer_may_accept(order, actor):
    problems = order.acceptance_problems()
    if problems:
        return Reason("；".join(p[0] for p in problems), "; ".join(p[1] for p in problems))
    return None


def _all_items_done(order, actor):
    if order.items.exclude(status__in=("issued", "returned", "withdrawn")).exists():
        return Reason("还有样品没有出具证书", "Some items have no certificate yet")
    return None


def _all_items_returned(order, actor):
    if order.items.exclude(status__in=("returned", "withdrawn")).exists():
        return Reason("还有样品没有交还客户", "Some items have not been handed back")
    return None


def _received_unless_on_site(item, actor):
    """An item calibrated in the laboratory has been received there first, with its unique
    identification (SMP-2); an on-site item is calibrated where it is."""
    if item.status == "reviewed" and not item.order.on_site:
        return Reason("送检样品须先收样（取得唯一标识）才能开始校准",
                      "An item calibrated in the laboratory must be received (and identified) first")
    return None


ORDER_WORKFLOW = Workflow(
    states={
        "draft": ("草稿", "draft"),
        "submitted": ("待合同评审", "awaiting contract review"),
        "awaiting_customer": ("待客户确认", "awaiting the customer's acceptance"),
        "accepted": ("已受理", "accepted"),
        "in_progress": ("校准中", "in calibration"),
        "ready": ("待交还", "ready for hand-over"),
        "closed": ("已完成", "completed"),
        "rejected": ("不予受理", "declined by the lab"),
        "cancelled": ("已取消", "cancelled"),
    },
    transitions=[
        Transition("submit", ("draft",), "submitted", "提交申请", "Submit"),
        Transition("complete_review", ("submitted",), "awaiting_customer", "完成合同评审", "Complete the review",
                   permission="orders.review_order", guard=_review_complete),
        Transition("reject", ("submitted",), "rejected", "不予受理", "Decline", permission="orders.review_order",
                   requires_comment=True),
        Transition("accept", ("awaiting_customer",), "accepted", "接受报价和偏离", "Accept",
                   guard=_customer_may_accept),
        Transition("decline", ("awaiting_customer",), "cancelled", "拒绝", "Decline the offer", requires_comment=True),
        Transition("start", ("accepted",), "in_progress", "开始校准", "Start"),
        Transition("make_ready", ("in_progress",), "ready", "全部出证", "All certificates issued",
                   guard=_all_items_done),
        Transition("close", ("ready",), "closed", "交还完成", "Close", permission="orders.hand_over_item",
                   guard=_all_items_returned),
        Transition("cancel", ("draft", "submitted"), "cancelled", "取消", "Cancel", requires_comment=True),
    ],
    initial="draft",
)

ITEM_WORKFLOW = Workflow(
    states={
        "requested": ("已申请", "requested"),
        "reviewed": ("已评审", "reviewed"),
        "received": ("已收样", "received"),
        "in_calibration": ("校准中", "in calibration"),
        "calibrated": ("待出证", "awaiting certificate"),
        "issued": ("已出证", "certificate issued"),
        "returned": ("已交还", "handed back"),
        "withdrawn": ("已撤销", "withdrawn"),
    },
    transitions=[
        Transition("review", ("requested", "reviewed"), "reviewed", "评审", "Review",
                   permission="orders.review_order"),
        Transition("receive", ("reviewed",), "received", "收样", "Receive", permission="orders.receive_item"),
        Transition("start", ("received", "reviewed"), "in_calibration", "开始校准", "Start calibration",
                   guard=_received_unless_on_site),
        Transition("finish", ("in_calibration",), "calibrated", "完成校准", "Calibration done"),
        Transition("reopen", ("calibrated",), "in_calibration", "退回更正", "Returned for correction",
                   requires_comment=True),
        Transition("issue", ("calibrated",), "issued", "出具证书", "Certificate issued"),
        Transition("hand_over", ("issued",), "returned", "交还", "Hand over", permission="orders.hand_over_item"),
        Transition("withdraw", ("requested", "reviewed", "received"), "withdrawn", "撤销", "Withdraw",
                   requires_comment=True),
    ],
    initial="requested",
)
