"""The agency (机构) and its premises: legal entity, sites and rooms; its qualification
certificates and their scope annex (能力范围)."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from caltrace.core.models import BusinessModel
from caltrace.core.validators import validate_credit_code

from caltrace.core import units
from .choices import CmcForm, MetrologyField, QualificationCertificateKind, SiteTenure, ValidityStatus


def in_language(zh: str, en: str) -> str:
    """A value kept in both languages, in the language the UI speaks (Chinese when no English)."""
    return en if en and (translation.get_language() or "").startswith("en") else zh


class _UniqueOnFieldMixin:
    """Report a unique-together violation on the field a user types (a duplicate room code shows
    under the code, not on top of the form). ``UNIQUE_FIELD_ERRORS``: {fields: (field, message)}."""

    UNIQUE_FIELD_ERRORS: dict = {}

    def validate_constraints(self, exclude=None):
        try:
            super().validate_constraints(exclude=exclude)
        except ValidationError as exc:
            errors = exc.update_error_dict({})
            kept = []
            for error in errors.pop(NON_FIELD_ERRORS, []):
                check = tuple((error.params or {}).get("unique_check", ())) if error.code == "unique_together" else ()
                if check in self.UNIQUE_FIELD_ERRORS:
                    name, message = self.UNIQUE_FIELD_ERRORS[check]
                    errors.setdefault(name, []).append(ValidationError(message, code="unique"))
                else:
                    kept.append(error)
            if kept:
                errors[NON_FIELD_ERRORS] = kept
            raise ValidationError(errors) from None


class Agency(BusinessModel):
    """The calibration agency as a legal entity (法律实体), or a defined part of one (ENT-1)."""

    name = models.CharField(_("机构名称"), max_length=200)
    name_en = models.CharField(_("英文名称"), max_length=200, blank=True)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True,
                                   validators=[validate_credit_code])
    legal_representative = models.CharField(_("法定代表人"), max_length=100)
    defence_agency = models.BooleanField(
        _("军队或国防军工计量机构"), default=False,
        help_text=_("是：本机构校准人员持有的计量检定员证视同二级注册计量师证书（PER-7）"))
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

    def display_name(self) -> str:
        return in_language(self.name, self.name_en)

    @property
    def main_site(self):
        return self.sites.filter(is_main=True).first()


class Site(_UniqueOnFieldMixin, BusinessModel):
    """A site (场所) of the agency: an address where it works, with the proof that it may (SITE-1)."""

    UNIQUE_FIELD_ERRORS = {("agency", "name"): ("name", _("本机构已有同名场所"))}

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="sites", verbose_name=_("机构"))
    name = models.CharField(_("场所名称"), max_length=200)
    name_en = models.CharField(_("英文名称"), max_length=200, blank=True)
    address = models.CharField(_("地址"), max_length=300)
    address_en = models.CharField(_("英文地址"), max_length=300, blank=True)
    is_main = models.BooleanField(_("主场所"), default=False)
    is_enclosed = models.BooleanField(_("独立或相对封闭的空间"), default=True,
                                      help_text=_("办公和实验场所独立或相对封闭（SITE-1）"))
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

    def tenure_status(self, on: dt.date, soon_days: int = 30) -> str:
        """The tenure document's state on a day, for badges and lists (a ValidityStatus)."""
        if self.tenure == SiteTenure.OWNED:
            return ValidityStatus.OWNED
        if self.tenure_valid_from and on < self.tenure_valid_from:
            return ValidityStatus.NOT_YET_VALID
        return _status_by_end(self.tenure_valid_until, on, soon_days)

    def display_name(self) -> str:
        return in_language(self.name, self.name_en)

    def display_address(self) -> str:
        return in_language(self.address, self.address_en)


class Room(_UniqueOnFieldMixin, BusinessModel):
    """A room (房间) of a site: a laboratory, sample room or store; may keep measurement standards."""

    UNIQUE_FIELD_ERRORS = {("site", "code"): ("code", _("该场所已有此房间编号"))}

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="rooms", verbose_name=_("场所"))
    code = models.CharField(_("房间编号"), max_length=30)
    name = models.CharField(_("房间名称"), max_length=100)
    building = models.CharField(_("楼栋"), max_length=100, blank=True, help_text=_("例如“2号楼”"))
    floor = models.CharField(_("楼层"), max_length=30, blank=True, help_text=_("例如“3层”"))
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

    @property
    def location(self) -> str:
        """Where the room is inside its site: building, floor and room number."""
        return " ".join(part for part in (self.building, self.floor, self.code) if part)

    @property
    def full_address(self) -> str:
        return f"{self.site.address} {self.location}"


class QualificationCertificate(BusinessModel):
    """A qualification certificate (资质证书): accreditation or authorization, whose annex (附件)
    lists the accredited calibration capabilities (QUAL-1)."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="qualification_certificates",
                               verbose_name=_("机构"))
    kind = models.CharField(_("类别"), max_length=20, choices=QualificationCertificateKind.choices)
    number = models.CharField(_("证书编号"), max_length=60, unique=True)
    issuer = models.CharField(_("发证机构"), max_length=200)
    issuer_en = models.CharField(_("发证机构英文名称"), max_length=200, blank=True)
    valid_from = models.DateField(_("有效期起"))
    valid_until = models.DateField(_("有效期止"))
    revoked_on = models.DateField(_("暂停或撤销日期"), null=True, blank=True,
                                  help_text=_("自该日起证书不再有效"))
    replaces = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="replaced_by", verbose_name=_("代替的证书"),
                                    help_text=_("换证时登记被代替的旧证书，旧证书不再提示到期"))

    class Meta:
        verbose_name = _("资质证书")
        verbose_name_plural = _("资质证书")
        ordering = ["-valid_until"]
        indexes = [models.Index(fields=["valid_until"], name="org_qualcert_valid_until_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.number}"

    def clean(self):
        super().clean()
        errors = {}
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            errors["valid_until"] = _("有效期止不能早于有效期起")
        if self.revoked_on and self.valid_from and self.revoked_on < self.valid_from:
            errors["revoked_on"] = _("暂停或撤销日期不能早于有效期起")
        if self.replaces_id is not None:
            if self.pk is not None and self.replaces_id == self.pk:
                errors["replaces"] = _("证书不能代替自身")
            elif self.agency_id is not None and self.replaces.agency_id != self.agency_id:
                errors["replaces"] = _("只能代替本机构的证书")
        if errors:
            raise ValidationError(errors)

    def is_valid_on(self, on) -> bool:
        """In force on this day: inside its validity and not suspended or revoked by then."""
        return self.valid_from <= on <= self.valid_until and (self.revoked_on is None or on < self.revoked_on)

    def status_on(self, on: dt.date, soon_days: int = 30) -> str:
        if self.revoked_on is not None and on >= self.revoked_on:
            return ValidityStatus.REVOKED
        if on < self.valid_from:
            return ValidityStatus.NOT_YET_VALID
        return _status_by_end(self.valid_until, on, soon_days)

    def display_issuer(self) -> str:
        return in_language(self.issuer, self.issuer_en)


class ScopeItem(_UniqueOnFieldMixin, BusinessModel):
    """One accredited capability (校准能力范围条目) in a qualification certificate's annex: a field,
    a quantity and item type, a measuring range with its unit, the CMC, the methods it covers and
    the sites where it is valid."""

    UNIQUE_FIELD_ERRORS = {("certificate", "code"): ("code", _("该证书附件中已有此条目编号"))}

    certificate = models.ForeignKey(QualificationCertificate, on_delete=models.PROTECT, related_name="scope_items",
                                    verbose_name=_("资质证书"))
    code = models.CharField(_("条目编号"), max_length=30)
    field = models.CharField(_("专业领域"), max_length=20, choices=MetrologyField.choices, db_index=True)
    quantity = models.CharField(_("测量参数"), max_length=100)
    quantity_en = models.CharField(_("测量参数（英文）"), max_length=100, blank=True)
    item_type = models.CharField(_("被校仪器名称"), max_length=200)
    item_type_en = models.CharField(_("被校仪器名称（英文）"), max_length=200, blank=True)
    range_min = models.DecimalField(_("测量范围下限"), max_digits=24, decimal_places=9)
    range_max = models.DecimalField(_("测量范围上限"), max_digits=24, decimal_places=9)
    bipolar = models.BooleanField(_("正负双极性（±）"), default=False,
                                  help_text=_("测量范围按绝对值计，正负两个极性都在范围内，例如直流电压 ±(0~1000) V"))
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
    withdrawn_on = models.DateField(_("撤出能力范围日期"), null=True, blank=True,
                                    help_text=_("自该日起本条目不再属于证书附件的能力范围（如缩小范围）"))

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
        errors: dict[str, list] = {}

        def add(name, message):
            errors.setdefault(name, []).append(message)

        self.unit = (self.unit or "").strip()
        for name, message in units.range_problems(self.range_min, self.range_max, self.bipolar, self.unit):
            add(name, message)
        for name in ("cmc_a", "cmc_b"):
            if getattr(self, name) is not None and getattr(self, name) < 0:
                add(name, _("不能为负数"))
        if self.cmc_k is not None and self.cmc_k <= 0:
            add("cmc_k", _("包含因子应大于零"))
        if self.cmc_form == CmcForm.ABSOLUTE and not self.cmc_a:
            add("cmc_a", _("绝对值形式的 CMC 须填写常数项 a"))
        if self.cmc_form == CmcForm.RELATIVE and not self.cmc_b:
            add("cmc_b", _("相对值形式的 CMC 须填写比例项 b"))
        if self.cmc_form == CmcForm.LINEAR and not (self.cmc_a and self.cmc_b):
            add("cmc_b" if self.cmc_a else "cmc_a", _("a + b·x 形式的 CMC 须同时填写 a 和 b"))
        if self.withdrawn_on and self.certificate_id is not None and self.withdrawn_on < self.certificate.valid_from:
            add("withdrawn_on", _("撤出日期不能早于证书有效期起"))
        if errors:
            raise ValidationError(errors)

    def is_valid_on(self, on: dt.date) -> bool:
        """Part of the valid scope on this day: its certificate is in force and it is not withdrawn."""
        return self.certificate.is_valid_on(on) and (self.withdrawn_on is None or on < self.withdrawn_on)

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
        if self.bipolar:
            x = abs(x)
        return self.range_min <= x <= self.range_max

    @property
    def range_text(self) -> str:
        """The range as an annex states it: "(0~1000) V", "±(0~1000) V", "(-40~300) °C"."""
        text = f"({format_decimal(self.range_min)}~{format_decimal(self.range_max)}) {self.unit}"
        return "±" + text if self.bipolar else text

    @property
    def cmc_display(self) -> str:
        """The CMC as stated on the certificate, or written out from its form when no text was given."""
        if self.cmc_text:
            return self.cmc_text
        k = format_decimal(self.cmc_k)
        if self.cmc_form == CmcForm.ABSOLUTE:
            return f"U = {format_decimal(self.cmc_a)} {self.unit}, k = {k}"
        if self.cmc_form == CmcForm.RELATIVE:
            return f"Urel = {format_scientific(self.cmc_b)}, k = {k}"
        return f"U = {format_scientific(self.cmc_b)}·x + {format_decimal(self.cmc_a)} {self.unit}, k = {k}"

    def display_quantity(self) -> str:
        return in_language(self.quantity, self.quantity_en)

    def display_item_type(self) -> str:
        return in_language(self.item_type, self.item_type_en)


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def format_decimal(value) -> str:
    """A decimal without trailing zeros or exponent: 1000.000000000 → "1000", 0.000500 → "0.0005"."""
    if value is None:
        return ""
    text = format(Decimal(value).normalize(), "f")
    return "0" if text in ("-0", "") else text


def format_scientific(value) -> str:
    """A small coefficient as a metrologist writes it: 0.000008 → "8×10⁻⁶", 0.5 → "0.5"."""
    value = Decimal(value).normalize()
    if value == 0 or Decimal("0.001") <= abs(value) < 1000:
        return format_decimal(value)
    sign, digits, exponent = value.as_tuple()
    shift = len(digits) - 1
    mantissa = Decimal((sign, digits, -shift)).normalize()
    return f"{format_decimal(mantissa)}×10{str(exponent + shift).translate(_SUPERSCRIPT)}"


def _status_by_end(valid_until, on: dt.date, soon_days: int) -> str:
    if valid_until is None or on > valid_until:
        return ValidityStatus.EXPIRED
    if (valid_until - on).days < soon_days:
        return ValidityStatus.EXPIRING
    return ValidityStatus.VALID
