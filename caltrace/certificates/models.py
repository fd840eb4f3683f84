"""Issued certificates (已签发的校准证书).

A :class:`Certificate` keeps the certificate document exactly as issued, the signed PDF and the DCC
written from it, and the SHA-256 of the PDF. An issued certificate is never changed (RPT-3): its
content, files, number and hash are refused on save; only its status may go from issued to
withdrawn (through :func:`caltrace.certificates.services.do_withdraw_certificate`, with the reason
in the audit ledger). An amendment or replacement is a new certificate with its own number that
refers to the one it replaces, with the reason; the replaced one then shows as amended.
"""

from __future__ import annotations

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

from caltrace.core.audit import AuditedManager, AuditedQuerySet
from caltrace.core.models import BusinessModel

FROZEN_FIELDS = ("number", "verify_token", "document", "pdf_path", "dcc_path", "sha256", "issued_at", "replaces_id",
                 "replacement_reason", "record_id", "customer_id")


class CertificateChangeRefused(Exception):
    """An attempt to change or delete an issued certificate (RPT-3): issue an amendment instead."""


def new_verify_token() -> str:
    return secrets.token_urlsafe(16)


class CertificateQuerySet(AuditedQuerySet):
    def update(self, **kwargs):
        names = set(FROZEN_FIELDS) | {f.removesuffix("_id") for f in FROZEN_FIELDS}
        frozen = sorted(set(kwargs) & names)
        if frozen:
            raise CertificateChangeRefused(f"issued certificates cannot be changed ({', '.join(frozen)})")
        return super().update(**kwargs)

    update.alters_data = True

    def delete(self):
        raise CertificateChangeRefused("issued certificates cannot be deleted")

    delete.alters_data = True

    def bulk_update(self, objs, fields, batch_size=None):
        raise CertificateChangeRefused("issued certificates cannot be changed in bulk")

    bulk_update.alters_data = True


class CertificateManager(AuditedManager.from_queryset(CertificateQuerySet)):
    pass


class CertificateStatus(models.TextChoices):
    ISSUED = "issued", _("有效")
    WITHDRAWN = "withdrawn", _("已撤回")


class Certificate(BusinessModel):
    """校准证书: a certificate as issued, with its signed PDF, its DCC and the PDF's SHA-256."""

    number = models.CharField(_("证书编号"), max_length=64, unique=True)
    verify_token = models.CharField(_("验证令牌"), max_length=64, unique=True, default=new_verify_token, editable=False)
    status = models.CharField(_("状态"), max_length=16, choices=CertificateStatus.choices,
                              default=CertificateStatus.ISSUED, db_index=True)
    withdrawal_reason = models.TextField(_("撤回原因"), blank=True)
    document = models.JSONField(_("证书内容"))
    pdf_path = models.TextField(_("PDF 文件"))
    dcc_path = models.TextField(_("DCC 文件"))
    sha256 = models.CharField(_("PDF 的 SHA-256"), max_length=64, db_index=True)
    issued_at = models.DateTimeField(_("签发时间"), db_index=True)
    replaces = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaced_by",
                                 verbose_name=_("替代的证书"))
    replacement_reason = models.TextField(_("替代原因"), blank=True)
    record = models.ForeignKey("calibration.CalibrationRecord", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="certificates", verbose_name=_("校准记录"))
    customer = models.ForeignKey("customers.CustomerOrganisation", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="certificates", verbose_name=_("委托方"),
                                 help_text=_("证书所属的客户单位；客户只能看到本单位的证书"))

    objects = CertificateManager()

    class Meta:
        verbose_name = _("校准证书")
        verbose_name_plural = _("校准证书")
        base_manager_name = "objects"
        ordering = ["-issued_at", "-pk"]
        indexes = [models.Index(fields=["customer", "issued_at"], name="cert_customer_issued_idx")]
        constraints = [models.UniqueConstraint(fields=["record"], condition=models.Q(replaces__isnull=True),
                                               name="cert_one_original_per_record",
                                               violation_error_message=_("该原始记录已出具证书；如需更改请出具更正证书"))]

    def __str__(self):
        return self.number

    # --- append-only after issue --------------------------------------------------------------

    def save(self, *args, **kwargs):
        if not self._state.adding:
            stored = type(self)._base_manager.filter(pk=self.pk).values(*FROZEN_FIELDS, "status").first()
            if stored is not None:
                changed = [f for f in FROZEN_FIELDS if stored[f] != getattr(self, f)]
                if changed:
                    raise CertificateChangeRefused(
                        f"certificate {stored['number']} is issued and cannot be changed ({', '.join(changed)}); "
                        "issue an amendment instead")
                if stored["status"] != self.status and not (
                        stored["status"] == CertificateStatus.ISSUED and self.status == CertificateStatus.WITHDRAWN):
                    raise CertificateChangeRefused(
                        f"certificate {stored['number']}: status cannot go from {stored['status']} to {self.status}")
        return super().save(*args, **kwargs)

    save.alters_data = True

    def delete(self, *args, **kwargs):
        raise CertificateChangeRefused(f"certificate {self.number} is issued and cannot be deleted")

    delete.alters_data = True

    # --- reading ------------------------------------------------------------------------------

    @property
    def doc(self):
        from .serialize import from_dict

        return from_dict(self.document)

    @property
    def replacement(self) -> Certificate | None:
        return self.replaced_by.order_by("issued_at", "pk").first()

    @property
    def effective_status(self) -> str:
        """"withdrawn", "amended" (another certificate replaces it) or "issued"."""
        if self.status == CertificateStatus.WITHDRAWN:
            return "withdrawn"
        if self.replaced_by.exists():
            return "amended"
        return "issued"

    @property
    def item_text(self) -> str:
        item = self.document.get("item") or {}
        return " ".join(p for p in (item.get("name", ""), item.get("model", ""), item.get("identification", "")) if p)

    @property
    def issued_on(self) -> str:
        return self.document.get("issued_on") or ""
