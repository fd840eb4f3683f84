"""Finding workflow: open → acknowledged → resolved, or dismissed with a reason."""

from caltrace.core.workflows import Transition, Workflow

FINDING_WORKFLOW = Workflow(
    states={
        "open": ("待处理", "open"),
        "acknowledged": ("已确认", "acknowledged"),
        "resolved": ("已解决", "resolved"),
        "dismissed": ("已驳回", "dismissed"),
    },
    transitions=[
        Transition("acknowledge", ("open",), "acknowledged", "确认", "Acknowledge",
                   permission="integrity.resolve_finding"),
        Transition("resolve", ("open", "acknowledged"), "resolved", "解决", "Resolve",
                   permission="integrity.resolve_finding", requires_comment=True),
        Transition("dismiss", ("open", "acknowledged"), "dismissed", "驳回", "Dismiss",
                   permission="integrity.resolve_finding", requires_comment=True),
        Transition("reopen", ("resolved", "dismissed"), "open", "重新打开", "Reopen",
                   permission="integrity.resolve_finding", requires_comment=True),
    ],
    initial="open",
)
