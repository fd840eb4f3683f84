"""Template helpers of the equipment pages."""

from decimal import Decimal

from django import template

from .. import selectors
from ..choices import ServiceEventKind

register = template.Library()


@register.filter
def status_label(code):
    """``{{ eq.status|status_label }}``: the derived status in the current language."""
    return selectors.status_label(code)


@register.filter
def status_badge(code):
    """``{{ eq.status|status_badge }}``: the badge class of the UI shell for a status."""
    return selectors.status_badge(code)


@register.filter
def service_event_label(code):
    """``{{ eq.service_kind|service_event_label }}``: a service event's name in the current language."""
    return str(ServiceEventKind(code).label) if code in ServiceEventKind.values else ""


@register.filter
def plain(value):
    """A decimal without trailing zeros: 10.000000000 → 10."""
    if value is None or value == "":
        return ""
    text = format(Decimal(value).normalize(), "f")
    return "0" if text in ("-0", "") else text
