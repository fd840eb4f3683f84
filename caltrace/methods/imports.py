"""Methods and their editions from a spreadsheet (方法及版本导入), one row per edition.

A row names the method (code, kind, titles) and one edition (edition, effective date, withdrawal
date, the edition that supersedes it, minimum duration, the developer's staff number for an
in-house method). The first row of a method registers it; later rows add editions. An edition
already registered with the same dates is left as it is, so an export imports again. A
"superseded by" edition must be registered already or stand in an earlier row: the export lists
the newest editions first for that reason.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from caltrace.core import roles
from caltrace.core.imports import Column, ImportSpec, parse_choice, parse_date, register

from .choices import MethodKind
from .models import Method, MethodVersion
from .services import do_add_method_version, do_register_method, do_supersede_method_version


def find_version(designation: str) -> MethodVersion | None:
    """The edition named "JJF 1587-2016" or "ISO 6789-1:2017" (the code may contain "-" itself)."""
    text = " ".join(designation.split())
    for pos in range(len(text) - 1, 0, -1):
        if text[pos] in "-:":
            found = (MethodVersion.objects.select_related("method")
                     .filter(method__code=text[:pos].strip(), edition=text[pos + 1:].strip()).first())
            if found is not None:
                return found
    return None


def _parse_successor(text: str) -> str:
    return " ".join(text.split())


def _parse_minutes(text: str) -> int:
    try:
        value = int(text.strip())
    except ValueError:
        raise ValueError(_("应为整数分钟（收到“%(text)s”）") % {"text": text}) from None
    if value <= 0:
        raise ValueError(_("应大于零"))
    return value


def _parse_person(text: str):
    from caltrace.people.models import Person

    found = Person.objects.filter(staff_no=text.strip()).first()
    if found is None:
        raise ValueError(_("找不到工号为“%(text)s”的人员") % {"text": text.strip()})
    return found


def _create(row: dict) -> MethodVersion:
    code = " ".join(row["code"].split())
    method = Method.objects.filter(code=code).first()
    if method is None:
        method = do_register_method(code=code, kind=row["kind"], title=row["title"], title_en=row["title_en"] or "")
    elif method.kind != row["kind"]:
        raise ValidationError({"kind": _("方法 %(code)s 已按“%(kind)s”登记") % {
            "code": code, "kind": method.get_kind_display()}})
    version = method.versions.filter(edition=row["edition"].strip()).first()
    if version is None:
        version = do_add_method_version(method, edition=row["edition"], effective_on=row["effective_on"],
                                        withdrawn_on=row["withdrawn_on"],
                                        min_duration_minutes=row["min_duration_minutes"],
                                        developed_by=row["developed_by"])
    elif version.effective_on != row["effective_on"]:
        raise ValidationError({"edition": _("版本 %(d)s 已登记，实施日期为 %(day)s") % {
            "d": version.designation, "day": version.effective_on.isoformat()}})
    if row["superseded_by"]:
        successor = find_version(row["superseded_by"])
        if successor is None:
            raise ValidationError({"superseded_by": _("找不到代替版本“%(d)s”：请先登记它，或把它所在的行放在本行之前") % {
                "d": row["superseded_by"]}})
        do_supersede_method_version(version, successor, withdrawn_on=row["withdrawn_on"])
    elif row["withdrawn_on"] and version.withdrawn_on != row["withdrawn_on"]:
        if version.withdrawn_on is not None:
            raise ValidationError({"withdrawn_on": _("版本 %(d)s 已登记，废止日期为 %(day)s") % {
                "d": version.designation, "day": version.withdrawn_on.isoformat()}})
        from .services import do_update_method_version

        do_update_method_version(version, withdrawn_on=row["withdrawn_on"],
                                 min_duration_minutes=version.min_duration_minutes)
    return version


# Who may import and export the registry in the UI (where the import contract names roles).
_ROLES = ({"roles": (roles.TECHNICAL_DIRECTOR, roles.LAB_MANAGER)}
          if "roles" in getattr(ImportSpec, "__dataclass_fields__", {}) else {})

METHODS = register(ImportSpec(
    name="methods",
    title_zh="方法及版本",
    title_en="Methods and versions",
    columns=(
        Column("code", "方法编号", "Code", export=lambda v: v.method.code),
        Column("kind", "类别", "Kind", parse=parse_choice(MethodKind), export=lambda v: v.method.get_kind_display()),
        Column("title", "名称", "Title", export=lambda v: v.method.title),
        Column("title_en", "英文名称", "English title", required=False, export=lambda v: v.method.title_en),
        Column("edition", "版本(年代号)", "Edition"),
        Column("effective_on", "实施日期", "Effective date", parse=parse_date),
        Column("withdrawn_on", "废止日期", "Withdrawal date", parse=parse_date, required=False),
        Column("superseded_by", "被代替为", "Superseded by", parse=_parse_successor, required=False,
               export=lambda v: v.superseded_by.designation if v.superseded_by_id else ""),
        Column("min_duration_minutes", "最短校准时长(分钟)", "Minimum duration (min)", parse=_parse_minutes,
               required=False),
        Column("developed_by", "方法制定人工号", "Developer staff no.", parse=_parse_person, required=False,
               export=lambda v: v.developed_by.staff_no if v.developed_by_id else ""),
    ),
    create=_create,
    queryset=lambda: MethodVersion.objects.select_related("method", "superseded_by__method", "developed_by")
    .order_by("-effective_on", "method__code", "edition"),
    **_ROLES,
))
