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
    OTHER = "other", _("其他")


# The designation of a method of these kinds starts with this prefix (JJG(京) … for local ones).
KIND_PREFIXES = {MethodKind.JJG: "JJG", MethodKind.JJF: "JJF", MethodKind.GB: "GB", MethodKind.ISO: "ISO"}


class VersionStatus(models.TextChoices):
    """The status of a method version on a given day (VAL-1)."""

    NOT_YET_EFFECTIVE = "not_yet_effective", _("尚未实施")
    CURRENT = "current", _("现行有效")
    SUPERSEDED = "superseded", _("已被代替")
    WITHDRAWN = "withdrawn", _("已废止")
