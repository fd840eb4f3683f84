"""Roles (角色): one Django group per role, with the permissions the role needs."""

from dataclasses import dataclass, replace

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Role:
    code: str
    name_zh: str
    name_en: str
    label: object  # lazy translation for the UI
    permissions: tuple[str, ...] = ()


CUSTOMER = "customer"
RECEPTION = "reception"
CALIBRATOR = "calibrator"
REVIEWER = "reviewer"
SIGNATORY = "signatory"
EQUIPMENT_MANAGER = "equipment_manager"
QUALITY_MANAGER = "quality_manager"
TECHNICAL_DIRECTOR = "technical_director"
LAB_MANAGER = "lab_manager"

# What every staff role may read in the resource registries.
_STAFF_READ = ("org.view_qualificationcertificate", "org.view_scopeitem", "methods.view_environmentlimit",
               "methods.view_recordfield", "methods.view_methodvalidation")
# What the lab manager and the technical director maintain: premises and the accredited scope.
_SCOPE_WRITE = ("org.change_agency", "org.add_site", "org.change_site", "org.add_room", "org.change_room",
                "org.add_qualificationcertificate", "org.change_qualificationcertificate", "org.add_scopeitem",
                "org.change_scopeitem")
_EQUIPMENT_RECORDS = ("equipmentrange", "traceabilityrecord", "traceabilityresult", "metrologicalconfirmation",
                      "intermediatecheck", "verification", "serviceevent", "usagerecord", "standardcertificate")
_EQUIPMENT_READ = tuple(f"equipment.view_{m}" for m in _EQUIPMENT_RECORDS)
# Append-only records: the equipment manager adds them; nobody changes them.
_EQUIPMENT_WRITE = tuple(f"equipment.add_{m}" for m in _EQUIPMENT_RECORDS) + ("equipment.change_equipmentrange",)
_METHOD_WRITE = ("methods.add_environmentlimit", "methods.change_environmentlimit", "methods.add_recordfield",
                 "methods.change_recordfield", "methods.add_methodvalidation", "methods.change_methodvalidation")

ROLES: dict[str, Role] = {r.code: r for r in [
    Role(CUSTOMER, "客户", "Customer", _("客户")),
    Role(RECEPTION, "业务受理", "Reception", _("业务受理"),
         ("customers.view_customerorganisation", "customers.change_customerorganisation",
          "customers.add_customerorganisation", "customers.view_customercontact",
          "customers.add_customercontact", "customers.change_customercontact")),
    Role(CALIBRATOR, "校准员", "Calibrator", _("校准员"),
         ("equipment.view_equipment", "methods.view_method", "methods.view_methodversion")),
    Role(REVIEWER, "核验员", "Reviewer", _("核验员"),
         ("equipment.view_equipment", "methods.view_method", "methods.view_methodversion")),
    Role(SIGNATORY, "授权签字人", "Authorized signatory", _("授权签字人"),
         ("equipment.view_equipment", "methods.view_method", "methods.view_methodversion")),
    Role(EQUIPMENT_MANAGER, "设备管理员", "Equipment manager", _("设备管理员"),
         ("equipment.view_equipment", "equipment.add_equipment", "equipment.change_equipment",
          "org.view_room", "org.view_site")),
    Role(QUALITY_MANAGER, "质量负责人", "Quality manager", _("质量负责人"),
         ("integrity.view_finding", "integrity.resolve_finding", "customers.view_customerorganisation",
          "people.view_person", "people.view_qualification", "equipment.view_equipment", "org.view_agency",
          "org.view_site", "org.view_room")),
    Role(TECHNICAL_DIRECTOR, "技术负责人", "Technical director", _("技术负责人"),
         ("methods.view_method", "methods.add_method", "methods.change_method", "methods.view_methodversion",
          "methods.add_methodversion", "methods.change_methodversion", "integrity.view_finding",
          "people.view_person", "people.view_qualification", "equipment.view_equipment", "org.view_agency",
          "org.view_site", "org.view_room")),
    Role(LAB_MANAGER, "实验室主任", "Laboratory manager", _("实验室主任"),
         ("integrity.view_finding", "integrity.resolve_finding", "people.view_person", "people.change_person",
          "people.view_qualification", "customers.view_customerorganisation", "equipment.view_equipment",
          "methods.view_method", "org.view_agency", "org.view_site", "org.view_room")),
]}

STAFF_ROLES = tuple(code for code in ROLES if code != CUSTOMER)


def _extend(code: str, *perms: str) -> None:
    ROLES[code] = replace(ROLES[code], permissions=tuple(dict.fromkeys(ROLES[code].permissions + perms)))


for _code in STAFF_ROLES:
    _extend(_code, *_STAFF_READ, *_EQUIPMENT_READ)
_extend(EQUIPMENT_MANAGER, *_EQUIPMENT_WRITE)
for _code in (LAB_MANAGER, TECHNICAL_DIRECTOR):
    _extend(_code, *_SCOPE_WRITE)
_extend(TECHNICAL_DIRECTOR, *_METHOD_WRITE)
# The business flow (orders): reception reviews contracts, receives and hands items back; the
# laboratory manager approves a quote below cost (MKT-2) and may stand in for reception.
_ORDERS_READ = ("orders.view_order", "orders.view_orderitem", "orders.view_deviation", "orders.view_quote",
                "orders.view_pricelistentry")
for _code in STAFF_ROLES:
    _extend(_code, *_ORDERS_READ)
_extend(RECEPTION, "orders.review_order", "orders.receive_item", "orders.hand_over_item")
_extend(LAB_MANAGER, "orders.review_order", "orders.receive_item", "orders.hand_over_item", "orders.approve_quote",
        "orders.add_pricelistentry", "orders.change_pricelistentry")


def roles_of(user) -> set[str]:
    if not user or not user.is_authenticated:
        return set()
    cached = getattr(user, "_caltrace_roles", None)
    if cached is None:
        cached = set(user.groups.filter(name__in=ROLES).values_list("name", flat=True))
        user._caltrace_roles = cached
    return cached


def is_staff_member(user) -> bool:
    return bool(user and user.is_authenticated and (user.is_superuser or roles_of(user) & set(STAFF_ROLES)))


def is_customer(user) -> bool:
    return CUSTOMER in roles_of(user) and not is_staff_member(user)
