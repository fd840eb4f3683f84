"""Core endpoints: health and the ledger head."""

from django.db import connection
from ninja import Router, Schema

from caltrace import __version__

from .models import AuditEntry

router = Router(tags=["core"])


class HealthOut(Schema):
    status: str
    version: str
    database: str
    ledger_seq: int


@router.get("/health", auth=None, response=HealthOut, summary="Service health (no login)")
def health(request):
    seq = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    return {"status": "ok", "version": __version__, "database": connection.vendor, "ledger_seq": seq}
