"""The job workflow (检定/校准任务的状态流转).

assigned → in_progress → signed_off → reviewed → issued. The reviewer may return a signed-off or
reviewed job for correction (back to in_progress, with a comment); a failed on-site safety check
stops the job (SAF-1). The services in :mod:`caltrace.calibration.jobs` prepare and call each
transition; the rules bound to ``job.start`` and ``job.review`` judge the job's ``as_work()``.

Return for correction: the signed-off raw record stays as it is (records are never changed after
sign-off); returning the job opens a new draft record of the same job (same procedure, equipment and
field values, no readings) that the calibrator fills and signs off again. The job keeps the ids of
the records it replaced in ``replaced_records``; the certificate is built from the latest.
"""

from caltrace.core.workflows import Reason, Transition, Workflow


def _record_signed_off(job, actor):
    if job.record_id is None or job.record.is_draft:
        return Reason("原始记录尚未签署", "The raw record is not signed off")
    return None


def _has_reviewer(job, actor):
    if job.reviewer_id is None:
        return Reason("没有核验人员", "No reviewer")
    return None


def _has_certificate(job, actor):
    if job.certificate_id is None:
        return Reason("尚未出具证书", "No certificate issued")
    return None


JOB_WORKFLOW = Workflow(
    states={
        "assigned": ("已分派", "assigned"),
        "in_progress": ("校准中", "in progress"),
        "signed_off": ("待核验", "awaiting review"),
        "reviewed": ("待批准", "awaiting approval"),
        "issued": ("已出证", "certificate issued"),
        "stopped": ("已停止", "stopped"),
    },
    transitions=[
        Transition("start", ("assigned",), "in_progress", "开始校准", "Start"),
        Transition("sign_off", ("in_progress",), "signed_off", "签署原始记录", "Sign off", guard=_record_signed_off),
        Transition("review", ("signed_off",), "reviewed", "核验通过", "Review", guard=_has_reviewer),
        Transition("return_for_correction", ("signed_off", "reviewed"), "in_progress", "退回更正",
                   "Return for correction", requires_comment=True),
        Transition("issue", ("reviewed",), "issued", "批准并出具证书", "Approve and issue", guard=_has_certificate),
        Transition("stop", ("assigned", "in_progress"), "stopped", "停止任务", "Stop", requires_comment=True),
    ],
    initial="assigned",
)
