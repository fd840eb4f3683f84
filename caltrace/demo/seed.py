"""Seeds the demo lab. Idempotent: running it twice leaves one copy of everything.

Each record is looked up by its natural key and created through its app's service only when
missing; an existing record is never saved again (a save would be a ledger entry, and a new
password hash a change), so a second run writes nothing. Records a user has edited since stay
as they are.
"""

import importlib
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from caltrace.core import audit, roles
from caltrace.core.services import do_sync_role_groups
from caltrace.customers.models import CustomerContact, CustomerOrganisation
from caltrace.customers.services import (
    do_add_customer_contact,
    do_open_portal_account,
    do_register_customer_organisation,
)
from caltrace.equipment.models import Equipment
from caltrace.equipment.services import do_register_equipment
from caltrace.methods.models import Method, MethodVersion
from caltrace.methods.services import do_add_method_version, do_register_method, do_supersede_method_version
from caltrace.org.models import Agency, Room, Site
from caltrace.org.services import do_add_room, do_add_site, do_register_agency
from caltrace.people.models import Person, Qualification
from caltrace.people.services import (
    do_assign_role,
    do_create_login,
    do_open_staff_account,
    do_record_qualification,
    do_register_person,
)

from . import data


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: str
    role_zh: str
    role_en: str


DEMO_PASSWORD = "caltrace-demo"
ADMIN_ROLE = ("admin", "系统管理员", "Administrator")


def _ensure(queryset, lookup: dict, create):
    """The record matching ``lookup``, or the one ``create()`` makes when there is none.
    ``create`` is called at once, so closures over loop variables are safe."""
    found = queryset.filter(**lookup).first()
    return found if found is not None else create()


def _without(d: dict, *keys) -> dict:
    return {k: v for k, v in d.items() if k not in keys}


# Apps whose demo.py extends the demo lab, in the order they depend on each other.
APP_DEMOS = ("org", "methods", "people", "equipment", "calibration", "orders")
# Everything but the calibration part (records and issued certificates, about 9 s of PDF
# rendering) and the orders that use its procedures: what tests of the registries and pages seed.
BASE_DEMOS = ("org", "methods", "people", "equipment")


def seed(*, apps: tuple[str, ...] = APP_DEMOS) -> list[DemoAccount]:
    """Seed the demo lab; ``apps`` limits which apps' own demo parts are added (dependency order kept)."""
    with audit.audit_context(actor="system:init-demo"), transaction.atomic():
        do_sync_role_groups()
        agency = _seed_agency()
        sites, rooms = _seed_premises(agency)
        accounts = [_seed_admin()]
        accounts += _seed_staff(sites)
        _seed_methods()
        _seed_equipment(rooms)
        accounts += _seed_customers()
        today = timezone.localdate()
        for app in (a for a in APP_DEMOS if a in apps):  # each app adds its own part, in dependency order
            importlib.import_module(f"caltrace.{app}.demo").seed(today)
        return accounts


def _seed_agency() -> Agency:
    return _ensure(Agency.objects, {"credit_code": data.AGENCY["credit_code"]},
                   lambda: do_register_agency(**data.AGENCY))


def _seed_premises(agency: Agency) -> tuple[dict[str, Site], dict[str, Room]]:
    sites, rooms = {}, {}
    for row in data.SITES:
        sites[row["name"]] = _ensure(agency.sites, {"name": row["name"]},
                                     lambda: do_add_site(agency, **row))
    for site_name, room_rows in data.ROOMS.items():
        site = sites[site_name]
        for code, name, keeps_standards, area in room_rows:
            rooms[code] = _ensure(site.rooms, {"code": code}, lambda: do_add_room(
                site, code=code, name=name, keeps_standards=keeps_standards, area_m2=area))
    return sites, rooms


def _account(username: str, role: str) -> DemoAccount:
    r = roles.ROLES[role]
    return DemoAccount(username, DEMO_PASSWORD, r.code, r.name_zh, r.name_en)


def _seed_admin() -> DemoAccount:
    row = data.ADMIN
    _ensure(get_user_model().objects, {"username": row["username"]}, lambda: do_create_login(
        username=row["username"], password=DEMO_PASSWORD, email=row["email"], full_name=row["full_name"],
        is_superuser=True))
    return DemoAccount(row["username"], DEMO_PASSWORD, *ADMIN_ROLE)


def _seed_staff(sites: dict[str, Site]) -> list[DemoAccount]:
    accounts = []
    for row in data.STAFF:
        fields = _without(row, "username", "roles", "qualifications", "site")
        person = _ensure(Person.objects, {"staff_no": row["staff_no"]},
                         lambda: do_register_person(site=sites[row["site"]], **fields))
        for q in row["qualifications"]:
            _ensure(Qualification.objects, {"person": person, "kind": q["kind"], "number": q.get("number", "")},
                    lambda: do_record_qualification(person, **q))
        if not row.get("username"):
            continue
        if person.user_id is None:
            user = do_open_staff_account(person, username=row["username"], password=DEMO_PASSWORD,
                                         email=f"{row['username']}@mingheng.example", roles=row["roles"])
        else:
            user = person.user
            for role in row["roles"]:
                do_assign_role(user, role)  # a no-op when the user has the role
        accounts += [_account(user.username, role) for role in row["roles"]]
    return accounts


def _seed_methods() -> None:
    for row in data.METHODS:
        method = _ensure(Method.objects, {"code": row["code"]},
                         lambda: do_register_method(**_without(row, "versions")))
        for edition, effective_on in row["versions"]:
            _ensure(method.versions, {"edition": edition}, lambda: do_add_method_version(
                method, edition=edition, effective_on=effective_on))
    for (old_code, old_edition), (new_code, new_edition) in data.SUPERSESSIONS:
        old = MethodVersion.objects.get(method__code=old_code, edition=old_edition)
        new = MethodVersion.objects.get(method__code=new_code, edition=new_edition)
        if old.superseded_by_id is None:
            do_supersede_method_version(old, new)


def _seed_equipment(rooms: dict[str, Room]) -> None:
    for row in data.EQUIPMENT:
        room = rooms[row["room"]] if row["room"] else None
        _ensure(Equipment.objects, {"asset_no": row["asset_no"]},
                lambda: do_register_equipment(home_room=room, **_without(row, "room")))


def _seed_customers() -> list[DemoAccount]:
    accounts = []
    for row in data.CUSTOMERS:
        org = _ensure(CustomerOrganisation.objects, {"credit_code": row["credit_code"]},
                      lambda: do_register_customer_organisation(**_without(row, "contacts")))
        for c in row["contacts"]:
            contact = _ensure(CustomerContact.objects, {"organisation": org, "name": c["name"]},
                              lambda: do_add_customer_contact(org, **_without(c, "username")))
            if not c.get("username"):
                continue
            if contact.user_id is None:
                user = do_open_portal_account(contact, username=c["username"], password=DEMO_PASSWORD)
            else:
                user = contact.user
                do_assign_role(user, roles.CUSTOMER)
            accounts.append(_account(user.username, roles.CUSTOMER))
    return accounts
