"""Bilingual values (zh, en pairs stored in data, not in the message catalogue) shown in the
current language."""

from django.apps import apps
from django.utils import translation


def is_english() -> bool:
    return (translation.get_language() or "zh-hans").startswith("en")


def in_language(zh: str, en: str) -> str:
    """The English text when the UI speaks English and one exists; the Chinese text otherwise."""
    return en if is_english() and en else zh


def state_label(workflow, code: str) -> str:
    zh, en = workflow.states.get(code, (code, code))
    return in_language(zh, en[:1].upper() + en[1:])  # English state names are stored in lower case


def transition_label(t) -> str:
    return in_language(t.label_zh, t.label_en)


def model_label(label: str) -> str:
    """``"app.Model"`` as the model's verbose name; the label itself for an unknown model."""
    try:
        return str(apps.get_model(label)._meta.verbose_name)
    except (LookupError, ValueError):
        return label


def actor_label(actor: str) -> str:
    """``"user:alice"`` → ``"alice"``; system actors keep their name."""
    return actor.split(":", 1)[1] if actor.startswith("user:") else actor
