"""Writes of the methods app: the method registry, its editions, their environmental limits and
record fields, and method validations. Each write validates with ``full_clean()`` inside one
transaction; the audit ledger records every row it changes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from caltrace.integrity import registry

from .choices import DEFAULT_UNITS
from .models import EnvironmentLimit, Method, MethodValidation, MethodVersion, RecordField
from .rules import VALIDATION_APPROVE, VALIDATION_RECORD, VERSION_ADD


def do_register_method(*, code: str, kind: str, title: str, title_en: str = "") -> Method:
    """Register a method document by its code without edition ("JJF 1587")."""
    with transaction.atomic():
        method = Method(code=code, kind=kind, title=title, title_en=title_en)
        method.full_clean()
        method.save()
        return method


def do_update_method(method: Method, *, title: str, title_en: str = "") -> bool:
    """Correct a method's titles (its code and kind identify it and do not change). False when unchanged."""
    with transaction.atomic():
        method = Method.objects.select_for_update().get(pk=method.pk)
        if (method.title, method.title_en) == (title, title_en):
            return False
        method.title, method.title_en = title, title_en
        method.full_clean()
        method.save(update_fields=["title", "title_en", "updated_at"])
        return True


def do_add_method_version(method: Method, *, edition: str, effective_on: dt.date,
                          withdrawn_on: dt.date | None = None, min_duration_minutes: int | None = None,
                          developed_by=None, supersedes: MethodVersion | None = None) -> MethodVersion:
    """Add an edition of a method ("2016") with its effective date. Who developed an in-house
    edition must qualify (PER-4). ``supersedes``: the edition this one replaces, withdrawn when
    this one takes effect."""
    with transaction.atomic():
        version = MethodVersion(method=method, edition=edition, effective_on=effective_on, withdrawn_on=withdrawn_on,
                                min_duration_minutes=min_duration_minutes, developed_by=developed_by)
        version.full_clean()
        registry.enforce(VERSION_ADD, version)
        version.save()
        if supersedes is not None:
            do_supersede_method_version(supersedes, version)
        return version


def do_update_method_version(version: MethodVersion, *, withdrawn_on: dt.date | None,
                             min_duration_minutes: int | None,
                             superseded_by: MethodVersion | None = None) -> bool:
    """Record an announced withdrawal date (or correct it), the minimum duration and, when given,
    the edition that replaces this one (withdrawn when that one takes effect unless ``withdrawn_on``
    says otherwise). False when nothing changed."""
    with transaction.atomic():
        version = MethodVersion.objects.select_for_update().get(pk=version.pk)
        successor_id = version.superseded_by_id if superseded_by is None else superseded_by.pk
        if superseded_by is not None and withdrawn_on is None:
            withdrawn_on = superseded_by.effective_on
        if (version.withdrawn_on, version.min_duration_minutes, version.superseded_by_id) == (
                withdrawn_on, min_duration_minutes, successor_id):
            return False
        if superseded_by is not None and superseded_by.pk == version.pk:
            raise ValidationError({"superseded_by": _("版本不能被自身代替")})
        version.withdrawn_on, version.min_duration_minutes = withdrawn_on, min_duration_minutes
        if superseded_by is not None:
            version.superseded_by = superseded_by
        version.full_clean()
        version.save(update_fields=["withdrawn_on", "min_duration_minutes", "superseded_by", "updated_at"])
        return True


def do_supersede_method_version(old: MethodVersion, new: MethodVersion, *,
                                withdrawn_on: dt.date | None = None) -> bool:
    """Record that ``new`` replaces ``old`` (代替), which is withdrawn when ``new`` takes effect unless
    another date is given. The successor may belong to another method (JJF 1059-1999 → JJF 1059.1-2012).
    Returns False when this was already recorded."""
    with transaction.atomic():
        old = MethodVersion.objects.select_for_update().get(pk=old.pk)
        if old.pk == new.pk:
            raise ValidationError({"superseded_by": _("版本不能被自身代替")})
        withdrawn_on = withdrawn_on or new.effective_on
        if old.superseded_by_id == new.pk and old.withdrawn_on == withdrawn_on:
            return False
        old.superseded_by, old.withdrawn_on = new, withdrawn_on
        old.full_clean()
        old.save(update_fields=["superseded_by", "withdrawn_on", "updated_at"])
        return True


# --- environmental limits and record fields -------------------------------------------------


_LIMIT_FIELDS = ("minimum", "maximum", "unit", "max_variation", "variation_minutes", "text")


def _limit_key(row: dict) -> tuple[str, str]:
    return row["condition"], (row.get("name") or "").strip()


def _dec(value) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


def do_set_environment_limits(version: MethodVersion, limits: list[dict]) -> bool:
    """Make the version's environmental limits exactly ``limits`` (dicts with condition, name,
    minimum, maximum, unit, max_variation, variation_minutes, text). Rows are matched by condition
    and name: changed ones are updated, missing ones deleted, new ones added. False when unchanged.
    Errors name the row: ``ValidationError({"limits.2.maximum": …})``."""
    with transaction.atomic():
        version = MethodVersion.objects.select_for_update().get(pk=version.pk)
        existing = {(r.condition, r.name): r for r in version.limits.all()}
        wanted, errors, changed = {}, {}, False
        for i, row in enumerate(limits):
            key = _limit_key(row)
            if key in wanted:
                errors[f"limits.{i}.condition"] = [_("同一版本的环境条件不能重复登记")]
                continue
            values = {"minimum": _dec(row.get("minimum")), "maximum": _dec(row.get("maximum")),
                      "unit": (row.get("unit") or "").strip() or DEFAULT_UNITS.get(row["condition"], ""),
                      "max_variation": _dec(row.get("max_variation")),
                      "variation_minutes": row.get("variation_minutes") or None, "text": row.get("text") or ""}
            obj = existing.get(key) or EnvironmentLimit(version=version, condition=key[0], name=key[1])
            before = {f: getattr(obj, f) for f in _LIMIT_FIELDS} if obj.pk else None
            for f, v in values.items():
                setattr(obj, f, v)
            try:
                obj.full_clean(exclude=["version"], validate_unique=False)
            except ValidationError as exc:
                for f, msgs in exc.message_dict.items():
                    errors[f"limits.{i}.{f}"] = msgs
                continue
            wanted[key] = (obj, before)
        if errors:
            raise ValidationError(errors)
        for key, row in existing.items():
            if key not in wanted:
                row.delete()
                changed = True
        for obj, before in wanted.values():
            if before is None:
                obj.save()
                changed = True
            elif before != {f: getattr(obj, f) for f in _LIMIT_FIELDS}:
                obj.save()
                changed = True
        return changed


_FIELD_ATTRS = ("label_zh", "label_en", "field_type", "unit", "options", "required", "position")


def do_set_record_fields(version: MethodVersion, fields: list[dict]) -> bool:
    """Make the record fields the version requires exactly ``fields`` (dicts with name, label_zh,
    label_en, field_type, unit, options, required), in that order. Matched by name. False when unchanged."""
    with transaction.atomic():
        version = MethodVersion.objects.select_for_update().get(pk=version.pk)
        existing = {f.name: f for f in version.record_fields.all()}
        wanted, errors, changed = {}, {}, False
        for i, row in enumerate(fields):
            name = (row.get("name") or "").strip()
            if name in wanted:
                errors[f"fields.{i}.name"] = [_("同一版本的字段标识不能重复")]
                continue
            obj = existing.get(name) or RecordField(version=version, name=name)
            before = {a: getattr(obj, a) for a in _FIELD_ATTRS} if obj.pk else None
            obj.label_zh = (row.get("label_zh") or "").strip()
            obj.label_en = (row.get("label_en") or "").strip()
            obj.field_type = row.get("field_type") or ""
            obj.unit = row.get("unit") or ""
            obj.options = list(row.get("options") or [])
            obj.required = bool(row.get("required", True))
            obj.position = i
            try:
                obj.full_clean(exclude=["version"], validate_unique=False)
            except ValidationError as exc:
                for f, msgs in exc.message_dict.items():
                    errors[f"fields.{i}.{f}"] = msgs
                continue
            wanted[name] = (obj, before)
        if errors:
            raise ValidationError(errors)
        for name, row in existing.items():
            if name not in wanted:
                row.delete()
                changed = True
        for obj, before in wanted.values():
            if before is None or before != {a: getattr(obj, a) for a in _FIELD_ATTRS}:
                obj.save()
                changed = True
        return changed


# --- validations ----------------------------------------------------------------------------


def do_record_validation(version: MethodVersion, *, use: str, subject: str, techniques: list[str], result: str,
                         conclusion: str, validated_by, validated_on: dt.date) -> MethodValidation:
    """Record a method validation (方法确认). The validator must qualify on the day (PER-4)."""
    with transaction.atomic():
        validation = MethodValidation(version=version, use=use, subject=subject, techniques=list(techniques),
                                      result=result, conclusion=conclusion, validated_by=validated_by,
                                      validated_on=validated_on)
        validation.full_clean()
        if validated_on > timezone.localdate():
            raise ValidationError({"validated_on": _("确认日期不能晚于今天")})
        registry.enforce(VALIDATION_RECORD, validation)
        validation.save()
        return validation


def do_approve_validation(validation: MethodValidation, *, approved_by, approved_on: dt.date | None = None
                          ) -> MethodValidation:
    """Approve a validation record (批准). Who approves must qualify on the day (PER-4)."""
    with transaction.atomic():
        validation = MethodValidation.objects.select_for_update().select_related("version__method").get(
            pk=validation.pk)
        if validation.approved_on is not None:
            raise ValidationError({"approved_on": _("此方法确认记录已经批准")})
        validation.approved_by = approved_by
        validation.approved_on = approved_on or timezone.localdate()
        validation.full_clean()
        registry.enforce(VALIDATION_APPROVE, validation)
        validation.save(update_fields=["approved_by", "approved_on", "updated_at"])
        return validation
