"""Customer organisations from a spreadsheet (客户单位导入)."""

from caltrace.core.imports import Column, ImportSpec, register

from .models import CustomerOrganisation
from .services import do_register_customer_organisation

CUSTOMERS = register(ImportSpec(
    name="customers",
    title_zh="客户单位",
    title_en="Customer organisations",
    columns=(
        Column("name", "单位名称", "Name"),
        Column("credit_code", "统一社会信用代码", "Unified social credit code"),
        Column("name_en", "英文名称", "English name", required=False),
        Column("address", "地址", "Address", required=False),
        Column("phone", "电话", "Phone", required=False),
    ),
    create=lambda row: do_register_customer_organisation(**{k: v or "" for k, v in row.items()}),
    queryset=lambda: CustomerOrganisation.objects.order_by("name"),
    roles=("reception", "lab_manager"),
))
