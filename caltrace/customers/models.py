"""Customers (客户): organisations, their contacts and portal accounts."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
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


# --- the customer portal: additional records (CON-3), complaints, the satisfaction survey ----------

from .workflows import COMPLAINT_WORKFLOW, RECORD_REQUEST_WORKFLOW  # noqa: E402


class RecordKind(models.TextChoices):
    RAW_RECORDS = "raw_records", _("原始记录")
    PERSONNEL_AUTHORIZATION = "personnel_authorization", _("人员授权记录")
    EQUIPMENT_TRACEABILITY = "equipment_traceability", _("设备溯源记录")
    OTHER = "other", _("其他记录")


class RecordRequest(BusinessModel):
    """A customer's request for additional records (追加记录申请, CON-3) about an instrument or a
    certificate. The request and the lab's decision (release with a file or a note, or refusal with
    the reason) together form the log of what was disclosed to whom."""

    workflow = RECORD_REQUEST_WORKFLOW

    organisation = models.ForeignKey(CustomerOrganisation, on_delete=models.PROTECT, related_name="record_requests",
                                     verbose_name=_("客户单位"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("申请人"))
    order_item = models.ForeignKey("orders.OrderItem", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="record_requests", verbose_name=_("样品"))
    certificate = models.ForeignKey("certificates.Certificate", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="record_requests", verbose_name=_("证书"))
    what = models.CharField(_("申请的记录"), max_length=30, choices=RecordKind.choices)
    reason = models.TextField(_("申请理由"))
    status = models.CharField(_("状态"), max_length=12, choices=RECORD_REQUEST_WORKFLOW.choices(),
                              default="requested")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("处理人"))
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    decision_note = models.TextField(_("处理说明"), blank=True)
    released_file = models.FileField(_("提供的文件"), upload_to="record_requests/%Y/%m/", blank=True)

    class Meta:
        verbose_name = _("追加记录申请")
        verbose_name_plural = _("追加记录申请")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organisation", "created_at"], name="customers_recreq_org_idx"),
                   models.Index(fields=["status"], name="customers_recreq_status_idx")]

    def __str__(self):
        return f"{self.organisation}: {self.get_what_display()} #{self.pk}"

    def clean(self):
        super().clean()
        if not self.order_item_id and not self.certificate_id:
            raise ValidationError({"order_item": _("请选择相关的样品或证书")})


class Complaint(BusinessModel):
    """A customer's complaint (投诉): received, investigated and closed with the lab's response."""

    workflow = COMPLAINT_WORKFLOW

    organisation = models.ForeignKey(CustomerOrganisation, on_delete=models.PROTECT, related_name="complaints",
                                     verbose_name=_("客户单位"))
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, null=True, blank=True,
                              related_name="complaints", verbose_name=_("委托单"))
    text = models.TextField(_("投诉内容"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("投诉人"))
    submitted_at = models.DateTimeField(_("投诉时间"))
    status = models.CharField(_("状态"), max_length=14, choices=COMPLAINT_WORKFLOW.choices(), default="received")
    response = models.TextField(_("处理结果"), blank=True)
    responded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("答复人"))
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("投诉")
        verbose_name_plural = _("投诉")
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["organisation", "submitted_at"], name="customers_complaint_org_idx"),
                   models.Index(fields=["status"], name="customers_complaint_st_idx")]

    def __str__(self):
        return f"{self.organisation} #{self.pk}"

    def clean(self):
        super().clean()
        if self.order_id and self.organisation_id and self.order.customer_id != self.organisation_id:
            raise ValidationError({"order": _("委托单不属于本单位")})


SCORE_VALIDATORS = [MinValueValidator(1), MaxValueValidator(5)]
SURVEY_SCORES = ("timeliness", "service", "competence", "report_quality", "overall")


class SurveyResponse(BusinessModel):
    """The customer's answer to the satisfaction survey (客户满意度调查) after a completed order:
    one answer per order, each score from 1 (poor) to 5 (very good)."""

    order = models.OneToOneField("orders.Order", on_delete=models.PROTECT, related_name="survey",
                                 verbose_name=_("委托单"))
    timeliness = models.PositiveSmallIntegerField(_("及时性"), validators=SCORE_VALIDATORS)
    service = models.PositiveSmallIntegerField(_("服务态度"), validators=SCORE_VALIDATORS)
    competence = models.PositiveSmallIntegerField(_("技术能力"), validators=SCORE_VALIDATORS)
    report_quality = models.PositiveSmallIntegerField(_("证书报告质量"), validators=SCORE_VALIDATORS)
    overall = models.PositiveSmallIntegerField(_("总体满意度"), validators=SCORE_VALIDATORS)
    comment = models.TextField(_("意见和建议"), blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("填写人"))
    answered_at = models.DateTimeField(_("填写时间"))

    class Meta:
        verbose_name = _("满意度调查答卷")
        verbose_name_plural = _("满意度调查答卷")
        ordering = ["-answered_at", "-id"]

    def __str__(self):
        return f"{self.order} {self.overall}/5"


class SurveyInvitation(BusinessModel):
    """The mail inviting the customer to rate a completed order (满意度调查邀请): one per order."""

    order = models.OneToOneField("orders.Order", on_delete=models.PROTECT, related_name="survey_invitation",
                                 verbose_name=_("委托单"))
    sent_to = models.CharField(_("收件人"), max_length=500)
    sent_at = models.DateTimeField(_("发送时间"))

    class Meta:
        verbose_name = _("满意度调查邀请")
        verbose_name_plural = _("满意度调查邀请")
        ordering = ["-sent_at", "-id"]

    def __str__(self):
        return f"{self.order} → {self.sent_to}"
