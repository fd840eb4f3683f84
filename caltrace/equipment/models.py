"""Equipment (设备): everything registered because it can affect calibration results (EQP-1)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from caltrace.core.models import BusinessModel

from .choices import PLACELESS_KINDS, EquipmentKind


class Equipment(BusinessModel):
    """A piece of equipment (设备): instrument, software, measurement standard, reference material,
    reference data, reagent, consumable or auxiliary device."""

    kind = models.CharField(_("类别"), max_length=30, choices=EquipmentKind.choices)
    asset_no = models.CharField(_("设备编号"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    manufacturer = models.CharField(_("制造商"), max_length=200, blank=True)
    model = models.CharField(_("型号规格"), max_length=100, blank=True)
    serial_no = models.CharField(_("出厂编号"), max_length=100, blank=True)
    measuring_range = models.CharField(_("测量范围"), max_length=300, blank=True)
    accuracy = models.CharField(_("准确度等级/最大允许误差/不确定度"), max_length=300, blank=True)
    home_room = models.ForeignKey("org.Room", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="equipment", verbose_name=_("存放地点"))

    class Meta:
        verbose_name = _("设备")
        verbose_name_plural = _("设备")
        ordering = ["asset_no"]
        indexes = [
            models.Index(fields=["kind", "asset_no"], name="equipment_kind_idx"),
            models.Index(fields=["name"], name="equipment_name_idx"),
        ]

    def __str__(self):
        return f"{self.asset_no} {self.name}"

    def clean(self):
        super().clean()
        if self.kind and self.kind not in PLACELESS_KINDS and self.home_room_id is None:
            raise ValidationError({"home_room": ValidationError(_("%(kind)s须登记存放地点"),
                                                                params={"kind": self.get_kind_display()})})
        if (self.kind == EquipmentKind.MEASUREMENT_STANDARD and self.home_room_id is not None
                and not self.home_room.keeps_standards):
            raise ValidationError({"home_room": _("测量标准应存放在登记为计量标准保存地点的房间")})

    @property
    def is_measurement_standard(self) -> bool:
        return self.kind == EquipmentKind.MEASUREMENT_STANDARD
