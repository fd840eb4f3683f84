"""Choices of the equipment app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EquipmentKind(models.TextChoices):
    """The eight kinds of equipment that can affect results (EQP-1)."""

    MEASURING_INSTRUMENT = "measuring_instrument", _("测量仪器")
    SOFTWARE = "software", _("软件")
    MEASUREMENT_STANDARD = "measurement_standard", _("测量标准")
    REFERENCE_MATERIAL = "reference_material", _("标准物质")
    REFERENCE_DATA = "reference_data", _("参考数据")
    REAGENT = "reagent", _("试剂")
    CONSUMABLE = "consumable", _("消耗品")
    AUXILIARY_DEVICE = "auxiliary_device", _("辅助装置")


# Kinds with no physical place: every other kind has a home room.
PLACELESS_KINDS = frozenset({EquipmentKind.SOFTWARE, EquipmentKind.REFERENCE_DATA})
