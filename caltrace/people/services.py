"""Writes of the people app: staff, their logins and roles, qualifications, training,
authorizations and protective equipment. Each write validates, runs the rules bound to its
event and saves in one transaction."""

import datetime as dt
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from caltrace.core import audit
from caltrace.core.roles import CUSTOMER, ROLES
from caltrace.integrity import registry
from caltrace.integrity.services import record_findings

from . import selectors
from .choices import MAY_NAME_METHODS, NEEDS_SCOPE, TRAINER_QUALIFICATIONS, EmploymentType, StaffCategory
from .models import Authorization, Person, ProtectiveEquipmentIssue, Qualification, Training, TrainingAttendance
from .rules import GRANT, TRAINING_RECORD


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
                       site=None, user=None, category: str = StaffCategory.CALIBRATION, position: str = "",
                       left_on: dt.date | None = None) -> Person:
    """Register a staff member."""
    with transaction.atomic():
        person = Person(staff_no=staff_no, name=name, birth_date=birth_date, hire_date=hire_date,
                        employment_type=employment_type, calibration_since=calibration_since, site=site, user=user,
                        category=category, position=position, left_on=left_on)
        person.full_clean()
        person.save()
        return person


PERSON_EDITABLE = ("name", "birth_date", "employment_type", "hire_date", "left_on", "calibration_since", "site",
                   "category", "position")


def do_update_person(person: Person, **changes) -> Person:
    """Change a staff member's facts (not the staff number or the login). Saves nothing when nothing
    changes. Leaving (``left_on``) ends what the person may do from the day after."""
    unknown = set(changes) - set(PERSON_EDITABLE)
    if unknown:
        raise ValueError(f"not editable here: {sorted(unknown)}")
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        changed = [name for name, value in changes.items() if getattr(person, name) != value]
        if not changed:
            return person
        for name in changed:
            setattr(person, name, changes[name])
        person.full_clean()
        person.save(update_fields=[*changed, "updated_at"])
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


# --- training (PER-6, HR-2, HR-3) ---------------------------------------------------------------


def _trainer_qualification_text(trainer: Person, on: dt.date) -> str:
    held = selectors.holding(trainer, TRAINER_QUALIFICATIONS, on)
    return "；".join(" ".join(p for p in (q.get_kind_display(), q.title, q.number) if p) for q in held)


def do_record_training(*, kind: str, topic: str, held_on: dt.date, hours: Decimal, attendees=(),
                       trainer: Person | None = None, trainer_name: str = "", trainer_qualification: str = "",
                       provider: str = "", assessment: str = "", note: str = "", failed=()) -> Training:
    """Record a training that took place, with who attended (``attendees``; those in ``failed``
    attended without passing the assessment). An in-house trainer's qualification is written from
    their valid qualifications when not given. Returns the training; a trainer who does not meet
    PER-6 raises a finding, not a refusal."""
    attendees = list(dict.fromkeys(attendees))
    failed_pks = {p.pk for p in failed}
    with transaction.atomic():
        if trainer is not None and not trainer_qualification.strip():
            trainer_qualification = _trainer_qualification_text(trainer, held_on)
        training = Training(kind=kind, topic=topic, held_on=held_on, hours=hours, trainer=trainer,
                            trainer_name=trainer_name, trainer_qualification=trainer_qualification, provider=provider,
                            assessment=assessment, note=note)
        training.full_clean()
        if not attendees:
            raise ValidationError({"attendees": _("请至少登记一名参训人员")})
        flags = registry.enforce(TRAINING_RECORD, training)
        training.save()
        for person in attendees:
            attendance = TrainingAttendance(training=training, person=person, passed=person.pk not in failed_pks)
            attendance.full_clean()
            attendance.save()
        if flags:
            record_findings(flags, event=TRAINING_RECORD)
        return training


def do_add_training_attendee(training: Training, person: Person, *, passed: bool = True,
                             score: str = "") -> TrainingAttendance:
    """Add one attendee to a recorded training."""
    with transaction.atomic():
        attendance = TrainingAttendance(training=training, person=person, passed=passed, score=score)
        attendance.full_clean()
        attendance.save()
        return attendance


# --- authorizations -----------------------------------------------------------------------------


def _check_scope(kind: str, scope_items: list, methods: list) -> None:
    """The scope of a calibrator authorization: at least one scope item and one method, each method
    listed by one of the scope items (a calibrator is authorized for an item *and* its method)."""
    errors = {}
    if kind in NEEDS_SCOPE:
        if not scope_items:
            errors["scope_items"] = _("校准人员的授权须指明能力范围条目")
        if not methods:
            errors["methods"] = _("校准人员的授权须指明方法")
        elif scope_items:
            listed = {m.pk for item in scope_items for m in item.methods.all()}
            outside = [m for m in methods if m.pk not in listed]
            if outside:
                errors["methods"] = ValidationError(
                    _("以下方法不在所选能力范围条目的适用方法中：%(methods)s"),
                    params={"methods": "、".join(m.code for m in outside)})
    elif scope_items:
        errors["scope_items"] = _("此类授权不按能力范围条目授予")
    if methods and kind not in MAY_NAME_METHODS:
        errors["methods"] = _("此类授权不按方法授予")
    if errors:
        raise ValidationError(errors)


def do_grant_authorization(person: Person, *, kind: str, valid_from: dt.date, valid_until: dt.date | None = None,
                           scope_items=(), methods=(), metrology_fields=(), document_no: str = "", note: str = "",
                           actor=None, today: dt.date | None = None, revoked_on: dt.date | None = None,
                           revoke_reason: str = "") -> Authorization:
    """Grant an authorization. Refused with :class:`RuleViolation` (each violated requirement id)
    when the person does not qualify on the day it takes effect, or on the grant day when that is
    inside its validity (``people.rules``, event ``authorization.grant``).

    ``revoked_on`` and ``revoke_reason`` record an authorization that was granted and revoked in the
    past (an import of the lab's history); the grant day is then judged only while it was in force.
    """
    scope_items, methods = list(dict.fromkeys(scope_items)), list(dict.fromkeys(methods))
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        auth = Authorization(person=person, kind=kind, valid_from=valid_from, valid_until=valid_until,
                             metrology_fields=list(metrology_fields), document_no=document_no.strip(), note=note,
                             granted_by=actor if getattr(actor, "pk", None) else None, revoked_on=revoked_on,
                             revoke_reason=revoke_reason.strip())
        errors = {}
        try:
            auth.full_clean()
        except ValidationError as exc:
            errors.update(exc.error_dict)
        try:
            _check_scope(kind, scope_items, methods)
        except ValidationError as exc:
            errors.update(exc.error_dict)
        if errors:
            raise ValidationError(errors)
        flags = registry.enforce(GRANT, auth, actor=actor, today=today or timezone.localdate())
        with audit.audit_context(actor=audit.actor_for_user(actor) if getattr(actor, "pk", None) else None):
            auth.save()
            if scope_items:
                auth.scope_items.set(scope_items)
            if methods:
                auth.methods.set(methods)
            if flags:
                record_findings(flags, event=GRANT)
        return auth


def do_revoke_authorization(authorization: Authorization, *, revoked_on: dt.date, reason: str,
                            actor=None) -> Authorization:
    """Revoke an authorization from a day on (the day itself included). Returns it unchanged when it
    is already revoked on or before that day."""
    with transaction.atomic():
        auth = Authorization.objects.select_for_update().get(pk=authorization.pk)
        if auth.revoked_on is not None and auth.revoked_on <= revoked_on:
            return auth
        auth.revoked_on, auth.revoke_reason = revoked_on, reason.strip()
        auth.full_clean()
        with audit.audit_context(actor=audit.actor_for_user(actor) if getattr(actor, "pk", None) else None,
                                 reason=reason.strip() or None):
            auth.save(update_fields=["revoked_on", "revoke_reason", "updated_at"])
        return auth


# --- protective equipment (HR-2) ----------------------------------------------------------------


def do_issue_protective_equipment(person: Person, *, item: str, issued_on: dt.date, quantity: int = 1,
                                  note: str = "") -> ProtectiveEquipmentIssue:
    """Record protective equipment issued to a person."""
    with transaction.atomic():
        issue = ProtectiveEquipmentIssue(person=person, item=item, issued_on=issued_on, quantity=quantity, note=note)
        issue.full_clean()
        issue.save()
        return issue
