"""API endpoints of the equipment app."""

from ninja import Router

router = Router(tags=["equipment"])
