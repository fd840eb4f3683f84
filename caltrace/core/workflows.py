"""Declared workflows (状态流转): transition tables and the one service that applies them.

A model with a workflow declares ``workflow = Workflow(...)`` and a ``status`` field. Its state
changes only through :func:`transition`, which locks the row, checks the source state, the
transition's permission and pure guard, the integrity rules bound to ``"<model>.<transition>"``,
then saves; the audit ledger records the change with the comment as its reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable

from django.core.exceptions import PermissionDenied
from django.db import transaction as db_transaction

from . import audit


class TransitionError(Exception):
    """A transition that is not allowed from the current state, or whose guard refuses."""

    def __init__(self, code: str, zh: str, en: str):
        self.code, self.zh, self.en = code, zh, en
        super().__init__(en)

    def message(self, language: str | None = None) -> str:
        from django.utils import translation

        lang = language or translation.get_language() or "zh-hans"
        return self.en if lang.startswith("en") else self.zh

    def as_dict(self) -> dict:
        return {"detail": self.en, "code": self.code, "zh": self.zh, "en": self.en}


@dataclass(frozen=True)
class Reason:
    """Why a guard refuses, in both languages."""

    zh: str
    en: str


@dataclass(frozen=True)
class Transition:
    name: str
    sources: tuple[str, ...]
    target: str
    label_zh: str
    label_en: str
    permission: str | None = None  # "app.codename", checked with actor.has_perm
    guard: Callable[..., Reason | None] | None = None  # guard(obj, actor) -> Reason or None
    requires_comment: bool = False
    after: Callable | None = field(default=None, compare=False)  # after(obj, actor, comment), inside the transaction


class Workflow:
    def __init__(self, states: dict[str, tuple[str, str]], transitions: Iterable[Transition], *,
                 initial: str, field_name: str = "status"):
        self.states = states  # code -> (zh, en)
        self.transitions = {t.name: t for t in transitions}
        self.initial = initial
        self.field_name = field_name
        for t in self.transitions.values():
            unknown = {*t.sources, t.target} - set(states)
            if unknown:
                raise ValueError(f"transition {t.name} names unknown states {sorted(unknown)}")

    def choices(self):
        return [(code, zh) for code, (zh, _en) in self.states.items()]

    def available(self, obj, actor=None) -> list[Transition]:
        """Transitions open from the object's state (for buttons): permission and guard pass."""
        state = getattr(obj, self.field_name)
        out = []
        for t in self.transitions.values():
            if state not in t.sources:
                continue
            if actor is not None and t.permission and not actor.has_perm(t.permission):
                continue
            if t.guard and t.guard(obj, actor) is not None:
                continue
            out.append(t)
        return out


def transition(obj, name: str, *, actor, comment: str = ""):
    """Apply the named transition to ``obj`` as ``actor``; returns the refreshed object."""
    from caltrace.integrity import registry

    model = type(obj)
    wf: Workflow = model.workflow
    try:
        t = wf.transitions[name]
    except KeyError:
        raise TransitionError("unknown", f"没有名为 {name} 的状态转换", f"no transition named {name}") from None
    with db_transaction.atomic():
        locked = model._base_manager.select_for_update().get(pk=obj.pk)
        state = getattr(locked, wf.field_name)
        if state not in t.sources:
            zh_state, en_state = wf.states[state]
            raise TransitionError(
                "state", f"当前状态为“{zh_state}”，不能执行“{t.label_zh}”",
                f"cannot {t.label_en.lower()} from state '{en_state}'")
        if t.permission and not actor.has_perm(t.permission):
            raise PermissionDenied(f"{actor} lacks {t.permission}")
        if t.requires_comment and not comment.strip():
            raise TransitionError("comment", f"“{t.label_zh}”需要填写说明", f"'{t.label_en}' needs a comment")
        if t.guard:
            reason = t.guard(locked, actor)
            if reason is not None:
                raise TransitionError("guard", reason.zh, reason.en)
        event = f"{model._meta.model_name}.{name}"
        flags = registry.enforce(event, locked, actor=actor, comment=comment)
        setattr(locked, wf.field_name, t.target)
        with audit.audit_context(actor=audit.actor_for_user(actor), reason=comment or t.label_en):
            locked.save()
            if t.after:
                t.after(locked, actor, comment)
            if flags:
                from caltrace.integrity.services import record_findings

                record_findings(flags, event=event)
    return locked
