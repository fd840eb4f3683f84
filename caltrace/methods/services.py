"""Writes of the methods app: the method registry and its editions."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import Method, MethodVersion


def do_register_method(*, code: str, kind: str, title: str, title_en: str = "") -> Method:
    """Register a method document by its code without edition ("JJF 1587")."""
    with transaction.atomic():
        method = Method(code=code, kind=kind, title=title, title_en=title_en)
        method.full_clean()
        method.save()
        return method


def do_add_method_version(method: Method, *, edition: str, effective_on: dt.date,
                          withdrawn_on: dt.date | None = None) -> MethodVersion:
    """Add an edition of a method ("2016") with its effective date."""
    with transaction.atomic():
        version = MethodVersion(method=method, edition=edition, effective_on=effective_on, withdrawn_on=withdrawn_on)
        version.full_clean()
        version.save()
        return version


def do_supersede_method_version(old: MethodVersion, new: MethodVersion, *,
                                withdrawn_on: dt.date | None = None) -> bool:
    """Record that ``new`` replaces ``old`` (代替), which is withdrawn when ``new`` takes effect unless
    another date is given. The successor may belong to another method (JJF 1059-1999 → JJF 1059.1-2012).
    Returns False when this was already recorded."""
    with transaction.atomic():
        old = MethodVersion.objects.select_for_update().get(pk=old.pk)
        if old.pk == new.pk:
            raise ValidationError(_("版本不能被自身代替"))
        withdrawn_on = withdrawn_on or new.effective_on
        if old.superseded_by_id == new.pk and old.withdrawn_on == withdrawn_on:
            return False
        old.superseded_by, old.withdrawn_on = new, withdrawn_on
        old.full_clean()
        old.save(update_fields=["superseded_by", "withdrawn_on", "updated_at"])
        return True
