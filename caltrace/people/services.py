"""Writes of the people app: staff, their logins and roles, and their qualifications."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from caltrace.core.roles import CUSTOMER, ROLES

from .choices import EmploymentType
from .models import Person, Qualification


def do_create_login(*, username: str, password: str, email: str = "", full_name: str = "",
                    is_superuser: bool = False):
    """Create a sign-in account. Chinese names are not split: the whole name goes in ``first_name``
    so that ``get_full_name()`` shows it as written."""
    User = get_user_model()
    with transaction.atomic():
        user = User(username=username, email=email, first_name=full_name, is_superuser=is_superuser,
                    is_staff=is_superuser)
        user.set_password(password)
        user.full_clean()
        user.save()
        return user


def do_assign_role(user, role: str) -> bool:
    """Put a user in a role's group; returns False when the user already had the role."""
    if role not in ROLES:
        raise ValidationError(_("未知角色：%(role)s"), params={"role": role})
    with transaction.atomic():
        group, _created = Group.objects.get_or_create(name=role)
        if user.groups.filter(pk=group.pk).exists():
            return False
        user.groups.add(group)
        user._caltrace_roles = None  # drop the cached roles of this instance
        return True


def do_register_person(*, staff_no: str, name: str, birth_date: dt.date, hire_date: dt.date,
                       employment_type: str = EmploymentType.LONG_TERM, calibration_since: dt.date | None = None,
                       site=None, user=None) -> Person:
    """Register a staff member."""
    with transaction.atomic():
        person = Person(staff_no=staff_no, name=name, birth_date=birth_date, hire_date=hire_date,
                        employment_type=employment_type, calibration_since=calibration_since, site=site, user=user)
        person.full_clean()
        person.save()
        return person


def do_open_staff_account(person: Person, *, username: str, password: str, email: str = "",
                          roles: tuple[str, ...] = ()):
    """Give a staff member a login with the given roles."""
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        if person.user_id is not None:
            raise ValidationError(_("%(name)s 已有登录账号"), params={"name": person.name})
        if CUSTOMER in roles:
            raise ValidationError(_("员工账号不能具有客户角色"))
        user = do_create_login(username=username, password=password, email=email, full_name=person.name)
        person.user = user
        person.save(update_fields=["user", "updated_at"])
        for role in roles:
            do_assign_role(user, role)
        return user


def do_record_qualification(person: Person, *, kind: str, issuer: str, valid_from: dt.date,
                            valid_until: dt.date | None = None, number: str = "", title: str = "",
                            discipline: str = "") -> Qualification:
    """Record a personal qualification with its certificate number and validity."""
    with transaction.atomic():
        qualification = Qualification(person=person, kind=kind, issuer=issuer, valid_from=valid_from,
                                      valid_until=valid_until, number=number, title=title, discipline=discipline)
        qualification.full_clean()
        qualification.save()
        return qualification
