"""Template helpers of the people pages: validity badges and field names."""

from django import template
from django.utils.html import format_html

from caltrace.org.choices import MetrologyField

from ..choices import Validity

register = template.Library()

BADGE_CLASSES = {Validity.VALID: "badge-ok", Validity.EXPIRING: "state-open", Validity.LAPSED: "badge-danger",
                 Validity.REVOKED: "state-dismissed", Validity.NOT_YET: "state-acknowledged"}


@register.simple_tag
def validity_badge(obj, day):
    """``{% validity_badge qualification today %}``: valid / expiring / lapsed / revoked / not yet."""
    code = obj.validity_on(day)
    return format_html('<span class="badge {}">{}</span>', BADGE_CLASSES[code], Validity(code).label)


@register.filter
def field_label(code):
    return dict(MetrologyField.choices).get(code, code)


@register.filter
def listing(values):
    """Values joined as a list in the current language: 甲、乙 / A, B."""
    from django.utils import translation

    sep = ", " if (translation.get_language() or "").startswith("en") else "、"
    return sep.join(str(v) for v in values)


@register.filter
def scope_labels(authorization):
    return [f"{s.certificate.number}/{s.code} {s.item_type}" for s in authorization.scope_items.all()]


@register.filter
def method_codes(authorization):
    return [m.code for m in authorization.methods.all()]
