"""Navigation for the UI shell: the sections each role uses."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from caltrace.core import roles

# (url name, label, roles that see it; None = every signed-in user)
NAVIGATION = [
    ("web:home", _("工作台"), None),
    ("web:customer_list", _("客户"), (roles.RECEPTION, roles.QUALITY_MANAGER, roles.LAB_MANAGER)),
    ("web:my_organisation", _("我的单位"), (roles.CUSTOMER,)),
    ("web:finding_list", _("诚信发现项"), (roles.QUALITY_MANAGER, roles.TECHNICAL_DIRECTOR, roles.LAB_MANAGER)),
    ("web:rule_list", _("规则"), roles.STAFF_ROLES),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "user_roles": []}
    mine = roles.roles_of(user)
    items = []
    for name, label, allowed in NAVIGATION:
        if allowed is not None and not user.is_superuser and not (mine & set(allowed)):
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        items.append({"url": url, "label": label, "active": request.path == url})
    return {"nav_items": items, "user_roles": [roles.ROLES[r].label for r in sorted(mine)]}
