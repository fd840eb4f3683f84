"""Choices of the orders app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ServiceLocation(models.TextChoices):
    """Where the calibration happens."""

    IN_LAB = "in_lab", _("送检（实验室内）")
    ON_SITE = "on_site", _("现场校准")


class DeviationKind(models.TextChoices):
    """A difference between what the customer asked for and what the lab can do (CON-2, VAL-2)."""

    DIFFERENT_METHOD = "different_method", _("使用与申请不同的方法")
    OUTSIDE_RANGE = "outside_range", _("校准点超出申请或能力范围")
    NON_STANDARD_METHOD = "non_standard_method", _("使用非标准方法")
    METHOD_DEVIATION = "method_deviation", _("偏离方法规定")
    OTHER = "other", _("其他偏离")


class DeviationStatus(models.TextChoices):
    PENDING = "pending", _("待客户确认")
    ACCEPTED = "accepted", _("客户已接受")
    REJECTED = "rejected", _("客户不接受")


class QuoteStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PENDING_APPROVAL = "pending_approval", _("低于成本，待管理层批准")
    SENT = "sent", _("已发送客户")
    ACCEPTED = "accepted", _("客户已接受")
    REJECTED = "rejected", _("客户已拒绝")


class ReturnMethod(models.TextChoices):
    HAND = "hand", _("客户自取")
    COURIER = "courier", _("快递寄回")
    ON_SITE = "on_site", _("现场交还")


class EventKind(models.TextChoices):
    """What an entry of an order's timeline records."""

    STATUS = "status", _("状态变更")
    NOTE = "note", _("说明")
    DEVIATION = "deviation", _("偏离")
    QUOTE = "quote", _("报价")
    APPOINTMENT = "appointment", _("预约")
    RECEIPT = "receipt", _("收样")
    CERTIFICATE = "certificate", _("证书")
    RETURN = "return", _("交还")
