"""The rule registry: registration against the catalogue, check() and enforce()."""

import json
import os
from pathlib import Path

import pytest

from caltrace.integrity import registry
from caltrace.integrity.catalogue import CATALOGUE
from caltrace.integrity.registry import FLAG, GATE, RuleViolation

SHARED_CATALOGUE = Path(__file__).resolve().parents[3].parent / "shared" / "spec" / "requirements.json"


def test_catalogue_matches_the_project_requirements():
    if not SHARED_CATALOGUE.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{SHARED_CATALOGUE} is missing in CI")
        pytest.skip("the shared requirements catalogue is not beside this checkout")
    rows = json.loads(SHARED_CATALOGUE.read_text(encoding="utf-8"))
    assert {r["id"] for r in rows} == set(CATALOGUE)
    for r in rows:
        assert set(r["kinds"]) == set(CATALOGUE[r["id"]].kinds), r["id"]


def test_a_rule_must_name_a_catalogued_id(scratch_registry):
    with pytest.raises(ValueError, match="not in the requirement catalogue"):
        registry.rule("XYZ-9", kind=GATE, events=["x"], zh="无", en="none")


def test_a_rule_kind_must_match_the_catalogue(scratch_registry):
    with pytest.raises(ValueError, match="not a GATE"):
        registry.rule("PRH-6", kind=GATE, events=["x"], zh="无", en="none")  # PRH-6 is a FLAG
    with pytest.raises(ValueError, match="GATE or FLAG"):
        registry.rule("EQP-2", kind="WARN", events=["x"], zh="无", en="none")


class Thing:
    """A stand-in object with what ObjectRef needs."""

    class _meta:
        label = "tests.Thing"

    def __init__(self, pk, value):
        self.pk, self.value = pk, value

    def __str__(self):
        return f"thing {self.pk}"


def _register_threshold_rules():
    @registry.rule("EQP-2", kind=GATE, events=["thing.use"], zh="值过大", en="value too large")
    def too_large(rule, obj, ctx):
        if obj.value > ctx.get("limit", 10):
            yield rule.violation("值过大", "value too large", obj)

    @registry.rule("PRH-6", kind=FLAG, events=["thing.use", "thing.sign"], zh="值可疑", en="value suspicious")
    def suspicious(rule, obj, ctx):
        if obj.value == 7:
            yield rule.violation("值可疑", "value suspicious", obj)


def test_check_returns_every_violation_bound_to_the_event(scratch_registry):
    _register_threshold_rules()
    assert registry.check("thing.use", Thing(1, 3)) == []
    found = registry.check("thing.use", Thing(2, 70), limit=5)
    assert [v.rule_id for v in found] == ["EQP-2"]
    assert found[0].objects[0].as_dict() == {"model": "tests.Thing", "pk": "2", "label": "thing 2"}
    assert registry.check("thing.other", Thing(3, 70)) == []
    assert [r.id for r in registry.rules("thing.sign")] == ["PRH-6"]


def test_enforce_raises_on_a_gate_and_returns_flags(scratch_registry):
    _register_threshold_rules()
    with pytest.raises(RuleViolation) as exc:
        registry.enforce("thing.use", Thing(4, 99))
    assert exc.value.rule_ids == ["EQP-2"]
    body = exc.value.as_dict()
    assert body["violations"][0] == {
        "id": "EQP-2", "kind": "GATE", "zh": "值过大", "en": "value too large",
        "objects": [{"model": "tests.Thing", "pk": "4", "label": "thing 4"}],
    }
    flags = registry.enforce("thing.use", Thing(5, 7))  # lawful for the GATE, flagged
    assert [(v.rule_id, v.kind) for v in flags] == [("PRH-6", "FLAG")]
    assert registry.enforce("thing.use", Thing(6, 1)) == []


def test_rules_listing_is_sorted_and_serialisable(scratch_registry):
    _register_threshold_rules()
    listed = [r.as_dict() for r in registry.rules()]
    assert [r["id"] for r in listed] == ["EQP-2", "PRH-6"]
    assert listed[1]["events"] == ["thing.use", "thing.sign"]
    json.dumps(listed, ensure_ascii=False)
