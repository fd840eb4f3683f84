"""Test factories of the equipment app."""

import factory
from factory.django import DjangoModelFactory

from caltrace.org.factories import RoomFactory

from .choices import EquipmentKind
from .models import Equipment


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
