"""API endpoints of the methods app."""

from ninja import Router

router = Router(tags=["methods"])
