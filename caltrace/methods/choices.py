"""Choices of the methods app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class MethodKind(models.TextChoices):
    """Kinds of method document; MTH-1 prefers verification regulations and calibration specifications."""

    JJG = "jjg", _("计量检定规程(JJG)")
    JJF = "jjf", _("计量技术规范(JJF)")
    GB = "gb", _("国家标准(GB)")
    ISO = "iso", _("国际标准(ISO/IEC)")
    IN_HOUSE = "in_house", _("实验室自编方法")
    NON_STANDARD = "non_standard", _("非标准方法")
    OTHER = "other", _("其他")


# The designation of a method of these kinds starts with this prefix (JJG(京) … for local ones).
KIND_PREFIXES = {MethodKind.JJG: "JJG", MethodKind.JJF: "JJF", MethodKind.GB: "GB", MethodKind.ISO: "ISO"}

# Kinds that need the customer's consent and a validation before any use (MTH-2, VAL-3).
VALIDATION_KINDS = (MethodKind.IN_HOUSE, MethodKind.NON_STANDARD)


class VersionStatus(models.TextChoices):
    """The status of a method version on a given day (VAL-1)."""

    NOT_YET_EFFECTIVE = "not_yet_effective", _("尚未实施")
    CURRENT = "current", _("现行有效")
    SUPERSEDED = "superseded", _("已被代替")
    WITHDRAWN = "withdrawn", _("已废止")


class Condition(models.TextChoices):
    """An environmental condition a method may set limits on (SITE-3; the quantities of DIG-4)."""

    TEMPERATURE = "temperature", _("温度")
    HUMIDITY = "humidity", _("相对湿度")
    PRESSURE = "pressure", _("大气压力")
    VIBRATION = "vibration", _("振动")
    EMI = "emi", _("电磁干扰")
    SUPPLY_VOLTAGE = "supply_voltage", _("供电电压")
    SUPPLY_FREQUENCY = "supply_frequency", _("供电频率")
    LIGHTING = "lighting", _("照度")
    AIR_SPEED = "air_speed", _("风速")
    NOISE = "noise", _("噪声")
    OTHER = "other", _("其他条件")


# The unit a limit of each condition is usually written in.
DEFAULT_UNITS = {
    Condition.TEMPERATURE: "°C",
    Condition.HUMIDITY: "%",
    Condition.PRESSURE: "kPa",
    Condition.VIBRATION: "mm/s",
    Condition.EMI: "V/m",
    Condition.SUPPLY_VOLTAGE: "V",
    Condition.SUPPLY_FREQUENCY: "Hz",
    Condition.LIGHTING: "lx",
    Condition.AIR_SPEED: "m/s",
    Condition.NOISE: "dB",
}


class FieldType(models.TextChoices):
    """The type of a record field a method version requires (CND-3)."""

    NUMBER = "number", _("数值")
    TEXT = "text", _("文本")
    CHOICE = "choice", _("选项")
    DATE = "date", _("日期")
    BOOL = "bool", _("是/否")


class MethodUse(models.TextChoices):
    """Why a use of a method needs a validation (方法确认, VAL-3)."""

    IN_HOUSE = "in_house", _("实验室自编方法")
    NON_STANDARD = "non_standard", _("非标准方法")
    MODIFIED = "modified", _("修改过的标准方法")
    OUT_OF_SCOPE = "out_of_scope", _("超出预定范围使用的标准方法")


# The use a method kind implies by itself; other kinds need validation only when modified or used out of scope.
KIND_USES = {MethodKind.IN_HOUSE: MethodUse.IN_HOUSE, MethodKind.NON_STANDARD: MethodUse.NON_STANDARD}
STANDARD_USES = (MethodUse.MODIFIED, MethodUse.OUT_OF_SCOPE)


class ValidationTechnique(models.TextChoices):
    """How a method was validated (GB/T 27025 7.2.2 lists these techniques)."""

    REFERENCE_STANDARDS = "reference_standards", _("使用参考标准或标准物质校准或评估偏倚和精密度")
    FACTOR_ASSESSMENT = "factor_assessment", _("对影响结果的因素作系统性评审")
    ROBUSTNESS = "robustness", _("通过改变控制参数检验方法的稳健度")
    METHOD_COMPARISON = "method_comparison", _("与其他已确认的方法进行结果比对")
    INTERLABORATORY = "interlaboratory", _("实验室间比对")
    UNCERTAINTY = "uncertainty", _("根据对方法原理的理解和实践经验评定结果的测量不确定度")


class ValidationConclusion(models.TextChoices):
    FIT = "fit", _("满足预期用途")
    NOT_FIT = "not_fit", _("不满足预期用途")
