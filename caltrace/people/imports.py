"""Staff, qualifications and authorizations from spreadsheets, and back (人员、资格、授权导入导出).

Persons are named by staff number (工号); scope items by "certificate number/item code" or, where
the code is unique, by item code alone; methods by code; fields of measurement by code or name.
A cell may list several, separated by ";", "；", "、" or a line break. Authorizations are granted
through the same service as in the UI, so an import that grants what a person does not qualify for
is refused row by row with the requirement id.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from caltrace.core.imports import Column, ImportSpec, parse_choice, parse_date, parse_lookup, register

from .access import WRITE_ROLES
from .choices import AuthorizationKind, EmploymentType, QualificationKind, StaffCategory
from .models import Authorization, Person, Qualification
from .services import do_grant_authorization, do_record_qualification, do_register_person

_SEPARATORS = re.compile(r"[;；、\n]+")


def split_cell(text: str) -> list[str]:
    return [part.strip() for part in _SEPARATORS.split(text or "") if part.strip()]


def _persons():
    return Person.objects.all()


def _sites():
    from caltrace.org.models import Site

    return Site.objects.all()


def parse_scope_items(text: str) -> list:
    """Scope items by "certificate number/item code", or by item code when only one item has it."""
    from caltrace.org.models import ScopeItem

    found = []
    for ref in split_cell(text):
        matches = list(ScopeItem.objects.filter(code=ref).select_related("certificate"))
        if not matches and "/" in ref:
            number, code = ref.rsplit("/", 1)
            matches = list(ScopeItem.objects.filter(certificate__number=number.strip(), code=code.strip()))
        if not matches:
            raise ValueError(_("找不到能力范围条目“%(ref)s”") % {"ref": ref})
        if len(matches) > 1:
            numbers = "、".join(sorted(m.certificate.number for m in matches))
            raise ValueError(_("条目编号“%(ref)s”在多份证书中出现（%(numbers)s），请写作“证书编号/条目编号”")
                             % {"ref": ref, "numbers": numbers})
        found.append(matches[0])
    return found


def parse_methods(text: str) -> list:
    from caltrace.methods.models import Method

    found = []
    for code in split_cell(text):
        method = Method.objects.filter(code=" ".join(code.split())).first()
        if method is None:
            raise ValueError(_("找不到方法“%(code)s”") % {"code": code})
        found.append(method)
    return found


def parse_fields(text: str) -> list[str]:
    from caltrace.org.choices import MetrologyField

    one = parse_choice(MetrologyField)
    return [one(part) for part in split_cell(text)]


def _scope_refs(auth) -> str:
    return "; ".join(f"{s.certificate.number}/{s.code}" for s in auth.scope_items.all())


def _method_codes(auth) -> str:
    return "; ".join(m.code for m in auth.methods.all())


def _field_names(auth) -> str:
    return "; ".join(auth.field_labels())


def _given(row: dict) -> dict:
    """The row without the optional cells left empty (the service's defaults apply)."""
    return {k: v for k, v in row.items() if v is not None}


STAFF = register(ImportSpec(
    name="staff",
    title_zh="人员",
    title_en="Staff",
    columns=(
        Column("staff_no", "工号", "Staff number"),
        Column("name", "姓名", "Name"),
        Column("birth_date", "出生日期", "Birth date", parse_date),
        Column("hire_date", "入职日期", "Hire date", parse_date),
        Column("employment_type", "用工形式", "Employment type", parse_choice(EmploymentType),
               export=lambda p: p.get_employment_type_display()),
        Column("category", "人员类别", "Category", parse_choice(StaffCategory), required=False,
               export=lambda p: p.get_category_display()),
        Column("position", "岗位", "Position", required=False),
        Column("calibration_since", "从事校准工作起始日期", "Calibration work since", parse_date, required=False),
        Column("site", "所在场所", "Site", parse_lookup(_sites, "name", gettext_lazy("场所")), required=False,
               export=lambda p: p.site.name if p.site_id else ""),
        Column("left_on", "离职日期", "Left on", parse_date, required=False),
    ),
    create=lambda row: do_register_person(**_given(row)),
    queryset=lambda: Person.objects.select_related("site").order_by("staff_no"),
    roles=WRITE_ROLES,
))

QUALIFICATIONS = register(ImportSpec(
    name="qualifications",
    title_zh="人员资格",
    title_en="Qualifications",
    columns=(
        Column("person", "工号", "Staff number", parse_lookup(_persons, "staff_no", gettext_lazy("人员")),
               export=lambda q: q.person.staff_no),
        Column("kind", "类别", "Kind", parse_choice(QualificationKind), export=lambda q: q.get_kind_display()),
        Column("title", "名称", "Title", required=False),
        Column("number", "证书编号", "Certificate number", required=False),
        Column("issuer", "发证机关", "Issuer"),
        Column("discipline", "专业或项目", "Discipline", required=False),
        Column("valid_from", "有效期起", "Valid from", parse_date),
        Column("valid_until", "有效期止", "Valid until", parse_date, required=False),
    ),
    create=lambda row: do_record_qualification(row.pop("person"), **_given(row)),
    queryset=lambda: Qualification.objects.select_related("person").order_by("person__staff_no", "kind", "valid_from"),
    roles=WRITE_ROLES,
))

AUTHORIZATIONS = register(ImportSpec(
    name="authorizations",
    title_zh="人员授权",
    title_en="Authorizations",
    columns=(
        Column("person", "工号", "Staff number", parse_lookup(_persons, "staff_no", gettext_lazy("人员")),
               export=lambda a: a.person.staff_no),
        Column("kind", "授权类别", "Kind", parse_choice(AuthorizationKind), export=lambda a: a.get_kind_display()),
        Column("valid_from", "有效期起", "Valid from", parse_date),
        Column("valid_until", "有效期止", "Valid until", parse_date, required=False),
        Column("scope_items", "能力范围条目", "Scope items", parse_scope_items, required=False, export=_scope_refs),
        Column("methods", "方法", "Methods", parse_methods, required=False, export=_method_codes),
        Column("metrology_fields", "专业领域", "Fields", parse_fields, required=False, export=_field_names),
        Column("document_no", "授权书编号", "Document number", required=False),
        Column("note", "备注", "Note", required=False),
        Column("revoked_on", "撤销日期", "Revoked on", parse_date, required=False),
        Column("revoke_reason", "撤销原因", "Revocation reason", required=False),
    ),
    create=lambda row: do_grant_authorization(row.pop("person"), **_given(row)),
    queryset=lambda: (Authorization.objects.select_related("person")
                      .prefetch_related("scope_items__certificate", "methods")
                      .order_by("person__staff_no", "kind", "valid_from", "id")),
    roles=WRITE_ROLES,
))
