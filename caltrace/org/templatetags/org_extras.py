"""Template helpers of the org pages."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext

from ..choices import STATUS_BADGES, ValidityStatus

register = template.Library()


@register.simple_tag
def status_badge(status):
    """``{% status_badge cert.status %}``: a validity status as a coloured badge."""
    if not status:
        return ""
    return format_html('<span class="badge {}">{}</span>', STATUS_BADGES.get(status, ""),
                       ValidityStatus(status).label)


@register.simple_tag
def valid_badge(valid):
    """``{% valid_badge item.valid_today %}``: whether a scope item is part of today's valid scope."""
    if valid:
        return format_html('<span class="badge badge-ok">{}</span>', gettext("有效"))
    return format_html('<span class="badge badge-danger">{}</span>', gettext("无效"))


@register.filter
def bi(obj, name):
    """``{{ method|bi:"title" }}``: ``obj.title_en`` when the UI speaks English and it is set, else ``obj.title``."""
    from ..models import in_language

    return in_language(getattr(obj, name, ""), getattr(obj, f"{name}_en", ""))
