"""Choices of the calibration app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProcedureKind(models.TextChoices):
    """How a procedure takes its readings: typed into the record, or from instruments over PyVISA."""

    MANUAL = "manual", _("手动录入")
    AUTOMATED = "automated", _("自动采集")


class MeasurementModel(models.TextChoices):
    """The measurement model a procedure's results are computed with; the uncertainty module maps
    each key to its model equation and budget."""

    DMM_DCV = "dmm_dcv", _("数字多用表直流电压（多功能校准源直接测量法）")
    BALANCE = "balance", _("电子天平（标准砝码直接测量法）")
    TEMPERATURE_COMPARISON = "temperature_comparison", _("温度传感器（恒温槽比较法）")


class RecordStatus(models.TextChoices):
    """The state of a raw record (原始记录)."""

    DRAFT = "draft", _("记录中")
    SIGNED_OFF = "signed_off", _("已签署")


class ReadingRole(models.TextChoices):
    """Whose indication a reading is: the item under calibration or the reference standard."""

    UUT = "uut", _("被校仪器示值")
    REFERENCE = "reference", _("标准器示值")


class Provenance(models.TextChoices):
    """Where a reading came from (PRH-6): an instrument interface or a person's hand."""

    INSTRUMENT = "instrument", _("仪器接口采集")
    TYPED = "typed", _("人工录入")


class EquipmentRole(models.TextChoices):
    """What a piece of lab equipment does in a calibration: the budget takes the reference
    standard's certificate (its U and k) as a Type B input."""

    REFERENCE = "reference", _("标准器")
    SOURCE = "source", _("信号源/恒温源")
    READOUT = "readout", _("读数装置")
    AUXILIARY = "auxiliary", _("配套设备")
    ENVIRONMENT = "environment", _("环境监测设备")
