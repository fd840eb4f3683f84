"""The method registry (方法): verification regulations, calibration specifications, standards, and their editions."""

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from caltrace.core.models import BusinessModel

from .choices import (
    DEFAULT_UNITS,
    KIND_PREFIXES,
    KIND_USES,
    STANDARD_USES,
    VALIDATION_KINDS,
    Condition,
    FieldType,
    MethodKind,
    MethodUse,
    ValidationConclusion,
    ValidationTechnique,
    VersionStatus,
)
from .environment import Limit

# An edition year written into the code ("JJF 1059.1-2012", "ISO 6789-1:2017") belongs to the version.
_EDITION_SUFFIX = re.compile(r"[-—:：]\s*(19|20)\d{2}$")


class Method(BusinessModel):
    """A method document (校准方法), e.g. JJF 1587 数字多用表校准规范, without its edition."""

    code = models.CharField(_("编号"), max_length=60, unique=True, help_text=_("不含年代号，例如“JJF 1587”"))
    kind = models.CharField(_("类别"), max_length=20, choices=MethodKind.choices)
    title = models.CharField(_("名称"), max_length=200)
    title_en = models.CharField(_("英文名称"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("方法")
        verbose_name_plural = _("方法")
        ordering = ["code"]
        indexes = [models.Index(fields=["kind"], name="methods_method_kind_idx")]

    def __str__(self):
        return f"{self.code} {self.title}"

    def clean(self):
        super().clean()
        self.code = " ".join((self.code or "").split())
        errors = []
        prefix = KIND_PREFIXES.get(self.kind)
        if prefix and not self.code.upper().startswith(prefix):
            errors.append(ValidationError(_("%(kind)s 类方法的编号应以“%(prefix)s”开头"),
                                          params={"kind": self.get_kind_display(), "prefix": prefix}))
        if _EDITION_SUFFIX.search(self.code):
            errors.append(ValidationError(_("方法编号不含年代号，年代号登记在版本中")))
        if errors:
            raise ValidationError({"code": errors})

    @property
    def is_standard_method(self) -> bool:
        """A published method (MTH-1); an in-house or non-standard one needs consent and validation (MTH-2)."""
        return self.kind not in VALIDATION_KINDS

    @property
    def inherent_use(self) -> str | None:
        """The use that needs a validation whatever the job (in-house or non-standard), else None."""
        return KIND_USES.get(self.kind)


class MethodVersion(BusinessModel):
    """One edition (版本) of a method, e.g. JJF 1587-2016: effective and withdrawal dates, the
    edition that supersedes it, its minimum duration, and (through related rows) its
    environmental limits and the record fields it requires."""

    method = models.ForeignKey(Method, on_delete=models.PROTECT, related_name="versions", verbose_name=_("方法"))
    edition = models.CharField(_("版本(年代号)"), max_length=20)
    effective_on = models.DateField(_("实施日期"))
    withdrawn_on = models.DateField(_("废止日期"), null=True, blank=True)
    superseded_by = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="supersedes", verbose_name=_("被代替为"))
    min_duration_minutes = models.PositiveIntegerField(
        _("最短校准时长(分钟)"), null=True, blank=True,
        help_text=_("按本方法完成一次校准至少需要的时间，含预热和稳定时间"))
    developed_by = models.ForeignKey("people.Person", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="developed_method_versions", verbose_name=_("方法制定人"),
                                     help_text=_("实验室自编方法须登记"))

    class Meta:
        verbose_name = _("方法版本")
        verbose_name_plural = _("方法版本")
        ordering = ["method_id", "-effective_on"]
        constraints = [models.UniqueConstraint(fields=["method", "edition"], name="methods_version_unique_edition")]
        indexes = [
            models.Index(fields=["method", "effective_on"], name="methods_version_effective_idx"),
            models.Index(fields=["withdrawn_on"], name="methods_version_withdrawn_idx"),
        ]

    def __str__(self):
        return self.designation

    @property
    def designation(self) -> str:
        """The full designation: "JJF 1587-2016", "ISO 6789-1:2017"."""
        sep = ":" if self.method.kind == MethodKind.ISO else "-"
        return f"{self.method.code}{sep}{self.edition}"

    def clean(self):
        super().clean()
        self.edition = (self.edition or "").strip()
        errors = {}
        if self.effective_on and self.withdrawn_on and self.withdrawn_on < self.effective_on:
            errors["withdrawn_on"] = _("废止日期不能早于实施日期")
        if self.superseded_by_id is not None:
            if self.pk is not None and self.superseded_by_id == self.pk:
                errors["superseded_by"] = _("版本不能被自身代替")
            elif self.effective_on and self.superseded_by.effective_on < self.effective_on:
                errors["superseded_by"] = _("代替版本的实施日期不能早于被代替版本")
        if self.min_duration_minutes == 0:
            errors["min_duration_minutes"] = _("最短校准时长应大于零")
        method = self.method if self.method_id else None
        if method is not None and method.kind == MethodKind.IN_HOUSE and self.developed_by_id is None:
            errors["developed_by"] = _("实验室自编方法须登记方法制定人")
        if errors:
            raise ValidationError(errors)

    @property
    def ends_on(self) -> dt.date | None:
        """The first day the version may no longer be used: its withdrawal date, or else the day its
        successor takes effect."""
        if self.withdrawn_on is not None:
            return self.withdrawn_on
        if self.superseded_by_id is not None:
            return self.superseded_by.effective_on
        return None

    def status_on(self, on: dt.date) -> str:
        """The version's status on a day (VAL-1): not yet effective, current, superseded or withdrawn.

        A version stays current until its withdrawal date: when the successor takes effect before it
        (a transition period), both are valid until then. Without a withdrawal date the version ends
        the day its successor takes effect."""
        if on < self.effective_on:
            return VersionStatus.NOT_YET_EFFECTIVE
        end = self.ends_on
        if end is not None and on >= end:
            return VersionStatus.SUPERSEDED if self.superseded_by_id else VersionStatus.WITHDRAWN
        return VersionStatus.CURRENT

    def is_current_on(self, on: dt.date) -> bool:
        return self.status_on(on) == VersionStatus.CURRENT

    @property
    def min_duration(self) -> dt.timedelta | None:
        """The shortest time a calibration by this version takes (PRH-6 screens records finished faster)."""
        return dt.timedelta(minutes=self.min_duration_minutes) if self.min_duration_minutes else None

    def environment_limits(self) -> tuple[Limit, ...]:
        """The version's environmental limits as plain values (see :mod:`caltrace.methods.environment`)."""
        return tuple(row.as_limit() for row in self.limits.all())

    def required_record_fields(self) -> list["RecordField"]:
        """The record fields a raw record of this version must fill before sign-off (CND-3)."""
        return [f for f in self.record_fields.all() if f.required]


class EnvironmentLimit(BusinessModel):
    """An environmental condition (环境条件) a method version sets: a range of temperature, humidity
    or any other condition it names, and optionally the largest change allowed during calibration."""

    version = models.ForeignKey(MethodVersion, on_delete=models.CASCADE, related_name="limits",
                                verbose_name=_("方法版本"))
    condition = models.CharField(_("环境条件"), max_length=20, choices=Condition.choices)
    name = models.CharField(_("条件名称"), max_length=60, blank=True, help_text=_("“其他条件”须填写，例如“磁场强度”"))
    minimum = models.DecimalField(_("下限"), max_digits=14, decimal_places=4, null=True, blank=True)
    maximum = models.DecimalField(_("上限"), max_digits=14, decimal_places=4, null=True, blank=True)
    unit = models.CharField(_("单位"), max_length=20, help_text=_("例如 °C、%、kPa、V、Hz"))
    max_variation = models.DecimalField(_("允许最大变化"), max_digits=14, decimal_places=4, null=True, blank=True,
                                        help_text=_("校准过程中读数的最大值与最小值之差不得超过此值"))
    variation_minutes = models.PositiveIntegerField(_("变化考核时段(分钟)"), null=True, blank=True,
                                                    help_text=_("留空表示整个校准过程"))
    text = models.CharField(_("方法原文"), max_length=100, blank=True, help_text=_("例如“(20±2)℃”"))

    class Meta:
        verbose_name = _("环境条件要求")
        verbose_name_plural = _("环境条件要求")
        ordering = ["version_id", "condition", "name"]
        constraints = [models.UniqueConstraint(fields=["version", "condition", "name"],
                                               name="methods_limit_unique_condition",
                                               violation_error_message=_("同一版本的环境条件不能重复登记"))]

    def __str__(self):
        return f"{self.as_limit().label} {self.as_limit().describe()}"

    def clean(self):
        super().clean()
        self.name = (self.name or "").strip()
        self.unit = (self.unit or "").strip() or DEFAULT_UNITS.get(self.condition, "")
        errors = {}
        if self.condition == Condition.OTHER and not self.name:
            errors["name"] = _("其他条件须填写条件名称")
        if self.condition != Condition.OTHER and self.name:
            errors["name"] = _("只有“其他条件”需要填写条件名称")
        if not self.unit:
            errors["unit"] = _("须填写单位")
        if self.minimum is None and self.maximum is None and self.max_variation is None:
            errors["maximum"] = _("下限、上限和允许最大变化至少填写一项")
        if self.minimum is not None and self.maximum is not None and self.maximum < self.minimum:
            errors["maximum"] = _("上限不能小于下限")
        if self.max_variation is not None and self.max_variation <= 0:
            errors["max_variation"] = _("允许最大变化应大于零")
        if self.variation_minutes is not None and self.max_variation is None:
            errors["variation_minutes"] = _("填写了考核时段时须填写允许最大变化")
        if self.variation_minutes == 0:
            errors["variation_minutes"] = _("考核时段应大于零")
        if self.condition == Condition.HUMIDITY and self.unit in ("%", "%RH"):
            for f in ("minimum", "maximum"):
                v = getattr(self, f)
                if v is not None and not (0 <= v <= 100):
                    errors[f] = _("相对湿度应在 0～100 % 之间")
        if errors:
            raise ValidationError(errors)

    def as_limit(self) -> Limit:
        return Limit(condition=self.condition, unit=self.unit, minimum=self.minimum, maximum=self.maximum,
                     max_variation=self.max_variation, variation_minutes=self.variation_minutes, name=self.name,
                     text=self.text)


_FIELD_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class RecordField(BusinessModel):
    """A field the raw record (原始记录) of a method version must carry, e.g. the warm-up time or the
    accuracy class; a record cannot be signed off while a required one is empty (CND-3)."""

    version = models.ForeignKey(MethodVersion, on_delete=models.CASCADE, related_name="record_fields",
                                verbose_name=_("方法版本"))
    name = models.CharField(_("字段标识"), max_length=50, help_text=_("小写字母、数字和下划线，例如 warm_up_time"))
    label_zh = models.CharField(_("中文名称"), max_length=100)
    label_en = models.CharField(_("英文名称"), max_length=100, blank=True)
    field_type = models.CharField(_("类型"), max_length=10, choices=FieldType.choices)
    unit = models.CharField(_("单位"), max_length=20, blank=True, help_text=_("数值字段的单位"))
    options = models.JSONField(_("可选项"), default=list, blank=True, help_text=_("选项字段的可选值"))
    required = models.BooleanField(_("必填"), default=True)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("记录字段")
        verbose_name_plural = _("记录字段")
        ordering = ["version_id", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["version", "name"], name="methods_recordfield_unique_name",
                                               violation_error_message=_("同一版本的字段标识不能重复"))]

    def __str__(self):
        return f"{self.label_zh} ({self.name})"

    def clean(self):
        super().clean()
        self.name = (self.name or "").strip()
        self.unit = (self.unit or "").strip()
        self.options = [str(o).strip() for o in (self.options or []) if str(o).strip()]
        errors = {}
        if self.name and not _FIELD_NAME.match(self.name):
            errors["name"] = _("字段标识只能由小写字母、数字和下划线组成，并以字母开头")
        if self.field_type == FieldType.CHOICE:
            if len(self.options) < 2:
                errors["options"] = _("选项字段至少需要两个可选值")
            elif len(set(self.options)) != len(self.options):
                errors["options"] = _("可选值不能重复")
        elif self.options:
            errors["options"] = _("只有选项字段可以填写可选值")
        if self.unit and self.field_type != FieldType.NUMBER:
            errors["unit"] = _("只有数值字段可以填写单位")
        if errors:
            raise ValidationError(errors)

    @property
    def label(self) -> str:
        from django.utils import translation

        lang = translation.get_language() or "zh-hans"
        return self.label_en if lang.startswith("en") and self.label_en else self.label_zh

    def is_filled(self, value) -> bool:
        """Whether ``value`` fills this field (False, 0 and "否" are values; None and blanks are not)."""
        if value is None:
            return False
        if isinstance(value, str):
            return bool(value.strip())
        return True


class MethodValidation(BusinessModel):
    """A method validation record (方法确认记录): for an in-house or non-standard method, or a
    standard method modified or used outside its scope, what was validated, how, with what result
    and conclusion, by whom, and its approval (VAL-3, MTH-2). The validator must qualify (PER-4)."""

    version = models.ForeignKey(MethodVersion, on_delete=models.PROTECT, related_name="validations",
                                verbose_name=_("方法版本"))
    use = models.CharField(_("确认类型"), max_length=20, choices=MethodUse.choices)
    subject = models.CharField(_("确认内容"), max_length=300,
                               help_text=_("确认了什么，例如“测量范围扩展至 1000 V”或“方法整体”"))
    techniques = models.JSONField(_("确认方式"), default=list)
    result = models.TextField(_("确认结果"), help_text=_("例如比对的 En 值、评定的测量不确定度"))
    conclusion = models.CharField(_("结论"), max_length=10, choices=ValidationConclusion.choices)
    validated_by = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="method_validations",
                                     verbose_name=_("确认人"))
    validated_on = models.DateField(_("确认日期"))
    approved_by = models.ForeignKey("people.Person", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="approved_method_validations", verbose_name=_("批准人"))
    approved_on = models.DateField(_("批准日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("方法确认记录")
        verbose_name_plural = _("方法确认记录")
        ordering = ["-validated_on", "-id"]
        indexes = [
            models.Index(fields=["version", "use"], name="methods_valid_use_idx"),
            models.Index(fields=["approved_on"], name="methods_valid_approved_idx"),
        ]

    def __str__(self):
        return f"{self.version} {self.get_use_display()} {self.validated_on.isoformat() if self.validated_on else ''}"

    def clean(self):
        super().clean()
        errors = {}
        techniques = self.techniques if isinstance(self.techniques, list) else []
        valid = set(ValidationTechnique.values)
        if not techniques:
            errors["techniques"] = _("至少选择一种确认方式")
        elif any(t not in valid for t in techniques):
            errors["techniques"] = _("确认方式中有无效选项")
        else:
            self.techniques = sorted(set(techniques), key=ValidationTechnique.values.index)
        if self.version_id is not None and self.use:
            inherent = self.version.method.inherent_use
            if inherent and self.use != inherent:
                errors["use"] = ValidationError(_("此方法须按“%(use)s”确认"),
                                                params={"use": MethodUse(inherent).label})
            elif not inherent and self.use not in STANDARD_USES:
                errors["use"] = _("标准方法只需在修改或超出预定范围使用时确认")
        if (self.approved_by_id is None) != (self.approved_on is None):
            errors["approved_on"] = _("批准人和批准日期须同时填写")
        if self.approved_on and self.validated_on and self.approved_on < self.validated_on:
            errors["approved_on"] = _("批准日期不能早于确认日期")
        if errors:
            raise ValidationError(errors)

    @property
    def is_approved(self) -> bool:
        return self.approved_on is not None

    def is_valid_on(self, on: dt.date) -> bool:
        """Approved on or before ``on`` with the conclusion that the method is fit for its use."""
        return self.conclusion == ValidationConclusion.FIT and self.approved_on is not None and self.approved_on <= on

    def technique_labels(self) -> list[str]:
        return [str(ValidationTechnique(t).label) for t in self.techniques if t in ValidationTechnique.values]
