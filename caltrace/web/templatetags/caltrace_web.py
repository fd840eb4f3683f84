"""Template helpers of the UI shell."""

from django import template

from caltrace.integrity.catalogue import CATALOGUE

from .. import display

register = template.Library()


@register.simple_tag
def bilingual(zh, en):
    """``{% bilingual obj.message_zh obj.message_en %}``: the text in the current language."""
    return display.in_language(zh, en)


@register.filter
def state_label(obj, code=None):
    """``{{ finding|state_label }}``: a workflow object's state in the current language."""
    wf = obj.workflow
    return display.state_label(wf, code if code is not None else getattr(obj, wf.field_name))


@register.filter
def transition_label(t):
    return display.transition_label(t)


@register.filter
def localized(item):
    """The message of a Violation, TransitionError or Rule in the current language."""
    if hasattr(item, "message"):
        return item.message()
    return display.in_language(item.zh, item.en)


@register.filter
def requirement_title(rule_id):
    """The catalogue's short title of a requirement id, in the current language."""
    req = CATALOGUE.get(rule_id)
    return display.in_language(req.zh, req.en) if req else ""


@register.filter
def model_label(label):
    return display.model_label(label)


@register.filter
def actor_label(actor):
    return display.actor_label(actor)


@register.filter
def ref(obj, key):
    """``{{ ref|ref:"pk" }}``: a key of an object reference, dict or ObjectRef alike."""
    return obj.get(key, "") if isinstance(obj, dict) else getattr(obj, key, "")
