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

# Kinds that must be metrologically traceable through an upstream certificate (EQP-2) and
# confirmed after it (EQP-3). Fixed by kind, not a per-item switch: a GATE cannot be loosened.
TRACEABLE_KINDS = frozenset({EquipmentKind.MEASURING_INSTRUMENT, EquipmentKind.MEASUREMENT_STANDARD,
                             EquipmentKind.AUXILIARY_DEVICE})
# Kinds whose validity rests on a certificate with an expiry date (EQP-5).
CERTIFIED_KINDS = frozenset({EquipmentKind.REFERENCE_MATERIAL})
# Kinds that carry traceability records at all (upstream certificates or reference-material certificates).
RECORDED_KINDS = TRACEABLE_KINDS | CERTIFIED_KINDS


class EquipmentStatus(models.TextChoices):
    """The derived status of a piece of equipment on a day (never typed; see selectors.with_status).

    Precedence, first match wins: retired, out of service, not verified for use, no traceability,
    overdue, unconfirmed, due soon, in service.
    """

    IN_SERVICE = "in_service", _("在用")
    DUE_SOON = "due_soon", _("即将到期")
    OVERDUE = "overdue", _("已过期")
    UNCONFIRMED = "unconfirmed", _("未确认")
    UNTRACED = "untraced", _("无溯源记录")
    UNVERIFIED = "unverified", _("未经验证")
    OUT_OF_SERVICE = "out_of_service", _("停用")
    RETIRED = "retired", _("已报废")


# Badge classes of the UI shell's stylesheet, by status.
STATUS_BADGES = {
    EquipmentStatus.IN_SERVICE: "badge-ok",
    EquipmentStatus.DUE_SOON: "state-open",
    EquipmentStatus.OVERDUE: "badge-danger",
    EquipmentStatus.UNCONFIRMED: "badge-danger",
    EquipmentStatus.UNTRACED: "badge-danger",
    EquipmentStatus.UNVERIFIED: "badge-danger",
    EquipmentStatus.OUT_OF_SERVICE: "state-dismissed",
    EquipmentStatus.RETIRED: "state-dismissed",
}

# Statuses in which the equipment may be used (the GATE rules agree with these).
USABLE_STATUSES = frozenset({EquipmentStatus.IN_SERVICE, EquipmentStatus.DUE_SOON})


class SpecKind(models.TextChoices):
    """How a range's accuracy is stated: a maximum permissible error or an expanded uncertainty."""

    MPE = "mpe", _("最大允许误差")
    UNCERTAINTY = "uncertainty", _("扩展不确定度")


class TraceabilityKind(models.TextChoices):
    """The kind of upstream evidence of traceability (量值溯源方式)."""

    CALIBRATION = "calibration", _("校准证书")
    VERIFICATION = "verification", _("检定证书")
    TEST = "test", _("测试报告")
    RM_CERTIFICATE = "rm_certificate", _("标准物质证书")


class VerificationPurpose(models.TextChoices):
    """Why equipment is verified against requirements (EQP-4)."""

    FIRST_USE = "first_use", _("投入使用前验证")
    RETURN_TO_SERVICE = "return_to_service", _("重新投入使用前验证")


class ServiceEventKind(models.TextChoices):
    """Events that take equipment out of service or bring it back (停用、维修、恢复使用、报废)."""

    OUT_OF_SERVICE = "out_of_service", _("停用")
    REPAIR = "repair", _("送修")
    RETURN_TO_SERVICE = "return_to_service", _("恢复使用")
    RETIRED = "retired", _("报废")


# Service events after which the equipment may not be used until verified and returned.
OUT_OF_SERVICE_EVENTS = frozenset({ServiceEventKind.OUT_OF_SERVICE, ServiceEventKind.REPAIR,
                                   ServiceEventKind.RETIRED})
# Events a user records directly; a return to service follows a passed verification.
MANUAL_SERVICE_EVENTS = (ServiceEventKind.OUT_OF_SERVICE, ServiceEventKind.REPAIR, ServiceEventKind.RETIRED)
