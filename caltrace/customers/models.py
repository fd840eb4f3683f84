"""Customers (客户): organisations, their contacts and portal accounts."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from caltrace.core.models import BusinessModel
from caltrace.core.validators import validate_credit_code


class CustomerOrganisation(BusinessModel):
    """A customer organisation (客户单位)."""

    name = models.CharField(_("单位名称"), max_length=200)
    name_en = models.CharField(_("英文名称"), max_length=200, blank=True)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True,
                                   validators=[validate_credit_code])
    address = models.CharField(_("地址"), max_length=300, blank=True)
    phone = models.CharField(_("电话"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("客户单位")
        verbose_name_plural = _("客户单位")
        ordering = ["name"]
        indexes = [models.Index(fields=["name"], name="customers_org_name_idx")]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        self.credit_code = (self.credit_code or "").strip().upper()


class CustomerContact(BusinessModel):
    """A contact person (联系人) of a customer organisation; with a user, a portal account."""

    organisation = models.ForeignKey(CustomerOrganisation, on_delete=models.PROTECT, related_name="contacts",
                                     verbose_name=_("客户单位"))
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="customer_contact", verbose_name=_("门户账号"))
    name = models.CharField(_("姓名"), max_length=100)
    phone = models.CharField(_("电话"), max_length=40, blank=True)
    email = models.EmailField(_("电子邮件"), blank=True)

    class Meta:
        verbose_name = _("客户联系人")
        verbose_name_plural = _("客户联系人")
        ordering = ["organisation", "name"]

    def __str__(self):
        return f"{self.name} ({self.organisation})"
