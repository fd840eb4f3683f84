"""Models the ledger tests need and the real apps do not (yet) have: every field type an image
holds, primary keys that are text and UUIDs, SET_NULL cascades, a symmetrical self-relation and a
database default."""

import uuid

from django.db import models

from caltrace.core.models import BusinessModel


class Site(BusinessModel):
    """A site with a text primary key."""

    code = models.CharField(primary_key=True, max_length=40)
    name = models.CharField(max_length=100)

    class Meta:
        app_label = "ledgerapp"


class Tag(BusinessModel):
    """A tag with a UUID primary key."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    label = models.CharField(max_length=50)

    class Meta:
        app_label = "ledgerapp"


class Gauge(BusinessModel):
    """One field of each kind."""

    name = models.CharField(max_length=100)
    reading = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    due = models.DateField(null=True, blank=True)
    measured_at = models.DateTimeField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)
    active = models.BooleanField(default=True)
    ratio = models.FloatField(null=True, blank=True)
    span = models.DurationField(null=True, blank=True)
    level = models.IntegerField(db_default=7)
    site = models.ForeignKey(Site, on_delete=models.SET_NULL, null=True, blank=True, related_name="gauges")
    tags = models.ManyToManyField(Tag, blank=True, related_name="gauges")
    peers = models.ManyToManyField("self", blank=True)

    class Meta:
        app_label = "ledgerapp"


MODELS = (Site, Tag, Gauge)
