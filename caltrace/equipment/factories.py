"""Test factories of the equipment app.

History records go through the services (``make_usable`` and friends), as tests should; the
factories build only the register rows.
"""

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from caltrace.org.factories import RoomFactory

from . import services
from .choices import CERTIFIED_KINDS, TRACEABLE_KINDS, EquipmentKind, SpecKind, TraceabilityKind, VerificationPurpose
from .models import Equipment, EquipmentRange


class EquipmentFactory(DjangoModelFactory):
    class Meta:
        model = Equipment

    kind = EquipmentKind.MEASURING_INSTRUMENT
    asset_no = factory.Sequence(lambda n: f"EQ-{n:05d}")
    name = factory.Sequence(lambda n: f"测试设备{n}")
    manufacturer = "Fluke"
    model = "87V"
    home_room = factory.SubFactory(RoomFactory)

    class Params:
        standard = factory.Trait(kind=EquipmentKind.MEASUREMENT_STANDARD,
                                 home_room=factory.SubFactory(RoomFactory, standards=True))
        reference_material = factory.Trait(kind=EquipmentKind.REFERENCE_MATERIAL, name="pH标准缓冲溶液")
        software = factory.Trait(kind=EquipmentKind.SOFTWARE, home_room=None)


class EquipmentRangeFactory(DjangoModelFactory):
    """A DC voltage range of 0…10 V with an MPE of ±(10 ppm + 20 µV)."""

    class Meta:
        model = EquipmentRange

    equipment = factory.SubFactory(EquipmentFactory)
    quantity = "直流电压"
    range_min = Decimal("0")
    range_max = Decimal("10")
    unit = "V"
    spec_kind = SpecKind.MPE
    spec_a = Decimal("0.00002")
    spec_b = Decimal("0.00001")


def days(n: int) -> dt.date:
    """Today plus ``n`` days."""
    return timezone.localdate() + dt.timedelta(days=n)


_cert_serial = iter(range(1, 10**9))


def trace(equipment, *, performed=-100, due=265, confirm=True, passed=True, results=(), **extra):
    """Record a traceability record through the service (dates in days from today), and confirm it."""
    kind = TraceabilityKind.RM_CERTIFICATE if equipment.kind in CERTIFIED_KINDS else TraceabilityKind.CALIBRATION
    fields = {"kind": kind, "certificate_no": f"JZ-{next(_cert_serial):06d}", "provider": "江苏省计量科学研究院",
              "performed_on": days(performed), "due_on": days(due), "results": results, **extra}
    record = services.do_record_traceability(equipment, **fields)
    if confirm and equipment.kind in TRACEABLE_KINDS:
        services.do_confirm(record, confirmed_on=days(performed), passed=passed, requirement="满足使用要求")
    return record


def verify(equipment, *, on=-200, passed=True, purpose=VerificationPurpose.FIRST_USE):
    return services.do_record_verification(equipment, purpose=purpose, performed_on=days(on),
                                           criteria="说明书技术指标", result="符合要求", passed=passed)


def make_usable(equipment=None, **trace_kwargs):
    """Equipment that every GATE lets through today: verified, and traced and confirmed if it needs it."""
    equipment = equipment or EquipmentFactory()
    verify(equipment)
    if equipment.kind in TRACEABLE_KINDS | CERTIFIED_KINDS:
        trace(equipment, **trace_kwargs)
    return equipment
