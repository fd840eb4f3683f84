"""The workflow framework, exercised on integrity findings: one test per transition and refusal."""

import json

import pytest
from django.core.exceptions import PermissionDenied

from caltrace.core.models import AuditEntry
from caltrace.core.workflows import Transition, TransitionError, Workflow, transition
from caltrace.integrity import registry
from caltrace.integrity.models import Finding
from caltrace.integrity.registry import GATE, RuleViolation, Violation
from caltrace.integrity.services import record_findings

pytestmark = pytest.mark.django_db


@pytest.fixture
def finding():
    (f,) = record_findings([Violation("PRH-6", "FLAG", "读数分散性过小", "spread implausibly small")],
                           event="record.sign_off")
    return f


@pytest.fixture
def qm(make_user):
    return make_user("qm", roles=["quality_manager"])


def test_recorded_finding_is_open_and_blocks_issue(finding):
    assert finding.status == "open"
    assert finding.blocks_issue  # PRH-6 findings block certificate issue


def test_acknowledge_then_resolve_records_each_change_with_actor_and_reason(finding, qm):
    finding = transition(finding, "acknowledge", actor=qm)
    assert finding.status == "acknowledged"
    finding = transition(finding, "resolve", actor=qm, comment="复核原始记录，读数真实")
    assert Finding.objects.get(pk=finding.pk).status == "resolved"
    entries = list(AuditEntry.objects.filter(model="integrity.Finding", object_pk=str(finding.pk)).order_by("seq"))
    assert [e.action for e in entries] == ["create", "update", "update"]
    last = entries[-1]
    assert last.actor == "user:qm"
    assert last.reason == "复核原始记录，读数真实"
    assert json.loads(last.before)["status"] == "acknowledged"
    assert json.loads(last.after)["status"] == "resolved"


def test_transition_from_a_wrong_state_is_refused(finding, qm):
    transition(finding, "dismiss", actor=qm, comment="误报")
    with pytest.raises(TransitionError) as exc:
        transition(finding, "acknowledge", actor=qm)
    assert exc.value.code == "state"
    assert Finding.objects.get(pk=finding.pk).status == "dismissed"


def test_transition_without_permission_is_refused(finding, make_user):
    calibrator = make_user("cal", roles=["calibrator"])
    with pytest.raises(PermissionDenied):
        transition(finding, "acknowledge", actor=calibrator)
    assert Finding.objects.get(pk=finding.pk).status == "open"


def test_transition_that_needs_a_comment_is_refused_without_one(finding, qm):
    with pytest.raises(TransitionError) as exc:
        transition(finding, "resolve", actor=qm, comment="  ")
    assert exc.value.code == "comment"
    assert Finding.objects.get(pk=finding.pk).status == "open"


def test_unknown_transition_is_refused(finding, qm):
    with pytest.raises(TransitionError) as exc:
        transition(finding, "explode", actor=qm)
    assert exc.value.code == "unknown"


def test_a_gate_bound_to_the_transition_refuses_it_and_nothing_changes(finding, qm, scratch_registry):
    @registry.rule("CND-5", kind=GATE, events=["finding.resolve"], zh="证书与记录不一致",
                   en="certificate differs from the record")
    def block(rule, obj, ctx):
        yield rule.violation("证书与记录不一致", "certificate differs from the record", obj)

    before = AuditEntry.objects.count()
    with pytest.raises(RuleViolation) as exc:
        transition(finding, "resolve", actor=qm, comment="试图关闭")
    assert exc.value.rule_ids == ["CND-5"]
    assert Finding.objects.get(pk=finding.pk).status == "open"
    assert AuditEntry.objects.count() == before


def test_guard_reason_is_reported_in_both_languages(finding, qm):
    from caltrace.core.workflows import Reason

    wf = Workflow(
        states={"open": ("待处理", "open"), "closed": ("关闭", "closed")},
        transitions=[Transition("close", ("open",), "closed", "关闭", "Close",
                                guard=lambda obj, actor: Reason("尚有未完成事项", "work remains"))],
        initial="open",
    )
    assert wf.available(finding, qm) == []
    original = Finding.workflow
    Finding.workflow = wf
    try:
        with pytest.raises(TransitionError) as exc:
            transition(finding, "close", actor=qm)
    finally:
        Finding.workflow = original
    assert (exc.value.zh, exc.value.en) == ("尚有未完成事项", "work remains")


def test_workflow_refuses_transitions_to_undeclared_states():
    with pytest.raises(ValueError, match="unknown states"):
        Workflow(states={"a": ("甲", "a")}, transitions=[Transition("go", ("a",), "b", "去", "Go")], initial="a")


def test_available_lists_what_the_actor_may_do(finding, qm, make_user):
    assert [t.name for t in Finding.workflow.available(finding, qm)] == ["acknowledge", "resolve", "dismiss"]
    assert Finding.workflow.available(finding, make_user("x", roles=["calibrator"])) == []
