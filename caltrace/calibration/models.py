"""Calibration (校准): procedures, their calibration points, raw records and the readings in them.

A reading (读数) is evidence (PRH-6, CND-2, CND-4): it says where it came from — an instrument
interface (the equipment, the VISA resource, the response exactly as received, the time) or a
person's hand (who typed it, when). Readings are append-only: a correction is a new reading that
names the one it corrects with the reason; the corrected reading stays visible.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from caltrace.core import units
from caltrace.core.audit import AuditedManager, AuditedQuerySet
from caltrace.core.models import BusinessModel
from caltrace.equipment.models import AppendOnlyModel, AppendOnlyQuerySet

from .choices import EquipmentRole, MeasurementModel, ProcedureKind, Provenance, ReadingRole, RecordStatus
from .workflows import JOB_WORKFLOW

AMOUNT = {"max_digits": 24, "decimal_places": 9}
# A reading keeps every digit an instrument sends: 8½ digits on a 100 mV range are 1E-10 V.
READING = {"max_digits": 30, "decimal_places": 15}


class Procedure(BusinessModel):
    """A calibration procedure (校准程序/作业指导书) under one method version: its calibration points,
    readings per point, the measurement model, and whether readings are typed or taken by instruments.

    The record fields it requires are the method version's (``RecordField``)."""

    method_version = models.ForeignKey("methods.MethodVersion", on_delete=models.PROTECT, related_name="procedures",
                                       verbose_name=_("方法版本"))
    code = models.CharField(_("程序编号"), max_length=40, unique=True)
    name_zh = models.CharField(_("中文名称"), max_length=200)
    name_en = models.CharField(_("英文名称"), max_length=200, blank=True)
    kind = models.CharField(_("采集方式"), max_length=12, choices=ProcedureKind.choices)
    quantity = models.CharField(_("测量参数"), max_length=100, help_text=_("例如“直流电压”“质量”“温度”"))
    unit = models.CharField(_("单位"), max_length=30, help_text=_("例如 V、g、°C"))
    model_key = models.CharField(_("测量模型"), max_length=40, choices=MeasurementModel.choices)
    readings_per_point = models.PositiveSmallIntegerField(_("每点读数次数"), default=3)
    model_parameters = models.JSONField(
        _("模型参数"), default=dict, blank=True,
        help_text=_("测量模型的影响量，例如恒温槽均匀度、标准器年漂移；未填的取模型默认值"))

    class Meta:
        verbose_name = _("校准程序")
        verbose_name_plural = _("校准程序")
        ordering = ["code"]
        indexes = [models.Index(fields=["method_version"], name="calib_procedure_version_idx")]

    def __str__(self):
        return f"{self.code} {self.name_zh}"

    def clean(self):
        super().clean()
        errors = {}
        self.unit = (self.unit or "").strip()
        if self.unit and not units.readable(self.unit):
            errors["unit"] = _("无法识别的单位“%(unit)s”") % {"unit": self.unit}
        if self.readings_per_point is not None and self.readings_per_point < 1:
            errors["readings_per_point"] = _("每点读数次数应至少为 1")
        if errors:
            raise ValidationError(errors)

    @property
    def name(self) -> str:
        from django.utils import translation

        lang = translation.get_language() or "zh-hans"
        return self.name_en if lang.startswith("en") and self.name_en else self.name_zh

    @property
    def is_automated(self) -> bool:
        return self.kind == ProcedureKind.AUTOMATED


class CalibrationPoint(BusinessModel):
    """A calibration point (校准点) of a procedure: a nominal value in a unit and the range or
    function setting it is taken on."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="points",
                                  verbose_name=_("校准程序"))
    order = models.PositiveSmallIntegerField(_("顺序"))
    nominal = models.DecimalField(_("标称值"), **AMOUNT)
    unit = models.CharField(_("单位"), max_length=30)
    setting = models.CharField(_("量程/功能设置"), max_length=100, blank=True, help_text=_("例如“10 V 量程”"))

    class Meta:
        verbose_name = _("校准点")
        verbose_name_plural = _("校准点")
        ordering = ["procedure_id", "order"]
        constraints = [models.UniqueConstraint(fields=["procedure", "order"], name="calib_point_unique_order",
                                               violation_error_message=_("同一程序的校准点顺序不能重复"))]

    def __str__(self):
        return f"{format(self.nominal.normalize(), 'f') if self.nominal is not None else ''} {self.unit}".strip()

    def clean(self):
        super().clean()
        self.unit = (self.unit or "").strip()
        if not self.unit:
            return
        if not units.readable(self.unit):
            raise ValidationError({"unit": _("无法识别的单位“%(unit)s”") % {"unit": self.unit}})
        if self.procedure_id is not None and not units.compatible(self.unit, self.procedure.unit):
            raise ValidationError({"unit": _("校准点单位“%(unit)s”与程序单位“%(expected)s”量纲不一致")
                                   % {"unit": self.unit, "expected": self.procedure.unit}})


class CalibrationRecord(BusinessModel):
    """A raw record (原始记录) of one calibration by a procedure: the equipment used, the item under
    calibration, when, the values of the method's record fields, and (as related rows) the readings.

    A signed-off record takes no more readings; a required record field left empty blocks sign-off (CND-3)."""

    procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, related_name="records",
                                  verbose_name=_("校准程序"))
    equipment = models.ManyToManyField("equipment.Equipment", related_name="calibration_records", blank=True,
                                       through="RecordEquipment", verbose_name=_("使用的设备"))
    scope_item = models.ForeignKey("org.ScopeItem", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="calibration_records", verbose_name=_("校准能力项目"),
                                   help_text=_("报告的扩展不确定度不小于该项目在校准点的 CMC（PRH-5）"))
    site = models.ForeignKey("org.Site", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="calibration_records", verbose_name=_("校准地点"),
                             help_text=_("在实验室内校准时的场所"))
    on_site = models.BooleanField(_("现场校准"), default=False, help_text=_("在客户现场进行的校准"))
    conditions = models.JSONField(_("环境条件"), default=list, blank=True,
                                  help_text=_("校准期间记录的环境条件：条件、数值、单位、时间"))
    item = models.CharField(_("被校对象"), max_length=300, help_text=_("名称、型号规格、出厂编号"))
    started_at = models.DateTimeField(_("开始时间"))
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=RecordStatus.choices, default=RecordStatus.DRAFT)
    field_values = models.JSONField(_("记录字段"), default=dict, blank=True,
                                    help_text=_("按方法版本的记录字段标识填写"))
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("校准人员"))
    results = models.JSONField(_("校准结果与不确定度评定"), default=list, blank=True, editable=False,
                               help_text=_("签署时由读数计算：每个校准点的结果、不确定度预算和报告值"))

    class Meta:
        verbose_name = _("原始记录")
        verbose_name_plural = _("原始记录")
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["procedure", "started_at"], name="calib_record_proc_start_idx"),
            models.Index(fields=["status"], name="calib_record_status_idx"),
        ]

    def __str__(self):
        return f"{self.procedure.code} {self.item}"

    def clean(self):
        super().clean()
        errors = {}
        if self.started_at and self.finished_at and self.finished_at < self.started_at:
            errors["finished_at"] = _("结束时间不能早于开始时间")
        if not isinstance(self.field_values, dict):
            errors["field_values"] = _("记录字段须为按字段标识的键值")
        elif self.procedure_id is not None and self.field_values:
            known = {f.name for f in self.procedure.method_version.record_fields.all()}
            unknown = sorted(set(self.field_values) - known)
            if unknown:
                errors["field_values"] = _("方法版本没有这些记录字段：%(names)s") % {"names": "、".join(unknown)}
        if errors:
            raise ValidationError(errors)

    @property
    def is_draft(self) -> bool:
        return self.status == RecordStatus.DRAFT

    def empty_points(self) -> list:
        """Calibration points with no current reading of the item yet (CND-3)."""
        taken = set(self.readings.current().filter(role=ReadingRole.UUT).values_list("point_id", flat=True))
        return [p for p in self.procedure.points.all() if p.pk not in taken]

    def as_work(self):
        """The work this record is, for the rules of ``record.sign_off``: its equipment, points,
        method version, scope item and calibrator, with the record itself in ``extra``."""
        from django.utils import timezone

        from caltrace.integrity.work import Point, Work
        from caltrace.people.models import Person

        calibrator = Person.objects.filter(user_id=self.started_by_id).first() if self.started_by_id else None
        return Work(at=timezone.localtime(self.started_at).date(), scope_item=self.scope_item, site=self.site,
                    on_site=self.on_site,
                    method_version=self.procedure.method_version, equipment=tuple(self.equipment.all()),
                    calibrator=calibrator,
                    points=tuple(Point(p.nominal, p.unit) for p in self.procedure.points.all()),
                    extra={"record": self})

    def missing_fields(self) -> list:
        """The required record fields of the method version still empty (CND-3)."""
        values = self.field_values or {}
        return [f for f in self.procedure.method_version.required_record_fields() if not f.is_filled(values.get(f.name))]


class RecordEquipment(BusinessModel):
    """A piece of lab equipment used in a raw record, with what it does there (``EquipmentRole``)."""

    record = models.ForeignKey(CalibrationRecord, on_delete=models.CASCADE, related_name="equipment_uses",
                               verbose_name=_("原始记录"))
    equipment = models.ForeignKey("equipment.Equipment", on_delete=models.PROTECT, related_name="record_uses",
                                  verbose_name=_("设备"))
    role = models.CharField(_("用途"), max_length=12, choices=EquipmentRole.choices, default=EquipmentRole.AUXILIARY)

    class Meta:
        verbose_name = _("记录使用的设备")
        verbose_name_plural = _("记录使用的设备")
        ordering = ["record_id", "id"]
        constraints = [models.UniqueConstraint(fields=["record", "equipment"], name="calib_record_equipment_unique",
                                               violation_error_message=_("该设备已登记在本记录中"))]

    def __str__(self):
        return f"{self.equipment} ({self.get_role_display()})"


class ReadingQuerySet(AppendOnlyQuerySet):
    def current(self):
        """Readings that no correction has replaced (the ones results are computed from)."""
        return self.filter(correction__isnull=True)

    def for_list(self):
        """Everything a list of readings shows, in one query."""
        return self.select_related("point", "equipment", "typed_by", "corrects", "correction")


class ReadingManager(AuditedManager.from_queryset(ReadingQuerySet)):
    pass


class Reading(AppendOnlyModel):
    """A reading (读数) in a raw record, with its provenance (PRH-6): from an instrument interface
    (equipment, VISA resource, the raw response as received, time) or typed (by whom, when).

    Append-only (CND-2): a correction is a new reading naming the one it corrects in ``corrects``
    with the reason; the corrected reading stays, and ``superseded_by`` shows its correction."""

    record = models.ForeignKey(CalibrationRecord, on_delete=models.PROTECT, related_name="readings",
                               verbose_name=_("原始记录"))
    point = models.ForeignKey(CalibrationPoint, on_delete=models.PROTECT, related_name="readings",
                              verbose_name=_("校准点"))
    role = models.CharField(_("示值类别"), max_length=10, choices=ReadingRole.choices, default=ReadingRole.UUT)
    sequence = models.PositiveSmallIntegerField(_("读数序号"))
    value = models.DecimalField(_("读数"), **READING)
    unit = models.CharField(_("单位"), max_length=30)
    provenance = models.CharField(_("数据来源"), max_length=12, choices=Provenance.choices)
    equipment = models.ForeignKey("equipment.Equipment", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="readings", verbose_name=_("采集设备"),
                                  help_text=_("给出读数的本实验室设备；被校仪器本身给出的读数留空"))
    visa_resource = models.CharField(_("VISA 资源"), max_length=200, blank=True)
    instrument_idn = models.CharField(_("仪器标识"), max_length=200, blank=True, help_text=_("仪器对 *IDN? 等的应答"))
    raw_response = models.TextField(_("原始应答"), blank=True, help_text=_("仪器接口收到的原文，未经处理"))
    read_at = models.DateTimeField(_("采集时间"), null=True, blank=True)
    typed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="typed_readings", verbose_name=_("录入人"))
    typed_at = models.DateTimeField(_("录入时间"), null=True, blank=True)
    corrects = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="correction", verbose_name=_("更正的读数"))
    correction_reason = models.TextField(_("更正原因"), blank=True)

    objects = ReadingManager()

    class Meta:
        verbose_name = _("读数")
        verbose_name_plural = _("读数")
        ordering = ["record_id", "point__order", "role", "sequence", "id"]
        base_manager_name = "objects"
        constraints = [
            models.UniqueConstraint(fields=["record", "point", "role", "sequence"],
                                    condition=models.Q(corrects__isnull=True), name="calib_reading_unique_slot",
                                    violation_error_message=_("该校准点的这个读数已登记；如需更正，请登记更正读数")),
        ]
        indexes = [models.Index(fields=["record", "point", "sequence"], name="calib_reading_slot_idx")]

    def __str__(self):
        return f"{self.point} #{self.sequence}: {self.value} {self.unit}"

    @property
    def superseded_by(self):
        """The reading that corrects this one, or None (the reverse of ``corrects``)."""
        try:
            return self.correction
        except Reading.DoesNotExist:
            return None

    @property
    def is_current(self) -> bool:
        return self.superseded_by is None

    def clean(self):
        super().clean()
        errors = {}
        self.unit = (self.unit or "").strip()
        point = self.point if self.point_id is not None else None
        if self.unit and point is not None and not units.compatible(self.unit, point.unit):
            if not units.readable(self.unit):
                errors["unit"] = _("无法识别的读数单位“%(unit)s”") % {"unit": self.unit}
            else:
                errors["unit"] = _("读数单位“%(unit)s”与校准点单位“%(expected)s”量纲不一致，不能换算") % {
                    "unit": self.unit, "expected": point.unit}
        record = self.record if self.record_id is not None else None
        if record is not None and point is not None and point.procedure_id != record.procedure_id:
            errors["point"] = _("校准点不属于该原始记录的校准程序")
        if record is not None and not record.is_draft:
            errors["record"] = _("原始记录已签署，不能再登记读数")
        if self.provenance == Provenance.INSTRUMENT:
            if not self.visa_resource:
                errors["visa_resource"] = _("仪器采集的读数须记录 VISA 资源")
            if not self.raw_response:
                errors["raw_response"] = _("仪器采集的读数须保存原始应答")
            if self.read_at is None:
                errors["read_at"] = _("仪器采集的读数须记录采集时间")
            if self.typed_by_id is not None or self.typed_at is not None:
                errors["typed_by"] = _("仪器采集的读数不填写录入人")
        elif self.provenance == Provenance.TYPED:
            if self.typed_by_id is None:
                errors["typed_by"] = _("人工录入的读数须记录录入人")
            if self.typed_at is None:
                errors["typed_at"] = _("人工录入的读数须记录录入时间")
            if self.raw_response or self.visa_resource:
                errors["raw_response"] = _("人工录入的读数没有仪器应答")
        if self.corrects_id is not None:
            old = self.corrects
            if (old.record_id, old.point_id, old.role, old.sequence) != (self.record_id, self.point_id, self.role,
                                                                        self.sequence):
                errors["corrects"] = _("更正读数须与被更正读数属于同一记录、同一校准点和同一序号")
            if not (self.correction_reason or "").strip():
                errors["correction_reason"] = _("更正读数须说明更正原因")
        elif (self.correction_reason or "").strip():
            errors["correction_reason"] = _("只有更正读数填写更正原因")
        if errors:
            raise ValidationError(errors)

    def validate_constraints(self, exclude=None):
        # The slot is checked in validate_unique(), under a field, with a message that says what to do.
        super().validate_constraints(exclude=set(exclude or ()) | {"sequence"})

    def validate_unique(self, exclude=None):
        errors = {}
        if self.corrects_id is not None:
            if Reading.objects.filter(corrects_id=self.corrects_id).exclude(pk=self.pk).exists():
                errors["corrects"] = _("该读数已被更正；请更正最新的更正读数")
        elif (self.record_id is not None and self.point_id is not None
              and Reading.objects.filter(record_id=self.record_id, point_id=self.point_id, role=self.role,
                                         sequence=self.sequence, corrects__isnull=True).exclude(pk=self.pk).exists()):
            errors["sequence"] = _("该校准点的这个读数已登记；如需更正，请登记更正读数")
        if errors:
            raise ValidationError(errors)
        super().validate_unique(exclude=set(exclude or ()) | {"corrects"})


# --- jobs (检定/校准任务) ------------------------------------------------------------------------


class EvidenceKind(models.TextChoices):
    """What a piece of on-site evidence shows (REC-3)."""

    PHOTO_PEOPLE = "photo_people", _("人员现场照片")
    PHOTO_PLACE = "photo_place", _("校准现场照片")
    TRAVEL = "travel", _("差旅记录")
    VEHICLE = "vehicle", _("车辆使用记录")
    COURIER_SLIP = "courier_slip", _("快递单")


class JobQuerySet(AuditedQuerySet):
    def for_list(self):
        """Everything a list of jobs shows, in one query."""
        return self.select_related("order_item__order__customer", "procedure", "scope_item", "calibrator",
                                   "reviewer", "signatory", "site", "certificate")


class JobManager(AuditedManager.from_queryset(JobQuerySet)):
    pass


class Job(BusinessModel):
    """A calibration job (检定/校准任务) for one item of an order: who calibrates with which
    procedure and equipment, where, who reviews and who signs; its raw record and certificate.

    Its state changes only through :data:`caltrace.calibration.workflows.JOB_WORKFLOW`."""

    workflow = JOB_WORKFLOW

    order_item = models.ForeignKey("orders.OrderItem", on_delete=models.PROTECT, related_name="jobs",
                                   verbose_name=_("样品"))
    procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, related_name="jobs", verbose_name=_("校准程序"))
    scope_item = models.ForeignKey("org.ScopeItem", on_delete=models.PROTECT, related_name="jobs",
                                   verbose_name=_("校准能力项目"))
    method_version = models.ForeignKey("methods.MethodVersion", on_delete=models.PROTECT, related_name="jobs",
                                       verbose_name=_("方法版本"))
    site = models.ForeignKey("org.Site", on_delete=models.PROTECT, null=True, blank=True, related_name="jobs",
                             verbose_name=_("校准地点"))
    on_site = models.BooleanField(_("现场校准"), default=False)
    address = models.CharField(_("现场地址"), max_length=300, blank=True)
    calibrator = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="calibration_jobs",
                                   verbose_name=_("校准人员"))
    reviewer = models.ForeignKey("people.Person", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="reviewed_jobs", verbose_name=_("核验人员"))
    signatory = models.ForeignKey("people.Person", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="signed_jobs", verbose_name=_("授权签字人"))
    equipment = models.ManyToManyField("equipment.Equipment", through="JobEquipment", related_name="jobs",
                                       blank=True, verbose_name=_("使用的设备"))
    status = models.CharField(_("状态"), max_length=20, choices=JOB_WORKFLOW.choices(), default="assigned")
    assigned_at = models.DateTimeField(_("分派时间"))
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("分派人"))
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    signed_off_at = models.DateTimeField(_("签署时间"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("核验时间"), null=True, blank=True)
    issued_at = models.DateTimeField(_("出证时间"), null=True, blank=True)
    review_comment = models.TextField(_("核验意见"), blank=True)
    record = models.OneToOneField(CalibrationRecord, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="job", verbose_name=_("原始记录"))
    replaced_records = models.JSONField(_("被替代的原始记录"), default=list, blank=True,
                                        help_text=_("退回更正后被新记录替代的原始记录编号"))
    certificate = models.ForeignKey("certificates.Certificate", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="jobs", verbose_name=_("证书"))

    objects = JobManager()

    class Meta:
        verbose_name = _("校准任务")
        verbose_name_plural = _("校准任务")
        ordering = ["-assigned_at", "-id"]
        indexes = [
            models.Index(fields=["status", "calibrator"], name="calib_job_calibrator_idx"),
            models.Index(fields=["status", "reviewer"], name="calib_job_reviewer_idx"),
            models.Index(fields=["status", "signatory"], name="calib_job_signatory_idx"),
            models.Index(fields=["status", "assigned_at"], name="calib_job_status_idx"),
        ]

    def __str__(self):
        item = self.order_item
        return f"{item.identification or item.order.number} {self.procedure.code}"

    def clean(self):
        super().clean()
        if self.on_site and not (self.address or "").strip():
            raise ValidationError({"address": _("现场校准须填写现场地址")})
        if not self.on_site and self.site_id is None:
            raise ValidationError({"site": _("在实验室内校准须选择校准地点")})

    @property
    def reference(self) -> str:
        """How the equipment usage log and the timeline name the job."""
        item = self.order_item
        return f"{item.order.number}/{item.identification or item.pk}"

    def accepted_deviation_kinds(self) -> set[str]:
        from caltrace.orders.choices import DeviationStatus

        cache = getattr(self.order_item, "_prefetched_objects_cache", {})
        devs = cache.get("deviations")
        if devs is None:
            devs = self.order_item.deviations.all()
        return {d.kind for d in devs if d.status == DeviationStatus.ACCEPTED}

    def as_work(self, *, at=None, reviewer=None, signatory=None):
        """The work this job is, for the rules of the four work events (DIG-3)."""
        from django.utils import timezone

        from caltrace.integrity.work import Point, Work

        kinds = self.accepted_deviation_kinds()
        method_use = ("modified" if "method_deviation" in kinds
                      else "out_of_scope" if "outside_range" in kinds else None)
        return Work(
            at=at or timezone.localdate(), scope_item=self.scope_item, method_version=self.method_version,
            equipment=tuple(self.equipment.all()), calibrator=self.calibrator,
            reviewer=reviewer or self.reviewer, signatory=signatory or self.signatory, site=self.site,
            on_site=self.on_site, points=tuple(Point(p.nominal, p.unit) for p in self.procedure.points.all()),
            customer_consent=bool(kinds & {"non_standard_method", "different_method"}),
            extra={"order_item": self.order_item, "job": self, "record": self.record, "method_use": method_use})


class JobEquipment(BusinessModel):
    """A piece of lab equipment assigned to a job, with what it does there (``EquipmentRole``)."""

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="equipment_uses", verbose_name=_("校准任务"))
    equipment = models.ForeignKey("equipment.Equipment", on_delete=models.PROTECT, related_name="job_uses",
                                  verbose_name=_("设备"))
    role = models.CharField(_("用途"), max_length=12, choices=EquipmentRole.choices, default=EquipmentRole.AUXILIARY)

    class Meta:
        verbose_name = _("任务使用的设备")
        verbose_name_plural = _("任务使用的设备")
        ordering = ["job_id", "id"]
        constraints = [models.UniqueConstraint(fields=["job", "equipment"], name="calib_job_equipment_unique",
                                               violation_error_message=_("该设备已登记在本任务中"))]

    def __str__(self):
        return f"{self.equipment} ({self.get_role_display()})"


class SafetyCheck(BusinessModel):
    """One item of the on-site safety checklist (现场安全检查, SAF-1) of a job: a failed item
    stops the job."""

    job = models.ForeignKey(Job, on_delete=models.PROTECT, related_name="safety_checks", verbose_name=_("校准任务"))
    item = models.CharField(_("检查项目"), max_length=200)
    passed = models.BooleanField(_("符合"))
    note = models.TextField(_("说明"), blank=True)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("检查人"))
    at = models.DateTimeField(_("检查时间"))

    class Meta:
        verbose_name = _("现场安全检查")
        verbose_name_plural = _("现场安全检查")
        ordering = ["job_id", "at", "id"]

    def __str__(self):
        return f"{self.item}: {'✓' if self.passed else '✗'}"


class JobEvidence(BusinessModel):
    """Evidence that an on-site calibration really happened (现场校准证据, REC-3): a photo of the
    people, of the place, the travel or vehicle record, a courier slip. The file is kept under
    ``DATA_DIR/evidence/`` with its SHA-256."""

    job = models.ForeignKey(Job, on_delete=models.PROTECT, related_name="evidence", verbose_name=_("校准任务"))
    kind = models.CharField(_("证据类别"), max_length=20, choices=EvidenceKind.choices)
    file_name = models.CharField(_("文件名"), max_length=200)
    path = models.CharField(_("存储路径"), max_length=500, editable=False)
    sha256 = models.CharField(_("SHA-256"), max_length=64, editable=False)
    size = models.PositiveIntegerField(_("大小（字节）"), default=0, editable=False)
    note = models.TextField(_("说明"), blank=True)
    taken_at = models.DateTimeField(_("拍摄/发生时间"), null=True, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("上传人"))

    class Meta:
        verbose_name = _("现场校准证据")
        verbose_name_plural = _("现场校准证据")
        ordering = ["job_id", "id"]
        indexes = [models.Index(fields=["job", "kind"], name="calib_evidence_kind_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.file_name}"
