"""Navigation for the UI shell: the sections each role uses."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from caltrace.core import roles

from .access import CUSTOMER_DESK_ROLES, FINDING_ROLES, has_role

# (url name, label, roles that see it; None = every signed-in user). A superuser sees the staff
# sections. An entry whose url name does not resolve yet is skipped. Chinese has no plural, so a
# label that names a list uses the "plural" context to get its own English translation.
NAVIGATION = [
    ("web:home", _("工作台"), None),
    ("calibration:job_queue", _("我的工作"), (roles.CALIBRATOR, roles.REVIEWER, roles.SIGNATORY, roles.RECEPTION,
                                             roles.LAB_MANAGER)),
    ("portal:home", _("客户门户"), (roles.CUSTOMER,)),
    ("web:my_organisation", _("我的单位"), (roles.CUSTOMER,)),
    ("web:customer_list", pgettext_lazy("plural", "客户单位"), CUSTOMER_DESK_ROLES),
    ("orders:queue", _("前台待办"), (roles.RECEPTION, roles.LAB_MANAGER)),
    ("orders:list", pgettext_lazy("plural", "委托单"), roles.STAFF_ROLES),
    ("orders:scan", _("扫码查找样品"), roles.STAFF_ROLES),
    ("orders:prices", _("价目表"), (roles.LAB_MANAGER,)),
    ("web:finding_list", pgettext_lazy("plural", "诚信发现项"), FINDING_ROLES),
    ("org:agency", _("机构与场所"), roles.STAFF_ROLES),
    ("org:scope_item_list", _("能力范围"), roles.STAFF_ROLES),
    ("people:person_list", _("人员"), (roles.LAB_MANAGER, roles.TECHNICAL_DIRECTOR, roles.QUALITY_MANAGER)),
    ("methods:method_list", _("方法"), roles.STAFF_ROLES),
    ("equipment:list", _("设备"), roles.STAFF_ROLES),
    ("calibration:record_list", pgettext_lazy("plural", "原始记录"), (roles.CALIBRATOR, roles.REVIEWER, roles.SIGNATORY,
                                                                    roles.TECHNICAL_DIRECTOR, roles.QUALITY_MANAGER,
                                                                    roles.LAB_MANAGER)),
    ("certificates:list", pgettext_lazy("plural", "校准证书"), roles.STAFF_ROLES + (roles.CUSTOMER,)),
    ("portal:staff_requests", _("客户申请与投诉"), (roles.QUALITY_MANAGER, roles.LAB_MANAGER)),
    ("web:rule_list", _("规则登记"), roles.STAFF_ROLES),
    ("web:data_index", _("数据导入导出"), (roles.LAB_MANAGER, roles.RECEPTION, roles.EQUIPMENT_MANAGER,
                                          roles.TECHNICAL_DIRECTOR)),
]


def _is_active(path: str, url: str) -> bool:
    # A section stays highlighted on its sub-pages; the home page only on itself.
    return path == url or (url != "/" and path.startswith(url))


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "user_roles": []}
    mine = roles.roles_of(user)
    items = []
    for name, label, allowed in NAVIGATION:
        if allowed is not None and not has_role(user, allowed):
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        items.append({"url": url, "label": label, "active": _is_active(request.path, url)})
    # Where one section's URL lies under another's (/orders/queue/ under /orders/), only the closer one is active.
    active = [i for i in items if i["active"]]
    if len(active) > 1:
        closest = max(active, key=lambda i: len(i["url"]))
        for i in active:
            i["active"] = i is closest
    user_roles = [roles.ROLES[r].label for r in sorted(mine, key=list(roles.ROLES).index)]
    if user.is_superuser:
        user_roles.insert(0, _("系统管理员"))
    return {"nav_items": items, "user_roles": user_roles}
