"""Workflows of the customer portal's requests: additional records (CON-3) and complaints.

The lab side acts on both (quality manager, lab manager); the services check the role, the
workflow the state. A refusal of a record request and the closing of a complaint need a text.
"""

from caltrace.core.workflows import Transition, Workflow

RECORD_REQUEST_WORKFLOW = Workflow(
    states={
        "requested": ("已申请", "requested"),
        "released": ("已提供", "released"),
        "refused": ("不予提供", "refused"),
    },
    transitions=[
        Transition("release", ("requested",), "released", "提供记录", "Release"),
        Transition("refuse", ("requested",), "refused", "不予提供", "Refuse", requires_comment=True),
    ],
    initial="requested",
)

COMPLAINT_WORKFLOW = Workflow(
    states={
        "received": ("已受理", "received"),
        "investigating": ("调查中", "investigating"),
        "closed": ("已关闭", "closed"),
    },
    transitions=[
        Transition("investigate", ("received",), "investigating", "开始调查", "Investigate"),
        Transition("close", ("received", "investigating"), "closed", "答复并关闭", "Respond and close",
                   requires_comment=True),
    ],
    initial="received",
)
