"""Scope items from a spreadsheet (能力范围导入), and the same columns out again.

One row per scope item. The certificate is named by its number; methods by their codes
("JJF 1587"), sites by their names, several separated by "；", ";", "、" or ",".
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from caltrace.core.imports import Column, ImportSpec, parse_bool, parse_choice, parse_date, parse_decimal, \
    parse_lookup, register

from .choices import CmcForm, MetrologyField
from .models import QualificationCertificate
from .selectors import scope_items
from .services import do_add_scope_item

LIST_SEPARATORS = re.compile(r"\s*[；;、,，\n]\s*")
JOIN = "；"


def split_list(text: str) -> list[str]:
    return [part for part in LIST_SEPARATORS.split(text.strip()) if part]


def parse_methods(text: str):
    from caltrace.methods.models import Method

    codes = split_list(text)
    found = {m.code.lower(): m for m in Method.objects.filter(code__in=codes)}
    if len(found) < len(codes):  # a case or spacing difference: look each up without case
        for code in codes:
            if code.lower() not in found:
                method = Method.objects.filter(code__iexact=" ".join(code.split())).first()
                if method is not None:
                    found[code.lower()] = method
    missing = [c for c in codes if c.lower() not in found]
    if missing:
        raise ValueError(_("找不到方法“%(codes)s”") % {"codes": "、".join(missing)})
    return [found[c.lower()] for c in codes]


def _create(row: dict):
    cert = row.pop("certificate")
    names = row.pop("sites") or []
    by_name = {s.name: s for s in cert.agency.sites.filter(name__in=names)}
    missing = [n for n in names if n not in by_name]
    if missing:
        raise ValidationError({"sites": _("机构“%(agency)s”没有名为“%(names)s”的场所") % {
            "agency": cert.agency.name, "names": "、".join(missing)}})
    methods = row.pop("methods") or []
    values = {k: v for k, v in row.items() if v is not None}
    for text_field in ("quantity_en", "item_type_en", "cmc_text"):
        values.setdefault(text_field, "")
    return do_add_scope_item(cert, methods=methods, sites=[by_name[n] for n in names], **values)


def _joined(attr, key):
    return lambda item: JOIN.join(getattr(o, key) for o in getattr(item, attr).all())


SCOPE = register(ImportSpec(
    name="scope",
    title_zh="能力范围",
    title_en="Accredited scope",
    columns=(
        Column("certificate", "证书编号", "Certificate number",
               parse_lookup(lambda: QualificationCertificate.objects.select_related("agency"), "number", gettext_lazy("资质证书")),
               export=lambda item: item.certificate.number),
        Column("code", "条目编号", "Item code"),
        Column("field", "专业领域", "Field", parse_choice(MetrologyField)),
        Column("quantity", "测量参数", "Quantity"),
        Column("quantity_en", "测量参数（英文）", "Quantity (English)", required=False),
        Column("item_type", "被校仪器名称", "Item type"),
        Column("item_type_en", "被校仪器名称（英文）", "Item type (English)", required=False),
        Column("range_min", "测量范围下限", "Range from", parse_decimal,
               export=lambda item: _plain(item.range_min)),
        Column("range_max", "测量范围上限", "Range to", parse_decimal, export=lambda item: _plain(item.range_max)),
        Column("bipolar", "正负双极性", "Bipolar", parse_bool, required=False),
        Column("unit", "单位", "Unit"),
        Column("cmc_form", "CMC 表示方式", "CMC form", parse_choice(CmcForm)),
        Column("cmc_a", "CMC 常数项 a", "CMC a", parse_decimal, required=False,
               export=lambda item: _plain(item.cmc_a)),
        Column("cmc_b", "CMC 比例项 b", "CMC b", parse_decimal, required=False,
               export=lambda item: _plain(item.cmc_b)),
        Column("cmc_k", "包含因子 k", "Coverage factor k", parse_decimal, required=False,
               export=lambda item: _plain(item.cmc_k)),
        Column("cmc_text", "CMC（证书原文）", "CMC as stated", required=False),
        Column("methods", "适用方法", "Methods", parse_methods, export=_joined("methods", "code")),
        Column("sites", "有效场所", "Sites", split_list, export=_joined("sites", "name")),
        Column("withdrawn_on", "撤出能力范围日期", "Withdrawn on", parse_date, required=False),
    ),
    create=_create,
    queryset=lambda: scope_items().order_by("certificate__number", "code"),
))


def _plain(value) -> str:
    from .models import format_decimal

    return format_decimal(value)
