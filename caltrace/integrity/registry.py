"""The rule registry (规则登记): every GATE and FLAG, by requirement id, bound to events.

A rule is a function ``(obj, ctx) -> iterable of Violation`` registered with :func:`rule`.
``check(event, obj, **ctx)`` runs every rule bound to the event and returns the violations;
``enforce(event, obj, **ctx)`` raises :class:`RuleViolation` when any GATE is violated and
returns the FLAG violations, which the caller records as findings. No setting disables a rule.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Callable, Iterable

from .catalogue import CATALOGUE

GATE, FLAG = "GATE", "FLAG"


@dataclass(frozen=True)
class ObjectRef:
    model: str
    pk: str
    label: str

    @classmethod
    def of(cls, obj) -> "ObjectRef":
        return cls(model=obj._meta.label, pk=str(obj.pk), label=str(obj))

    def as_dict(self) -> dict:
        return {"model": self.model, "pk": self.pk, "label": self.label}


@dataclass(frozen=True)
class Violation:
    rule_id: str
    kind: str
    zh: str
    en: str
    objects: tuple[ObjectRef, ...] = ()

    def message(self, language: str | None = None) -> str:
        from django.utils import translation

        lang = language or translation.get_language() or "zh-hans"
        return self.en if lang.startswith("en") else self.zh

    def as_dict(self) -> dict:
        return {"id": self.rule_id, "kind": self.kind, "zh": self.zh, "en": self.en,
                "objects": [o.as_dict() for o in self.objects]}


class RuleViolation(Exception):
    """A GATE refused the action. Carries every violation found, each with its requirement id."""

    def __init__(self, violations: Iterable[Violation]):
        self.violations = list(violations)
        super().__init__("; ".join(f"{v.rule_id}: {v.en}" for v in self.violations))

    @property
    def rule_ids(self) -> list[str]:
        return [v.rule_id for v in self.violations]

    def as_dict(self) -> dict:
        return {"detail": "refused by rule", "violations": [v.as_dict() for v in self.violations]}


@dataclass
class Rule:
    id: str
    kind: str
    events: tuple[str, ...]
    zh: str
    en: str
    func: Callable = field(repr=False)

    @property
    def name(self) -> str:
        return f"{self.func.__module__}.{self.func.__name__}"

    def violation(self, zh: str, en: str, *objects) -> Violation:
        """Build a violation of this rule naming the objects involved."""
        return Violation(self.id, self.kind, zh, en, tuple(ObjectRef.of(o) for o in objects if o is not None))

    def as_dict(self) -> dict:
        return {"id": self.id, "kind": self.kind, "events": list(self.events), "zh": self.zh, "en": self.en,
                "name": self.name}


_rules: dict[str, Rule] = {}
_by_event: dict[str, list[Rule]] = defaultdict(list)


def rule(rule_id: str, *, kind: str, events: Iterable[str], zh: str, en: str):
    """Register a rule. The function receives ``(rule, obj, ctx)`` and yields violations."""
    if rule_id not in CATALOGUE:
        raise ValueError(f"rule id {rule_id!r} is not in the requirement catalogue")
    if kind not in (GATE, FLAG):
        raise ValueError(f"rule kind must be GATE or FLAG, not {kind!r}")
    if kind not in CATALOGUE[rule_id].kinds and not (kind == FLAG and "RECORD" in CATALOGUE[rule_id].kinds):
        raise ValueError(f"{rule_id} is not a {kind} in the catalogue")
    events = tuple(events)

    def decorate(func):
        r = Rule(rule_id, kind, events, zh, en, func)
        if r.name in _rules:
            return func  # module re-imported: keep the first registration
        _rules[r.name] = r
        for event in events:
            _by_event[event].append(r)
        return func

    return decorate


def rules(event: str | None = None) -> list[Rule]:
    _load_rule_modules()
    if event is None:
        return sorted(_rules.values(), key=lambda r: (r.id, r.name))
    return list(_by_event.get(event, ()))


def events() -> list[str]:
    _load_rule_modules()
    return sorted(_by_event)


def check(event: str, obj, **ctx) -> list[Violation]:
    """Every violation of the rules bound to ``event`` for ``obj``; ``ctx`` carries the rest."""
    found: list[Violation] = []
    for r in rules(event):
        found.extend(r.func(r, obj, ctx) or ())
    return found


def enforce(event: str, obj, **ctx) -> list[Violation]:
    """Raise RuleViolation if a GATE is violated; otherwise return the FLAG violations."""
    found = check(event, obj, **ctx)
    gates = [v for v in found if v.kind == GATE]
    if gates:
        raise RuleViolation(gates)
    return [v for v in found if v.kind == FLAG]


_loaded = False


def _load_rule_modules():
    """Import every installed app's ``rules`` module so its rules register."""
    global _loaded
    if _loaded:
        return
    from django.apps import apps
    from django.utils.module_loading import module_has_submodule
    import importlib

    for cfg in apps.get_app_configs():
        if cfg.name.startswith("caltrace.") and module_has_submodule(cfg.module, "rules"):
            importlib.import_module(f"{cfg.name}.rules")
    _loaded = True
