"""Staff (人员) and their personal qualifications."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from caltrace.core.audit import AuditedManager, AuditedQuerySet
from caltrace.core.models import BusinessModel

from .choices import EmploymentType, QualificationKind

MIN_WORKING_AGE = 16  # the Labour Law's minimum age of employment


def years_between(start: dt.date, end: dt.date) -> int:
    """Whole years from start to end (a birthday or anniversary on end counts)."""
    return end.year - start.year - ((end.month, end.day) < (start.month, start.day))


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

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        ordering = ["staff_no"]
        indexes = [
            models.Index(fields=["name"], name="people_person_name_idx"),
            models.Index(fields=["employment_type"], name="people_person_employment_idx"),
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
