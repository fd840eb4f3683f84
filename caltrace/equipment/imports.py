"""Equipment and traceability records from spreadsheets (设备与溯源记录导入导出).

The traceability export lists the records that count (a record corrected by a later one is left
out, its correction is in), so that an export imports again into an empty registry.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from caltrace.core import roles
from caltrace.core.imports import Column, ImportSpec, parse_choice, parse_date, parse_lookup, register
from caltrace.org.models import Room

from .choices import EquipmentKind, TraceabilityKind
from .models import Equipment, TraceabilityRecord
from .services import do_record_traceability, do_register_equipment


def parse_room(text: str) -> Room:
    """A room as "场所名称/房间编号", or a room number alone when only one site has it."""
    text = text.strip()
    site, sep, code = text.rpartition("/")
    rooms = Room.objects.filter(code=code.strip())
    if sep:
        rooms = rooms.filter(site__name=site.strip())
    found = list(rooms.select_related("site")[:2])
    if not found:
        raise ValueError(_("找不到房间“%(text)s”") % {"text": text})
    if len(found) > 1:
        raise ValueError(_("房间编号“%(text)s”在多个场所中存在，请写成“场所名称/房间编号”") % {"text": text})
    return found[0]


def parse_days(text: str) -> int:
    try:
        value = int(text.strip())
    except ValueError:
        raise ValueError(_("应为整数天数（收到“%(text)s”）") % {"text": text}) from None
    if value < 1:
        raise ValueError(_("应至少为 1 天"))
    return value


def _room_cell(eq: Equipment) -> str:
    return f"{eq.home_room.site.name}/{eq.home_room.code}" if eq.home_room_id else ""


def _blank_to_empty(row: dict, *names) -> dict:
    return {k: ("" if v is None and k in names else v) for k, v in row.items()}


TEXT_FIELDS = ("manufacturer", "model", "serial_no", "measuring_range", "accuracy")

EQUIPMENT = register(ImportSpec(
    name="equipment",
    title_zh="设备",
    title_en="Equipment",
    columns=(
        Column("asset_no", "设备编号", "Asset number"),
        Column("kind", "类别", "Kind", parse=parse_choice(EquipmentKind)),
        Column("name", "名称", "Name"),
        Column("manufacturer", "制造商", "Manufacturer", required=False),
        Column("model", "型号规格", "Model", required=False),
        Column("serial_no", "出厂编号", "Serial number", required=False),
        Column("measuring_range", "测量范围", "Measuring range", required=False),
        Column("accuracy", "准确度", "Accuracy", required=False),
        Column("home_room", "存放地点", "Home room", parse=parse_room, required=False, export=_room_cell),
        Column("commissioned_on", "启用日期", "Commissioned on", parse=parse_date, required=False),
        Column("check_interval_days", "期间核查间隔（天）", "Check interval (days)", parse=parse_days,
               required=False),
    ),
    create=lambda row: do_register_equipment(**_blank_to_empty(row, *TEXT_FIELDS)),
    queryset=lambda: Equipment.objects.select_related("home_room__site").order_by("asset_no"),
    roles=(roles.EQUIPMENT_MANAGER,),
))

TRACEABILITY = register(ImportSpec(
    name="traceability",
    title_zh="量值溯源记录",
    title_en="Traceability records",
    columns=(
        Column("equipment", "设备编号", "Asset number",
               parse=parse_lookup(lambda: Equipment.objects.all(), "asset_no", gettext_lazy("设备")),
               export=lambda r: r.equipment.asset_no),
        Column("kind", "溯源方式", "Kind", parse=parse_choice(TraceabilityKind)),
        Column("certificate_no", "证书编号", "Certificate number"),
        Column("provider", "溯源机构", "Provider"),
        Column("provider_accreditation_no", "溯源机构资质证书编号", "Provider accreditation number",
               required=False),
        Column("performed_on", "校准/检定日期", "Performed on", parse=parse_date),
        Column("due_on", "有效期至", "Due on", parse=parse_date),
        Column("conclusion", "证书结论", "Conclusion", required=False),
    ),
    create=lambda row: do_record_traceability(
        **_blank_to_empty(row, "provider_accreditation_no", "conclusion")),
    queryset=lambda: (TraceabilityRecord.objects.filter(correction__isnull=True).select_related("equipment")
                      .order_by("equipment__asset_no", "performed_on", "id")),
    roles=(roles.EQUIPMENT_MANAGER,),
))
