"""Staff (人员), their personal qualifications, training, authorizations and protective equipment."""

import calendar
import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caltrace.core.audit import AuditedManager, AuditedQuerySet
from caltrace.core.models import BusinessModel

from .choices import (
    MAY_NAME_METHODS,
    NEEDS_FIELDS,
    NEEDS_SCOPE,
    SKILL_TRAININGS,
    AuthorizationKind,
    EmploymentType,
    QualificationKind,
    StaffCategory,
    TrainingKind,
    Validity,
)

MIN_WORKING_AGE = 16  # the Labour Law's minimum age of employment


def years_between(start: dt.date, end: dt.date) -> int:
    """Whole years from start to end (a birthday or anniversary on end counts)."""
    return end.year - start.year - ((end.month, end.day) < (start.month, start.day))


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (or earlier); the 31st becomes the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def due_soon_days() -> int:
    return int(settings.CALTRACE.get("DUE_SOON_DAYS", 30))


def validity_on(valid_from: dt.date, valid_until: dt.date | None, on: dt.date, *,
                revoked_on: dt.date | None = None, soon_days: int | None = None) -> str:
    """Where a dated record stands on a day (the badge): not yet, valid, expiring, lapsed, revoked.

    A record is in force from ``valid_from`` to ``valid_until`` inclusive; revoked from ``revoked_on``.
    """
    if revoked_on is not None and on >= revoked_on:
        return Validity.REVOKED
    if on < valid_from:
        return Validity.NOT_YET
    if valid_until is not None and on > valid_until:
        return Validity.LAPSED
    soon = due_soon_days() if soon_days is None else soon_days
    if valid_until is not None and (valid_until - on).days <= soon:
        return Validity.EXPIRING
    return Validity.VALID


class Person(BusinessModel):
    """A staff member (员工) of the agency; with a user, one who can sign in."""

    staff_no = models.CharField(_("工号"), max_length=30, unique=True)
    name = models.CharField(_("姓名"), max_length=100)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="person", verbose_name=_("登录账号"))
    birth_date = models.DateField(_("出生日期"))
    employment_type = models.CharField(_("用工形式"), max_length=20, choices=EmploymentType.choices,
                                       default=EmploymentType.LONG_TERM)
    hire_date = models.DateField(_("入职日期"))
    left_on = models.DateField(_("离职日期"), null=True, blank=True)
    calibration_since = models.DateField(_("从事校准工作起始日期"), null=True, blank=True)
    site = models.ForeignKey("org.Site", on_delete=models.PROTECT, null=True, blank=True, related_name="staff",
                             verbose_name=_("所在场所"))
    category = models.CharField(_("人员类别"), max_length=20, choices=StaffCategory.choices,
                                default=StaffCategory.CALIBRATION)
    position = models.CharField(_("岗位"), max_length=100, blank=True, help_text=_("例如“电学室主任”“校准员”"))

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        ordering = ["staff_no"]
        indexes = [
            models.Index(fields=["name"], name="people_person_name_idx"),
            models.Index(fields=["employment_type"], name="people_person_employment_idx"),
            models.Index(fields=["category"], name="people_person_category_idx"),
        ]

    def __str__(self):
        return f"{self.name} ({self.staff_no})"

    def clean(self):
        super().clean()
        errors = {}
        if self.birth_date and self.hire_date and years_between(self.birth_date, self.hire_date) < MIN_WORKING_AGE:
            errors["hire_date"] = ValidationError(_("入职时未满%(age)d周岁"), params={"age": MIN_WORKING_AGE})
        if self.birth_date and self.calibration_since and self.calibration_since <= self.birth_date:
            errors["calibration_since"] = _("从事校准工作起始日期应晚于出生日期")
        if self.hire_date and self.left_on and self.left_on < self.hire_date:
            errors["left_on"] = _("离职日期不能早于入职日期")
        if errors:
            raise ValidationError(errors)

    def age_on(self, on: dt.date) -> int:
        return years_between(self.birth_date, on)

    def calibration_years_on(self, on: dt.date) -> int:
        """Whole years of calibration experience on a day (PER-3); 0 when none is recorded."""
        if self.calibration_since is None or on < self.calibration_since:
            return 0
        return years_between(self.calibration_since, on)

    def employed_on(self, on: dt.date) -> bool:
        return self.hire_date <= on and (self.left_on is None or on <= self.left_on)


class QualificationQuerySet(AuditedQuerySet):
    def valid_on(self, on: dt.date):
        """Qualifications in date on a day (an open end means valid without limit)."""
        return self.filter(models.Q(valid_until__isnull=True) | models.Q(valid_until__gte=on), valid_from__lte=on)


class Qualification(BusinessModel):
    """A personal qualification (资格): registered metrologist, senior title, verifier certificate…"""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="qualifications",
                               verbose_name=_("人员"))
    kind = models.CharField(_("类别"), max_length=20, choices=QualificationKind.choices)
    title = models.CharField(_("名称"), max_length=100, blank=True,
                             help_text=_("例如职称名称“高级工程师”；注册计量师可留空"))
    number = models.CharField(_("证书编号"), max_length=60, blank=True)
    issuer = models.CharField(_("发证机关"), max_length=200)
    discipline = models.CharField(_("专业或项目"), max_length=200, blank=True)
    valid_from = models.DateField(_("有效期起"))
    valid_until = models.DateField(_("有效期止"), null=True, blank=True, help_text=_("长期有效的留空"))

    objects = AuditedManager.from_queryset(QualificationQuerySet)()

    class Meta:
        verbose_name = _("人员资格")
        verbose_name_plural = _("人员资格")
        ordering = ["person_id", "kind", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "number"], condition=~models.Q(number=""),
                                    name="people_qualification_unique_number",
                                    violation_error_message=_("同类证书编号已登记")),
        ]
        indexes = [
            models.Index(fields=["person", "kind"], name="people_qual_person_kind_idx"),
            models.Index(fields=["valid_until"], name="people_qual_valid_until_idx"),
        ]

    def __str__(self):
        return f"{self.person.name} {self.get_kind_display()} {self.number}".strip()

    def clean(self):
        super().clean()
        errors = {}
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            errors["valid_until"] = _("有效期止不能早于有效期起")
        if self.kind in (QualificationKind.REGISTERED_METROLOGIST_1, QualificationKind.REGISTERED_METROLOGIST_2,
                         QualificationKind.VERIFIER_CERTIFICATE) and not self.number:
            errors["number"] = _("注册计量师证和检定员证须登记证书编号")
        if self.kind == QualificationKind.SENIOR_TITLE and not self.title:
            errors["title"] = _("高级技术职称须登记职称名称")
        if errors:
            raise ValidationError(errors)

    def is_valid_on(self, on: dt.date) -> bool:
        return self.valid_from <= on and (self.valid_until is None or on <= self.valid_until)

    def validity_on(self, on: dt.date) -> str:
        return validity_on(self.valid_from, self.valid_until, on)


class Training(BusinessModel):
    """A training session (培训): its kind, topic, day and hours, the trainer and the trainer's
    qualification (PER-6), and who attended (HR-2 health and safety, HR-3 integrity)."""

    kind = models.CharField(_("培训类别"), max_length=20, choices=TrainingKind.choices)
    topic = models.CharField(_("培训内容"), max_length=200)
    held_on = models.DateField(_("培训日期"))
    hours = models.DecimalField(_("学时"), max_digits=5, decimal_places=1)
    trainer = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="trainings_given", verbose_name=_("培训教师（本机构人员）"))
    trainer_name = models.CharField(_("培训教师（外部）"), max_length=100, blank=True,
                                    help_text=_("外部教师的姓名；本机构人员请选择上一项"))
    trainer_qualification = models.CharField(
        _("培训教师资格"), max_length=300, blank=True,
        help_text=_("例如“一级注册计量师 RM1-2023-320041”或“某计量院研究员”；本机构教师留空时按其有效资格填写"))
    provider = models.CharField(_("组织或提供单位"), max_length=200, blank=True)
    assessment = models.CharField(_("考核方式"), max_length=100, blank=True, help_text=_("例如笔试、实操考核"))
    note = models.TextField(_("备注"), blank=True)
    attendees = models.ManyToManyField(Person, through="TrainingAttendance", related_name="trainings",
                                       verbose_name=_("参训人员"))

    class Meta:
        verbose_name = _("培训记录")
        verbose_name_plural = _("培训记录")
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["kind", "held_on"], name="people_training_kind_day_idx")]

    def __str__(self):
        return f"{self.held_on.isoformat()} {self.topic}"

    def clean(self):
        super().clean()
        errors = {}
        if self.trainer_id is None and not self.trainer_name.strip():
            errors["trainer_name"] = _("请选择本机构培训教师或填写外部教师姓名")
        elif self.trainer_id is not None and self.trainer_name.strip():
            errors["trainer_name"] = _("本机构教师与外部教师只能填写一项")
        if self.kind in SKILL_TRAININGS and not self.trainer_qualification.strip():
            errors["trainer_qualification"] = _("基础知识、技术和实际操作技能培训须登记培训教师的资格（PER-6）")
        if self.hours is not None and self.hours <= 0:
            errors["hours"] = _("学时应大于零")
        if self.held_on and self.held_on > timezone.localdate():
            errors["held_on"] = _("培训日期不能晚于今天：请在培训结束后登记")
        if errors:
            raise ValidationError(errors)

    @property
    def trainer_label(self) -> str:
        return self.trainer.name if self.trainer_id else self.trainer_name


class TrainingAttendance(BusinessModel):
    """One person's attendance at a training (参训记录), with the assessment result."""

    training = models.ForeignKey(Training, on_delete=models.PROTECT, related_name="attendances",
                                 verbose_name=_("培训"))
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="training_attendances",
                               verbose_name=_("参训人员"))
    passed = models.BooleanField(_("考核合格"), default=True)
    score = models.CharField(_("成绩"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("参训记录")
        verbose_name_plural = _("参训记录")
        ordering = ["training_id", "person_id"]
        constraints = [models.UniqueConstraint(fields=["training", "person"], name="people_attendance_unique",
                                               violation_error_message=_("此人已登记参加本次培训"))]

    def __str__(self):
        return f"{self.person.name} @ {self.training}"


class AuthorizationQuerySet(AuditedQuerySet):
    def in_force_on(self, on: dt.date):
        """Authorizations in force on a day: begun, not ended, not revoked (an open end never ends)."""
        return self.filter(models.Q(valid_until__isnull=True) | models.Q(valid_until__gte=on),
                           models.Q(revoked_on__isnull=True) | models.Q(revoked_on__gt=on), valid_from__lte=on)


class Authorization(BusinessModel):
    """An authorization (授权) of a person, with its validity: calibrator for scope items and methods
    (校准人员), reviewer (核验人员) or authorized signatory (授权签字人) for fields of measurement,
    developer or validator of non-standard methods, technical director (技术负责人), supervisor
    (监督员). Granting one is refused when the person does not qualify (``people.rules``)."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="authorizations",
                               verbose_name=_("人员"))
    kind = models.CharField(_("授权类别"), max_length=30, choices=AuthorizationKind.choices)
    document_no = models.CharField(_("授权书编号"), max_length=60, blank=True)
    valid_from = models.DateField(_("有效期起"))
    valid_until = models.DateField(_("有效期止"), null=True, blank=True, help_text=_("至撤销为止的留空"))
    scope_items = models.ManyToManyField("org.ScopeItem", blank=True, related_name="authorizations",
                                         verbose_name=_("能力范围条目"))
    methods = models.ManyToManyField("methods.Method", blank=True, related_name="authorizations",
                                     verbose_name=_("方法"))
    metrology_fields = models.JSONField(_("专业领域"), default=list, blank=True)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("授权操作人"))
    revoked_on = models.DateField(_("撤销日期"), null=True, blank=True)
    revoke_reason = models.TextField(_("撤销原因"), blank=True)
    note = models.TextField(_("备注"), blank=True)

    objects = AuditedManager.from_queryset(AuthorizationQuerySet)()

    class Meta:
        verbose_name = _("人员授权")
        verbose_name_plural = _("人员授权")
        ordering = ["person_id", "kind", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["document_no"], condition=~models.Q(document_no=""),
                                    name="people_authorization_unique_document",
                                    violation_error_message=_("授权书编号已登记")),
        ]
        indexes = [
            models.Index(fields=["person", "kind"], name="people_auth_person_kind_idx"),
            models.Index(fields=["kind", "valid_until"], name="people_auth_kind_until_idx"),
        ]

    def __str__(self):
        return f"{self.person.name} {self.get_kind_display()}" + (f" {self.document_no}" if self.document_no else "")

    def clean(self):
        from caltrace.org.choices import MetrologyField

        super().clean()
        errors = {}
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            errors["valid_until"] = _("有效期止不能早于有效期起")
        fields = self.metrology_fields if isinstance(self.metrology_fields, list) else None
        if fields is None:
            errors["metrology_fields"] = _("专业领域应为列表")
        else:
            unknown = [f for f in fields if f not in MetrologyField.values]
            if unknown:
                errors["metrology_fields"] = ValidationError(_("未知的专业领域：%(fields)s"),
                                                   params={"fields": "、".join(map(str, unknown))})
            elif self.kind in NEEDS_FIELDS and not fields:
                errors["metrology_fields"] = _("核验人员和授权签字人的授权须指明专业领域")
            elif self.kind not in NEEDS_FIELDS and fields:
                errors["metrology_fields"] = _("此类授权不按专业领域授予")
            else:
                order = list(MetrologyField.values)
                self.metrology_fields = sorted(set(fields), key=order.index)
        if self.valid_from and self.person_id is not None and not self.person.employed_on(self.valid_from):
            errors["valid_from"] = ValidationError(_("%(name)s 在 %(day)s 不在职，不能自该日起授权"),
                                                   params={"name": self.person.name, "day": self.valid_from})
        if self.revoked_on and self.valid_from and self.revoked_on < self.valid_from:
            errors["revoked_on"] = _("撤销日期不能早于有效期起")
        if self.revoked_on and not self.revoke_reason.strip():
            errors["revoke_reason"] = _("撤销授权须说明原因")
        if errors:
            raise ValidationError(errors)

    @property
    def needs_scope(self) -> bool:
        return self.kind in NEEDS_SCOPE

    @property
    def may_name_methods(self) -> bool:
        return self.kind in MAY_NAME_METHODS

    def field_labels(self) -> list[str]:
        from caltrace.org.choices import MetrologyField

        labels = dict(MetrologyField.choices)
        return [str(labels.get(f, f)) for f in self.metrology_fields or ()]

    def validity_on(self, on: dt.date) -> str:
        return validity_on(self.valid_from, self.valid_until, on, revoked_on=self.revoked_on)

    def in_force_on(self, on: dt.date) -> bool:
        return self.validity_on(on) in (Validity.VALID, Validity.EXPIRING)


class ProtectiveEquipmentIssue(BusinessModel):
    """Personal protective equipment issued to a person (劳动防护用品发放记录, HR-2, SAF-1)."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="protective_equipment",
                               verbose_name=_("人员"))
    item = models.CharField(_("防护用品"), max_length=100, help_text=_("例如防静电服、绝缘手套、安全帽"))
    quantity = models.PositiveIntegerField(_("数量"), default=1)
    issued_on = models.DateField(_("发放日期"))
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("防护用品发放记录")
        verbose_name_plural = _("防护用品发放记录")
        ordering = ["-issued_on", "-id"]

    def __str__(self):
        return f"{self.person.name} {self.item} ×{self.quantity}"

    def clean(self):
        super().clean()
        if self.quantity is not None and self.quantity < 1:
            raise ValidationError({"quantity": _("数量应至少为 1")})
