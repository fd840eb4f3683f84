"""The agency (机构) and its premises: legal entity, sites and rooms."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from caltrace.core.models import BusinessModel
from caltrace.core.validators import validate_credit_code

from .choices import CmcForm, MetrologyField, QualificationCertificateKind, SiteTenure


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


class QualificationCertificate(BusinessModel):
    """A qualification certificate (资质证书): accreditation or authorization, whose annex (附件)
    lists the accredited calibration capabilities (QUAL-1)."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="qualification_certificates",
                               verbose_name=_("机构"))
    kind = models.CharField(_("类别"), max_length=20, choices=QualificationCertificateKind.choices)
    number = models.CharField(_("证书编号"), max_length=60, unique=True)
    issuer = models.CharField(_("发证机构"), max_length=200)
    valid_from = models.DateField(_("有效期起"))
    valid_until = models.DateField(_("有效期止"))

    class Meta:
        verbose_name = _("资质证书")
        verbose_name_plural = _("资质证书")
        ordering = ["-valid_until"]
        indexes = [models.Index(fields=["valid_until"], name="org_qualcert_valid_until_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.number}"

    def clean(self):
        super().clean()
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": _("有效期止不能早于有效期起")})

    def is_valid_on(self, on) -> bool:
        return self.valid_from <= on <= self.valid_until


class ScopeItem(BusinessModel):
    """One accredited capability (校准能力范围条目) in a qualification certificate's annex: a field,
    a quantity and item type, a measuring range with its unit, the CMC, the methods it covers and
    the sites where it is valid."""

    certificate = models.ForeignKey(QualificationCertificate, on_delete=models.PROTECT, related_name="scope_items",
                                    verbose_name=_("资质证书"))
    code = models.CharField(_("条目编号"), max_length=30)
    field = models.CharField(_("专业领域"), max_length=20, choices=MetrologyField.choices, db_index=True)
    quantity = models.CharField(_("测量参数"), max_length=100)
    item_type = models.CharField(_("被校仪器名称"), max_length=200)
    range_min = models.DecimalField(_("测量范围下限"), max_digits=24, decimal_places=9)
    range_max = models.DecimalField(_("测量范围上限"), max_digits=24, decimal_places=9)
    unit = models.CharField(_("单位"), max_length=30, help_text=_("例如 V、mV、g、°C"))
    cmc_form = models.CharField(_("CMC 表示方式"), max_length=10, choices=CmcForm.choices)
    cmc_a = models.DecimalField(_("CMC 常数项 a"), max_digits=24, decimal_places=12, default=0,
                                help_text=_("绝对值时为不确定度（与测量范围同单位）"))
    cmc_b = models.DecimalField(_("CMC 比例项 b"), max_digits=24, decimal_places=12, default=0,
                                help_text=_("相对值或 a + b·x 中的比例系数（无量纲）"))
    cmc_text = models.CharField(_("CMC（证书原文）"), max_length=200, blank=True)
    cmc_k = models.DecimalField(_("包含因子 k"), max_digits=4, decimal_places=2, default=2)
    methods = models.ManyToManyField("methods.Method", related_name="scope_items", verbose_name=_("适用方法"))
    sites = models.ManyToManyField(Site, related_name="scope_items", verbose_name=_("有效场所"))

    class Meta:
        verbose_name = _("能力范围条目")
        verbose_name_plural = _("能力范围条目")
        ordering = ["certificate_id", "code"]
        constraints = [models.UniqueConstraint(fields=["certificate", "code"], name="org_scopeitem_unique_code")]
        indexes = [models.Index(fields=["field", "quantity"], name="org_scopeitem_field_qty_idx")]

    def __str__(self):
        return f"{self.code} {self.item_type} {self.quantity}"

    def clean(self):
        super().clean()
        if self.range_min is not None and self.range_max is not None and self.range_max < self.range_min:
            raise ValidationError({"range_max": _("测量范围上限不能小于下限")})

    def cmc_at(self, x):
        """The CMC (expanded uncertainty, in the range's unit) at the value x (a Decimal in that unit)."""
        x = abs(x)
        if self.cmc_form == CmcForm.ABSOLUTE:
            return self.cmc_a
        if self.cmc_form == CmcForm.RELATIVE:
            return self.cmc_b * x
        return self.cmc_a + self.cmc_b * x

    def covers(self, x) -> bool:
        """Whether x (a Decimal in the range's unit) lies inside the accredited range."""
        return self.range_min <= x <= self.range_max
