"""Equipment registration (EQP-1): the eight kinds, the home room, unique asset numbers."""

import pytest
from django.core.exceptions import ValidationError

from caltrace.core.models import AuditEntry
from caltrace.equipment.choices import PLACELESS_KINDS, EquipmentKind
from caltrace.equipment.factories import EquipmentFactory
from caltrace.equipment.services import do_register_equipment
from caltrace.org.factories import RoomFactory

pytestmark = pytest.mark.django_db


def test_the_eight_kinds_of_eqp_1():
    assert [str(k.label) for k in EquipmentKind] == [
        "测量仪器", "软件", "测量标准", "标准物质", "参考数据", "试剂", "消耗品", "辅助装置"]


@pytest.mark.parametrize("kind", [k for k in EquipmentKind if k not in PLACELESS_KINDS])
def test_physical_equipment_needs_a_room(kind):
    with pytest.raises(ValidationError) as info:
        do_register_equipment(kind=kind, asset_no="A-1", name="某设备")
    assert "home_room" in info.value.message_dict


@pytest.mark.parametrize("kind", sorted(PLACELESS_KINDS))
def test_software_and_reference_data_need_no_room(kind):
    assert do_register_equipment(kind=kind, asset_no="S-1", name="某软件").home_room is None


def test_standard_must_be_kept_in_a_standards_room():
    with pytest.raises(ValidationError) as info:
        do_register_equipment(kind=EquipmentKind.MEASUREMENT_STANDARD, asset_no="STD-1", name="多产品校准器",
                              home_room=RoomFactory(keeps_standards=False))
    assert info.value.message_dict["home_room"] == ["测量标准应存放在登记为计量标准保存地点的房间"]
    standard = do_register_equipment(kind=EquipmentKind.MEASUREMENT_STANDARD, asset_no="STD-1", name="多产品校准器",
                                     manufacturer="Fluke", model="5522A", home_room=RoomFactory(standards=True))
    assert standard.is_measurement_standard


def test_asset_number_is_unique():
    EquipmentFactory(asset_no="MH-E-001")
    with pytest.raises(ValidationError) as info:
        do_register_equipment(kind=EquipmentKind.SOFTWARE, asset_no="MH-E-001", name="软件")
    assert "asset_no" in info.value.message_dict


def test_registration_is_audited():
    before = AuditEntry.objects.count()
    eq = do_register_equipment(kind=EquipmentKind.SOFTWARE, asset_no="S-2", name="自动检定软件", model="V1.0")
    assert AuditEntry.objects.count() == before + 1
    entry = AuditEntry.objects.order_by("-seq").first()
    assert (entry.model, entry.object_pk, entry.action) == ("equipment.Equipment", str(eq.pk), "create")
