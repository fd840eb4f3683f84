"""Equipment (设备): everything registered because it can affect calibration results (EQP-1), its
characteristics, and its history: traceability, confirmation, checks, verification, service, usage.

The history records are append-only (EQP-6): a row, once written, is never changed or deleted —
a correction is a new row. The model refuses it (``save`` of an existing row, ``delete``, and the
queryset's ``update``/``delete``); the audit ledger makes a change behind the model's back evident.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caltrace.core.audit import AuditedManager, AuditedQuerySet
from caltrace.core.models import BusinessModel
from caltrace.core import units

from .choices import (
    CERTIFIED_KINDS,
    PLACELESS_KINDS,
    RECORDED_KINDS,
    EquipmentKind,
    ServiceEventKind,
    SpecKind,
    TraceabilityKind,
    VerificationPurpose,
)

AMOUNT = {"max_digits": 24, "decimal_places": 9}
COEFFICIENT = {"max_digits": 24, "decimal_places": 12}
PASSED_CHOICES = [(True, _("合格")), (False, _("不合格"))]
SQRT3 = Decimal(3).sqrt()


class Equipment(BusinessModel):
    """A piece of equipment (设备): instrument, software, measurement standard, reference material,
    reference data, reagent, consumable or auxiliary device.

    Its status (in service, due soon, overdue, unconfirmed, out of service, …) is derived from its
    history by :func:`caltrace.equipment.selectors.with_status`; it is never stored.
    """

    kind = models.CharField(_("类别"), max_length=30, choices=EquipmentKind.choices)
    asset_no = models.CharField(_("设备编号"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    manufacturer = models.CharField(_("制造商"), max_length=200, blank=True)
    model = models.CharField(_("型号规格"), max_length=100, blank=True)
    serial_no = models.CharField(_("出厂编号"), max_length=100, blank=True)
    measuring_range = models.CharField(_("测量范围"), max_length=300, blank=True)
    accuracy = models.CharField(_("准确度等级/最大允许误差/不确定度"), max_length=300, blank=True)
    home_room = models.ForeignKey("org.Room", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="equipment", verbose_name=_("存放地点"))
    commissioned_on = models.DateField(_("启用日期"), null=True, blank=True)
    check_interval_days = models.PositiveIntegerField(
        _("期间核查间隔（天）"), null=True, blank=True,
        help_text=_("留空表示不安排期间核查；填写后系统按上次核查日期计算下次核查日期"))

    class Meta:
        verbose_name = _("设备")
        verbose_name_plural = _("设备")
        ordering = ["asset_no"]
        indexes = [
            models.Index(fields=["kind", "asset_no"], name="equipment_kind_idx"),
            models.Index(fields=["name"], name="equipment_name_idx"),
        ]

    def __str__(self):
        return f"{self.asset_no} {self.name}"

    def clean(self):
        super().clean()
        errors = {}
        if self.kind and self.kind not in PLACELESS_KINDS and self.home_room_id is None:
            errors["home_room"] = ValidationError(_("%(kind)s须登记存放地点"),
                                                  params={"kind": self.get_kind_display()})
        elif (self.kind == EquipmentKind.MEASUREMENT_STANDARD and self.home_room_id is not None
                and not self.home_room.keeps_standards):
            errors["home_room"] = _("测量标准应存放在登记为计量标准保存地点的房间")
        if self.check_interval_days is not None and self.check_interval_days < 1:
            errors["check_interval_days"] = _("期间核查间隔应至少为 1 天")
        if self.commissioned_on and self.commissioned_on > timezone.localdate():
            errors["commissioned_on"] = _("启用日期不能晚于今天")
        if errors:
            raise ValidationError(errors)

    @property
    def is_measurement_standard(self) -> bool:
        return self.kind == EquipmentKind.MEASUREMENT_STANDARD

    @property
    def has_traceability_records(self) -> bool:
        return self.kind in RECORDED_KINDS


class EquipmentRange(BusinessModel):
    """A measuring range (测量范围) of one function of a piece of equipment, with its resolution
    (分辨力) and accuracy, stated as a maximum permissible error or an expanded uncertainty of the
    form a + b·|x| in the range's unit. These are the characteristics CND-7 computes with."""

    equipment = models.ForeignKey(Equipment, on_delete=models.PROTECT, related_name="ranges",
                                  verbose_name=_("设备"))
    quantity = models.CharField(_("测量参数"), max_length=100, help_text=_("例如“直流电压”“质量”“温度”"))
    range_min = models.DecimalField(_("测量范围下限"), **AMOUNT)
    range_max = models.DecimalField(_("测量范围上限"), **AMOUNT)
    bipolar = models.BooleanField(_("正负双极性（±）"), default=False,
                                  help_text=_("测量范围按绝对值计，正负两个极性都在范围内"))
    unit = models.CharField(_("单位"), max_length=30, help_text=_("例如 V、mV、g、kg、°C、Ω"))
    resolution = models.DecimalField(_("分辨力"), null=True, blank=True, **COEFFICIENT)
    spec_kind = models.CharField(_("准确度表示方式"), max_length=12, choices=SpecKind.choices,
                                 default=SpecKind.MPE)
    spec_a = models.DecimalField(_("常数项 a"), default=0, help_text=_("与测量范围同单位"), **COEFFICIENT)
    spec_b = models.DecimalField(_("比例项 b"), default=0, help_text=_("相对于示值的系数（无量纲），例如 11 ppm 填 0.000011"),
                                 **COEFFICIENT)
    spec_k = models.DecimalField(_("包含因子 k"), max_digits=4, decimal_places=2, default=2,
                                 help_text=_("仅用于扩展不确定度"))

    class Meta:
        verbose_name = _("测量范围")
        verbose_name_plural = _("测量范围")
        ordering = ["equipment_id", "quantity", "range_max", "id"]

    def __str__(self):
        return f"{self.quantity} {self.range_text}"

    def clean(self):
        super().clean()
        errors: dict[str, list] = {}

        def add(name, message):
            errors.setdefault(name, []).append(message)

        self.unit = (self.unit or "").strip()
        for name, message in units.range_problems(self.range_min, self.range_max, self.bipolar, self.unit):
            add(name, message)
        for name in ("spec_a", "spec_b", "resolution"):
            value = getattr(self, name)
            if value is not None and value < 0:
                add(name, _("不能为负数"))
        if self.spec_a is not None and self.spec_b is not None and not (self.spec_a or self.spec_b):
            add("spec_a", _("请填写常数项 a 或比例项 b（至少一项大于零）"))
        if self.spec_k is not None and self.spec_k <= 0:
            add("spec_k", _("包含因子应大于零"))
        if errors:
            raise ValidationError(errors)

    @property
    def range_text(self) -> str:
        low, high = _plain(self.range_min), _plain(self.range_max)
        text = f"({low}～{high}) {self.unit}"
        return "±" + text if self.bipolar else text

    @property
    def spec_text(self) -> str:
        label = "MPE" if self.spec_kind == SpecKind.MPE else "U"
        parts = []
        if self.spec_b:
            parts.append(f"{_plain(self.spec_b * 1000000)} ppm")
        if self.spec_a:
            parts.append(_compact(self.spec_a, self.unit))
        text = f"{label} = ±({' + '.join(parts)})"
        return text + (f", k = {_plain(self.spec_k)}" if self.spec_kind == SpecKind.UNCERTAINTY else "")

    def covers(self, x: Decimal) -> bool:
        """Whether x (a Decimal in this range's unit) lies inside the range (bounds included)."""
        if self.bipolar:
            x = abs(x)
        return self.range_min <= x <= self.range_max

    def spec_at(self, x: Decimal) -> Decimal:
        """The stated MPE or expanded uncertainty at x, in this range's unit: a + b·|x|."""
        return self.spec_a + self.spec_b * abs(x)

    def standard_uncertainty_at(self, x: Decimal) -> Decimal:
        """The standard uncertainty the range contributes at x: U/k, or MPE/√3 (rectangular)."""
        if self.spec_kind == SpecKind.UNCERTAINTY:
            return self.spec_at(x) / self.spec_k
        return self.spec_at(x) / SQRT3


def _plain(value) -> str:
    if value is None:
        return ""
    text = format(Decimal(value).normalize(), "f")
    return "0" if text in ("-0", "") else text


def _compact(value, unit: str) -> str:
    """A small amount with a prefixed unit: 0.000002 V → "2 µV" (as typed for units such as °C)."""
    try:
        q = units.registry().Quantity(Decimal(value), units.parse_unit(unit)).to_compact()
        return f"{_plain(q.magnitude)} {q.units:~P}"
    except Exception:  # offset units (°C) cannot take a prefix; an unreadable unit stays as typed
        return f"{_plain(value)} {unit}"


# ---------------------------------------------------------------------------------------------
# Append-only history


class AppendOnlyError(Exception):
    """An attempt to change or delete an append-only record (EQP-6): write a new record instead."""


class AppendOnlyQuerySet(AuditedQuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError(f"{self.model._meta.label} is append-only: rows cannot be updated")

    update.alters_data = True

    def delete(self):
        raise AppendOnlyError(f"{self.model._meta.label} is append-only: rows cannot be deleted")

    delete.alters_data = True

    def bulk_update(self, objs, fields, batch_size=None):
        # Refuse before Django opens its transaction, so the caller's transaction stays usable.
        raise AppendOnlyError(f"{self.model._meta.label} is append-only: rows cannot be updated")

    bulk_update.alters_data = True

    def bulk_create(self, objs, *args, **kwargs):
        if kwargs.get("update_conflicts"):
            raise AppendOnlyError(f"{self.model._meta.label} is append-only: no upserts")
        return super().bulk_create(objs, *args, **kwargs)


class AppendOnlyManager(AuditedManager.from_queryset(AppendOnlyQuerySet)):
    pass


class AppendOnlyModel(BusinessModel):
    """A record that is written once and never changed or deleted."""

    objects = AppendOnlyManager()

    class Meta:
        abstract = True
        base_manager_name = "objects"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(f"{self._meta.label} #{self.pk} is append-only: write a new record instead")
        kwargs["force_insert"] = True  # never an UPDATE, even with a primary key set by hand
        kwargs.pop("force_update", None)
        kwargs.pop("update_fields", None)
        return super().save(*args, **kwargs)

    save.alters_data = True

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{self._meta.label} #{self.pk} is append-only: it cannot be deleted")

    delete.alters_data = True


def _not_in_future(errors: dict, name: str, day):
    if day and day > timezone.localdate():
        errors[name] = _("日期不能晚于今天")


class TraceabilityRecord(AppendOnlyModel):
    """A traceability record (量值溯源记录): the calibration or verification certificate from an
    upstream provider (or a reference material's certificate), with its due date (EQP-2, EQP-5).

    Append-only (EQP-6): a wrong record is corrected by a new record that names it in
    ``corrects`` with the reason; the corrected one then no longer counts.
    """

    equipment = models.ForeignKey(Equipment, on_delete=models.PROTECT, related_name="traceability_records",
                                  verbose_name=_("设备"))
    kind = models.CharField(_("溯源方式"), max_length=20, choices=TraceabilityKind.choices)
    certificate_no = models.CharField(_("证书编号"), max_length=80)
    provider = models.CharField(_("溯源机构"), max_length=200)
    provider_accreditation_no = models.CharField(_("溯源机构资质证书编号"), max_length=100, blank=True,
                                                 help_text=_("例如 CNAS 认可编号或计量授权证书编号"))
    performed_on = models.DateField(_("校准/检定日期"))
    due_on = models.DateField(_("有效期至"), help_text=_("当天仍然有效"))
    conclusion = models.CharField(_("证书结论"), max_length=300, blank=True)
    corrects = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="correction", verbose_name=_("更正的记录"))
    correction_reason = models.TextField(_("更正原因"), blank=True)

    class Meta:
        verbose_name = _("量值溯源记录")
        verbose_name_plural = _("量值溯源记录")
        ordering = ["-performed_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["equipment", "certificate_no"], condition=models.Q(corrects__isnull=True),
                                    name="equipment_trace_unique_cert",
                                    violation_error_message=_("该设备已登记此证书编号；如需更正，请登记更正记录")),
        ]
        indexes = [
            models.Index(fields=["equipment", "performed_on"], name="equipment_trace_eq_date_idx"),
            models.Index(fields=["due_on"], name="equipment_trace_due_idx"),
        ]

    def __str__(self):
        return f"{self.certificate_no} ({self.provider})"

    def clean(self):
        super().clean()
        errors = {}
        if self.equipment_id is not None and self.kind:
            rm = self.equipment.kind in CERTIFIED_KINDS
            if self.equipment.kind not in RECORDED_KINDS:
                errors["equipment"] = ValidationError(_("%(kind)s不需要登记量值溯源记录"),
                                                      params={"kind": self.equipment.get_kind_display()})
            elif rm and self.kind != TraceabilityKind.RM_CERTIFICATE:
                errors["kind"] = _("标准物质应登记标准物质证书")
            elif not rm and self.kind == TraceabilityKind.RM_CERTIFICATE:
                errors["kind"] = _("只有标准物质登记标准物质证书")
        if self.performed_on and self.due_on and self.due_on <= self.performed_on:
            errors["due_on"] = _("有效期至应晚于校准/检定日期")
        _not_in_future(errors, "performed_on", self.performed_on)
        if self.corrects_id is not None:
            if self.corrects.equipment_id != self.equipment_id:
                errors["corrects"] = _("只能更正同一设备的记录")
            if not (self.correction_reason or "").strip():
                errors["correction_reason"] = _("更正记录须说明更正原因")
        elif (self.correction_reason or "").strip():
            errors["correction_reason"] = _("只有更正记录填写更正原因")
        if (self.corrects_id is None and self.equipment_id is not None and self.certificate_no
                and TraceabilityRecord.objects.filter(equipment_id=self.equipment_id, certificate_no=self.certificate_no,
                                                      corrects__isnull=True).exclude(pk=self.pk).exists()):
            errors["certificate_no"] = _("该设备已登记此证书编号；如需更正，请登记更正记录")
        if errors:
            raise ValidationError(errors)

    def validate_constraints(self, exclude=None):
        # The unique certificate number is checked in clean(), under its field.
        super().validate_constraints(exclude=set(exclude or ()) | {"certificate_no"})

    def validate_unique(self, exclude=None):
        if self.corrects_id is not None and (not exclude or "corrects" not in exclude):
            taken = TraceabilityRecord.objects.filter(corrects_id=self.corrects_id).exclude(pk=self.pk)
            if taken.exists():
                raise ValidationError({"corrects": _("该记录已被更正；请更正最新的更正记录")})
            exclude = set(exclude or ()) | {"corrects"}
        super().validate_unique(exclude=exclude)


class TraceabilityResult(AppendOnlyModel):
    """One result of an upstream certificate (校准结果): at a nominal value, the error found and
    its expanded uncertainty. Metrological confirmation compares these with the use requirements."""

    record = models.ForeignKey(TraceabilityRecord, on_delete=models.PROTECT, related_name="results",
                               verbose_name=_("溯源记录"))
    quantity = models.CharField(_("测量参数"), max_length=100, blank=True)
    nominal = models.DecimalField(_("标称值"), **AMOUNT)
    unit = models.CharField(_("单位"), max_length=30)
    error = models.DecimalField(_("示值误差"), null=True, blank=True, **COEFFICIENT)
    uncertainty = models.DecimalField(_("扩展不确定度 U"), **COEFFICIENT)
    k = models.DecimalField(_("包含因子 k"), max_digits=4, decimal_places=2, default=2)

    class Meta:
        verbose_name = _("溯源结果")
        verbose_name_plural = _("溯源结果")
        ordering = ["record_id", "id"]

    def __str__(self):
        return f"{self.quantity} {_plain(self.nominal)} {self.unit}".strip()

    def clean(self):
        super().clean()
        errors = {}
        if self.unit:
            self.unit = self.unit.strip()
            try:
                units.parse_unit(self.unit)
            except units.UnitError:
                errors["unit"] = _("无法识别的单位“%(unit)s”") % {"unit": self.unit}
        if self.uncertainty is not None and self.uncertainty <= 0:
            errors["uncertainty"] = _("扩展不确定度应大于零")
        if self.k is not None and self.k <= 0:
            errors["k"] = _("包含因子应大于零")
        if errors:
            raise ValidationError(errors)


class _PerformedBy(models.Model):
    performed_by = models.ForeignKey("people.Person", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("执行人"))

    class Meta:
        abstract = True


class MetrologicalConfirmation(AppendOnlyModel, _PerformedBy):
    """Metrological confirmation (计量确认) of a traceability record: do the upstream results meet
    the use requirements (corrections and uncertainty within the permitted limits)? (EQP-3)

    The latest confirmation of a record counts; a wrong one is superseded by a new one."""

    record = models.ForeignKey(TraceabilityRecord, on_delete=models.PROTECT, related_name="confirmations",
                               verbose_name=_("溯源记录"))
    confirmed_on = models.DateField(_("确认日期"))
    passed = models.BooleanField(_("确认结论"), choices=PASSED_CHOICES)
    requirement = models.TextField(_("使用要求"), help_text=_("例如“10 V 点示值误差不超过 ±80 μV，U ≤ 20 μV（k=2）”"))
    notes = models.TextField(_("确认说明"), blank=True)

    class Meta:
        verbose_name = _("计量确认")
        verbose_name_plural = _("计量确认")
        ordering = ["-confirmed_on", "-id"]
        indexes = [models.Index(fields=["record", "confirmed_on"], name="equipment_confirm_rec_idx")]

    def __str__(self):
        return f"{self.record.certificate_no} {self.confirmed_on.isoformat()}"

    def clean(self):
        super().clean()
        errors = {}
        if self.record_id is not None and self.confirmed_on and self.confirmed_on < self.record.performed_on:
            errors["confirmed_on"] = _("确认日期不能早于校准/检定日期")
        _not_in_future(errors, "confirmed_on", self.confirmed_on)
        if errors:
            raise ValidationError(errors)


class IntermediateCheck(AppendOnlyModel, _PerformedBy):
    """An intermediate check (期间核查) between two calibrations, on the equipment's schedule."""

    equipment = models.ForeignKey(Equipment, on_delete=models.PROTECT, related_name="checks",
                                  verbose_name=_("设备"))
    performed_on = models.DateField(_("核查日期"))
    method = models.CharField(_("核查方法"), max_length=300)
    result = models.TextField(_("核查数据与结果"))
    passed = models.BooleanField(_("核查结论"), choices=PASSED_CHOICES)

    class Meta:
        verbose_name = _("期间核查")
        verbose_name_plural = _("期间核查")
        ordering = ["-performed_on", "-id"]
        indexes = [models.Index(fields=["equipment", "performed_on"], name="equipment_check_eq_date_idx")]

    def __str__(self):
        return f"{self.equipment.asset_no} {self.performed_on.isoformat()}"

    def clean(self):
        super().clean()
        errors = {}
        _not_in_future(errors, "performed_on", self.performed_on)
        if errors:
            raise ValidationError(errors)


class Verification(AppendOnlyModel, _PerformedBy):
    """A verification against requirements (验证) before first use or before return to service
    after repair or out-of-service (EQP-4)."""

    equipment = models.ForeignKey(Equipment, on_delete=models.PROTECT, related_name="verifications",
                                  verbose_name=_("设备"))
    purpose = models.CharField(_("验证目的"), max_length=20, choices=VerificationPurpose.choices)
    performed_on = models.DateField(_("验证日期"))
    criteria = models.CharField(_("验证依据与要求"), max_length=300)
    result = models.TextField(_("验证结果"))
    passed = models.BooleanField(_("验证结论"), choices=PASSED_CHOICES)

    class Meta:
        verbose_name = _("使用前验证")
        verbose_name_plural = _("使用前验证")
        ordering = ["-performed_on", "-id"]
        indexes = [models.Index(fields=["equipment", "performed_on"], name="equipment_verif_eq_date_idx")]

    def __str__(self):
        return f"{self.equipment.asset_no} {self.get_purpose_display()} {self.performed_on.isoformat()}"

    def clean(self):
        super().clean()
        errors = {}
        _not_in_future(errors, "performed_on", self.performed_on)
        if errors:
            raise ValidationError(errors)


class ServiceEvent(AppendOnlyModel, _PerformedBy):
    """An event of the equipment's service life (停用、送修、恢复使用、报废). The latest event on or
    before a day says whether the equipment is in service; a return needs a passed verification."""

    equipment = models.ForeignKey(Equipment, on_delete=models.PROTECT, related_name="service_events",
                                  verbose_name=_("设备"))
    kind = models.CharField(_("事件"), max_length=20, choices=ServiceEventKind.choices)
    on = models.DateField(_("日期"))
    reason = models.TextField(_("原因与说明"))
    provider = models.CharField(_("维修单位"), max_length=200, blank=True)
    verification = models.OneToOneField(Verification, on_delete=models.PROTECT, null=True, blank=True,
                                        related_name="return_event", verbose_name=_("恢复使用前验证"))

    class Meta:
        verbose_name = _("停用与维修记录")
        verbose_name_plural = _("停用与维修记录")
        ordering = ["-on", "-id"]
        indexes = [models.Index(fields=["equipment", "on"], name="equipment_service_eq_date_idx")]

    def __str__(self):
        return f"{self.equipment.asset_no} {self.get_kind_display()} {self.on.isoformat()}"

    def clean(self):
        super().clean()
        errors = {}
        _not_in_future(errors, "on", self.on)
        if self.kind == ServiceEventKind.RETURN_TO_SERVICE:
            v = self.verification
            if v is None:
                errors["verification"] = _("恢复使用须有合格的重新投入使用前验证")
            elif (not v.passed or v.purpose != VerificationPurpose.RETURN_TO_SERVICE
                  or v.equipment_id != self.equipment_id or (self.on and v.performed_on > self.on)):
                errors["verification"] = _("须为本设备在恢复使用日或之前的合格的重新投入使用前验证")
        elif self.verification_id is not None:
            errors["verification"] = _("只有恢复使用记录关联验证")
        if self.provider and self.kind != ServiceEventKind.REPAIR:
            errors["provider"] = _("只有送修记录填写维修单位")
        if errors:
            raise ValidationError(errors)


class UsageRecord(AppendOnlyModel):
    """A usage record (使用记录): the equipment was used in a job from ``started_at`` to
    ``ended_at`` by a person. Written by the job code through ``do_log_usage``."""

    equipment = models.ForeignKey(Equipment, on_delete=models.PROTECT, related_name="usage_records",
                                  verbose_name=_("设备"))
    job_ref = models.CharField(_("任务编号"), max_length=60)
    started_at = models.DateTimeField(_("开始时间"))
    ended_at = models.DateTimeField(_("结束时间"))
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+", verbose_name=_("使用人"))
    note = models.CharField(_("备注"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("设备使用记录")
        verbose_name_plural = _("设备使用记录")
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["equipment", "started_at"], name="equipment_usage_eq_start_idx"),
            models.Index(fields=["job_ref"], name="equipment_usage_job_idx"),
        ]

    def __str__(self):
        return f"{self.equipment.asset_no} {self.job_ref}"

    def clean(self):
        super().clean()
        if self.started_at and self.ended_at and self.ended_at < self.started_at:
            raise ValidationError({"ended_at": _("结束时间不能早于开始时间")})


class StandardCertificate(AppendOnlyModel):
    """The examination certificate of a measurement standard (计量标准考核证书), issued by the
    metrology administration; a renewal is a new certificate."""

    equipment = models.ForeignKey(Equipment, on_delete=models.PROTECT, related_name="standard_certificates",
                                  verbose_name=_("测量标准"))
    number = models.CharField(_("证书编号"), max_length=80, unique=True)
    standard_name = models.CharField(_("计量标准名称"), max_length=200)
    issuer = models.CharField(_("发证机关"), max_length=200)
    issued_on = models.DateField(_("发证日期"))
    valid_until = models.DateField(_("有效期至"))

    class Meta:
        verbose_name = _("计量标准考核证书")
        verbose_name_plural = _("计量标准考核证书")
        ordering = ["-valid_until", "-id"]

    def __str__(self):
        return self.number

    def clean(self):
        super().clean()
        errors = {}
        if self.equipment_id is not None and not self.equipment.is_measurement_standard:
            errors["equipment"] = _("只有测量标准登记计量标准考核证书")
        if self.issued_on and self.valid_until and self.valid_until <= self.issued_on:
            errors["valid_until"] = _("有效期至应晚于发证日期")
        _not_in_future(errors, "issued_on", self.issued_on)
        if errors:
            raise ValidationError(errors)
