"""Integrity findings (诚信发现): what FLAG rules raise and a named role must resolve."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from caltrace.core.models import BusinessModel

from .workflows import FINDING_WORKFLOW


class Finding(BusinessModel):
    """A finding (发现项) raised by a FLAG rule, with the evidence, until resolved or dismissed."""

    rule_id = models.CharField(_("要求编号"), max_length=10, db_index=True)
    event = models.CharField(_("事件"), max_length=60)
    message_zh = models.TextField(_("说明(中文)"))
    message_en = models.TextField(_("说明(英文)"))
    objects_involved = models.JSONField(_("涉及对象"), default=list)
    blocks_issue = models.BooleanField(_("阻止发证"), default=False)
    status = models.CharField(_("状态"), max_length=20, choices=FINDING_WORKFLOW.choices(),
                              default=FINDING_WORKFLOW.initial, db_index=True)
    resolution = models.TextField(_("处理结论"), blank=True)

    workflow = FINDING_WORKFLOW

    class Meta:
        verbose_name = _("诚信发现项")
        verbose_name_plural = _("诚信发现项")
        ordering = ["-id"]
        permissions = [("resolve_finding", _("可处理诚信发现项"))]

    def __str__(self):
        return f"{self.rule_id} #{self.pk}"
