"""Core models: the business-model base, the audit ledger and its checkpoints, API tokens."""

import hashlib

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .audit import AuditedManager


class BusinessModel(models.Model):
    """Base of every business record (业务记录). Each change lands in the audit ledger.

    Many-to-many fields of business models are recorded in the ledger image as sorted pk lists.
    """

    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = AuditedManager()

    class Meta:
        abstract = True
        base_manager_name = "objects"


class AuditEntry(models.Model):
    """One entry of the append-only audit ledger (审计账本条目), chained by SHA-256."""

    seq = models.BigIntegerField(_("序号"), primary_key=True)
    at = models.CharField(_("时间(UTC)"), max_length=40)
    actor = models.CharField(_("操作者"), max_length=200)  # "user:" + a username of up to 150
    action = models.CharField(_("动作"), max_length=10)
    model = models.CharField(_("模型"), max_length=100)
    object_pk = models.CharField(_("主键"), max_length=255)  # the text of any primary key
    before = models.TextField(_("变更前"), blank=True)
    after = models.TextField(_("变更后"), blank=True)
    reason = models.TextField(_("原因"), blank=True)
    request_id = models.CharField(_("请求标识"), max_length=64, blank=True)
    prev_hash = models.CharField(_("前一条哈希"), max_length=64)
    hash = models.CharField(_("哈希"), max_length=64)

    class Meta:
        verbose_name = _("审计账本条目")
        verbose_name_plural = _("审计账本")
        ordering = ["seq"]
        indexes = [models.Index(fields=["model", "object_pk", "seq"], name="core_audit_object_idx")]

    def __str__(self):
        return f"#{self.seq} {self.action} {self.model}:{self.object_pk}"


class AuditCheckpoint(models.Model):
    """A signed statement of the ledger head (账本检查点), for publishing outside the database."""

    seq = models.BigIntegerField(_("序号"))
    head_hash = models.CharField(_("链头哈希"), max_length=64)
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    signature = models.TextField(_("签名"))
    key_fingerprint = models.CharField(_("密钥指纹"), max_length=64)

    class Meta:
        verbose_name = _("账本检查点")
        verbose_name_plural = _("账本检查点")
        ordering = ["-seq"]

    def statement(self) -> str:
        return checkpoint_statement(self.seq, self.head_hash, self.at.isoformat())


def checkpoint_statement(seq: int, head_hash: str, at: str) -> str:
    return f"caltrace-ledger-checkpoint\nseq={seq}\nhead={head_hash}\nat={at}\n"


class ApiToken(BusinessModel):
    """A machine credential (接口令牌) for sensors, instruments and integrations. Only its hash is kept."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens",
                             verbose_name=_("用户"))
    name = models.CharField(_("名称"), max_length=100)
    prefix = models.CharField(_("前缀"), max_length=8, db_index=True)
    key_hash = models.CharField(_("令牌哈希"), max_length=64, unique=True)
    revoked = models.BooleanField(_("已吊销"), default=False)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()


class ReminderDigest(BusinessModel):
    """A day's reminder mail to one user (到期提醒邮件); makes the daily task safe to run twice."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_digests",
                             verbose_name=_("用户"))
    day = models.DateField(_("日期"))
    item_count = models.PositiveIntegerField(_("事项数"))

    class Meta:
        verbose_name = _("到期提醒邮件")
        verbose_name_plural = _("到期提醒邮件")
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="core_reminderdigest_once_a_day")]


class Counter(BusinessModel):
    """A numbering sequence (编号计数器): the last number given under a key such as "order:2026".
    :func:`caltrace.core.numbering.next_value` increments it under a row lock."""

    key = models.CharField(_("计数器"), max_length=60, unique=True)
    last = models.PositiveBigIntegerField(_("最后编号"), default=0)

    class Meta:
        verbose_name = _("编号计数器")
        verbose_name_plural = _("编号计数器")

    def __str__(self):
        return f"{self.key}: {self.last}"
