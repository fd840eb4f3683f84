"""Issue 3's contract: every permission GATE is registered and bound to the four moments of work."""

import json

import pytest

from caltrace.cli import main
from caltrace.integrity import registry
from caltrace.integrity.work import WORK_EVENTS

PERMISSION_GATES = {"PER-2", "PER-3", "PER-4", "PER-5", "QUAL-1", "SITE-2", "MTH-2", "VAL-1",
                    "EQP-2", "EQP-3", "EQP-4", "EQP-5", "CND-7"}
# PER-3 (appointment of the technical director) and PER-4 (who develops or validates a
# non-standard method) are judged when the authorization is granted or the validation recorded,
# not at each job.
GRANT_TIME_ONLY = {"PER-3", "PER-4"}


@pytest.mark.django_db
def test_rules_list_names_every_permission_gate(capsys):
    assert main(["rules", "list", "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    gates = {r["id"] for r in listed if r["kind"] == "GATE"}
    assert PERMISSION_GATES <= gates


@pytest.mark.parametrize("event", WORK_EVENTS)
def test_each_work_event_carries_the_permission_gates(event):
    bound = {r.id for r in registry.rules(event) if r.kind == registry.GATE}
    assert PERMISSION_GATES - GRANT_TIME_ONLY <= bound, sorted(PERMISSION_GATES - GRANT_TIME_ONLY - bound)
