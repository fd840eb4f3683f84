"""Request and response shapes of the equipment API."""

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema

from .selectors import next_check_due, status_label


class RangeIn(Schema):
    quantity: str
    range_min: Decimal
    range_max: Decimal
    unit: str
    spec_kind: str = Field(description="mpe or uncertainty")
    spec_a: Decimal = Decimal(0)
    spec_b: Decimal = Decimal(0)
    spec_k: Decimal = Decimal(2)
    resolution: Decimal | None = None
    bipolar: bool = False


class RangeOut(Schema):
    id: int
    quantity: str
    range_min: Decimal
    range_max: Decimal
    bipolar: bool
    unit: str
    resolution: Decimal | None
    spec_kind: str
    spec_a: Decimal
    spec_b: Decimal
    spec_k: Decimal
    range_text: str
    spec_text: str


class StandardCertificateIn(Schema):
    number: str
    standard_name: str
    issuer: str
    issued_on: dt.date
    valid_until: dt.date


class StandardCertificateOut(StandardCertificateIn):
    id: int
    equipment_id: int


class EquipmentIn(Schema):
    kind: str
    asset_no: str
    name: str
    manufacturer: str = ""
    model: str = ""
    serial_no: str = ""
    measuring_range: str = ""
    accuracy: str = ""
    home_room: int | None = Field(None, description="room id")
    commissioned_on: dt.date | None = None
    check_interval_days: int | None = None


class EquipmentPatch(Schema):
    kind: str | None = None
    name: str | None = None
    manufacturer: str | None = None
    model: str | None = None
    serial_no: str | None = None
    measuring_range: str | None = None
    accuracy: str | None = None
    home_room: int | None = Field(None, description="room id")
    commissioned_on: dt.date | None = None
    check_interval_days: int | None = None


class EquipmentOut(Schema):
    id: int
    asset_no: str
    kind: str
    kind_label: str
    name: str
    manufacturer: str
    model: str
    serial_no: str
    measuring_range: str
    accuracy: str
    home_room: int | None = Field(None, alias="home_room_id")
    home_room_label: str | None
    commissioned_on: dt.date | None
    check_interval_days: int | None
    status: str = Field(description="derived: in_service, due_soon, overdue, unconfirmed, untraced, unverified, "
                                    "out_of_service, retired")
    status_label: str
    traceability_due_on: dt.date | None = Field(None, alias="trace_due")
    traceability_certificate_no: str | None = Field(None, alias="trace_cert")
    next_check_due: dt.date | None

    @staticmethod
    def resolve_kind_label(obj):
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_home_room_label(obj):
        return str(obj.home_room) if obj.home_room_id else None

    @staticmethod
    def resolve_status_label(obj):
        return status_label(obj.status)

    @staticmethod
    def resolve_next_check_due(obj):
        return next_check_due(obj)


class EquipmentDetailOut(EquipmentOut):
    ranges: list[RangeOut]
    standard_certificates: list[StandardCertificateOut]

    @staticmethod
    def resolve_ranges(obj):
        return list(obj.ranges.all())

    @staticmethod
    def resolve_standard_certificates(obj):
        return list(obj.standard_certificates.all())


class ResultIn(Schema):
    quantity: str = ""
    nominal: Decimal
    unit: str
    error: Decimal | None = None
    uncertainty: Decimal
    k: Decimal = Decimal(2)


class ResultOut(ResultIn):
    id: int


class TraceabilityIn(Schema):
    kind: str = Field(description="calibration, verification, test or rm_certificate")
    certificate_no: str
    provider: str
    provider_accreditation_no: str = ""
    performed_on: dt.date
    due_on: dt.date
    conclusion: str = ""
    results: list[ResultIn] = []


class CorrectionIn(TraceabilityIn):
    reason: str = Field(description="why the corrected record was wrong")


class ConfirmationIn(Schema):
    confirmed_on: dt.date
    passed: bool
    requirement: str
    notes: str = ""
    performed_by: int | None = Field(None, description="person id")


class ConfirmationOut(Schema):
    id: int
    record_id: int
    confirmed_on: dt.date
    passed: bool
    requirement: str
    notes: str
    performed_by: int | None = Field(None, alias="performed_by_id")


class TraceabilityOut(Schema):
    id: int
    equipment_id: int
    asset_no: str = Field(alias="equipment.asset_no")
    kind: str
    certificate_no: str
    provider: str
    provider_accreditation_no: str
    performed_on: dt.date
    due_on: dt.date
    conclusion: str
    corrects: int | None = Field(None, alias="corrects_id")
    correction_reason: str
    corrected: bool = Field(alias="is_corrected")
    confirmation_passed: bool | None
    results: list[ResultOut]

    @staticmethod
    def resolve_results(obj):
        return list(obj.results.all())


class CheckIn(Schema):
    performed_on: dt.date
    method: str
    result: str
    passed: bool
    performed_by: int | None = Field(None, description="person id")


class CheckOut(CheckIn):
    id: int
    equipment_id: int
    performed_by: int | None = Field(None, alias="performed_by_id")


class VerificationIn(Schema):
    purpose: str = Field(description="first_use or return_to_service")
    performed_on: dt.date
    criteria: str
    result: str
    passed: bool
    performed_by: int | None = Field(None, description="person id")


class VerificationOut(VerificationIn):
    id: int
    equipment_id: int
    performed_by: int | None = Field(None, alias="performed_by_id")


class ServiceEventIn(Schema):
    kind: str = Field(description="out_of_service, repair or retired (a return follows a passed verification)")
    on: dt.date
    reason: str
    provider: str = ""
    performed_by: int | None = Field(None, description="person id")


class ServiceEventOut(ServiceEventIn):
    id: int
    equipment_id: int
    verification: int | None = Field(None, alias="verification_id")
    performed_by: int | None = Field(None, alias="performed_by_id")


class UsageIn(Schema):
    job_ref: str
    started_at: dt.datetime
    ended_at: dt.datetime
    person: int | None = Field(None, description="person id")
    note: str = ""


class UsageOut(UsageIn):
    id: int
    equipment_id: int
    person: int | None = Field(None, alias="person_id")


class TimelineOut(Schema):
    on: dt.date
    kind: str
    title: str
    detail: str
    badge: str
