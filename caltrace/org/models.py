"""The agency (机构) and its premises: legal entity, sites and rooms."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from caltrace.core.models import BusinessModel
from caltrace.core.validators import validate_credit_code

from .choices import SiteTenure


class Agency(BusinessModel):
    """The calibration agency as a legal entity (法律实体), or a defined part of one (ENT-1)."""

    name = models.CharField(_("机构名称"), max_length=200)
    name_en = models.CharField(_("英文名称"), max_length=200, blank=True)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True,
                                   validators=[validate_credit_code])
    legal_representative = models.CharField(_("法定代表人"), max_length=100)
    address = models.CharField(_("注册地址"), max_length=300)
    phone = models.CharField(_("电话"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("机构")
        verbose_name_plural = _("机构")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        self.credit_code = (self.credit_code or "").strip().upper()

    @property
    def main_site(self):
        return self.sites.filter(is_main=True).first()


class Site(BusinessModel):
    """A site (场所) of the agency: an address where it works, with the proof that it may (SITE-1)."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="sites", verbose_name=_("机构"))
    name = models.CharField(_("场所名称"), max_length=200)
    address = models.CharField(_("地址"), max_length=300)
    is_main = models.BooleanField(_("主场所"), default=False)
    tenure = models.CharField(_("使用方式"), max_length=20, choices=SiteTenure.choices, default=SiteTenure.OWNED)
    tenure_document_no = models.CharField(_("产权或租赁凭证编号"), max_length=100, blank=True)
    tenure_valid_from = models.DateField(_("凭证有效期起"), null=True, blank=True)
    tenure_valid_until = models.DateField(_("凭证有效期止"), null=True, blank=True)

    class Meta:
        verbose_name = _("场所")
        verbose_name_plural = _("场所")
        ordering = ["agency_id", "-is_main", "name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="org_site_unique_name"),
            models.UniqueConstraint(fields=["agency"], condition=models.Q(is_main=True),
                                    name="org_site_one_main", violation_error_message=_("每个机构只能有一个主场所")),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        errors = {}
        if self.tenure != SiteTenure.OWNED:
            if not self.tenure_document_no:
                errors["tenure_document_no"] = _("非自有场所须登记租赁凭证或独立使用证明的编号")
            if not self.tenure_valid_until:
                errors["tenure_valid_until"] = _("非自有场所须登记凭证的有效期")
        if self.tenure_valid_from and self.tenure_valid_until and self.tenure_valid_until < self.tenure_valid_from:
            errors["tenure_valid_until"] = _("凭证有效期止不能早于有效期起")
        if errors:
            raise ValidationError(errors)

    def tenure_in_date(self, on: dt.date) -> bool:
        """Whether the site may be used on this day: owned, or its lease or proof of use is valid."""
        if self.tenure == SiteTenure.OWNED:
            return True
        if self.tenure_valid_from and on < self.tenure_valid_from:
            return False
        return self.tenure_valid_until is not None and on <= self.tenure_valid_until


class Room(BusinessModel):
    """A room (房间) of a site: a laboratory, sample room or store; may keep measurement standards."""

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="rooms", verbose_name=_("场所"))
    code = models.CharField(_("房间编号"), max_length=30)
    name = models.CharField(_("房间名称"), max_length=100)
    keeps_standards = models.BooleanField(_("计量标准保存地点"), default=False)
    area_m2 = models.DecimalField(_("面积(m²)"), max_digits=8, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = _("房间")
        verbose_name_plural = _("房间")
        ordering = ["site_id", "code"]
        constraints = [models.UniqueConstraint(fields=["site", "code"], name="org_room_unique_code")]
        indexes = [models.Index(fields=["keeps_standards"], name="org_room_standards_idx")]

    def __str__(self):
        return f"{self.code} {self.name}"

    def clean(self):
        super().clean()
        if self.area_m2 is not None and self.area_m2 <= 0:
            raise ValidationError({"area_m2": _("面积应大于零")})
