"""Writes of the equipment app."""

from django.db import transaction

from .models import Equipment


def do_register_equipment(*, kind: str, asset_no: str, name: str, manufacturer: str = "", model: str = "",
                          serial_no: str = "", measuring_range: str = "", accuracy: str = "",
                          home_room=None) -> Equipment:
    """Register a piece of equipment (EQP-1) under its unique asset number."""
    with transaction.atomic():
        equipment = Equipment(kind=kind, asset_no=asset_no, name=name, manufacturer=manufacturer, model=model,
                              serial_no=serial_no, measuring_range=measuring_range, accuracy=accuracy,
                              home_room=home_room)
        equipment.full_clean()
        equipment.save()
        return equipment
