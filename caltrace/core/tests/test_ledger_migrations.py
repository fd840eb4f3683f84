"""Schema and data migrations keep the ledger verifiable."""

import json

import pytest

from caltrace.core import audit, ledger
from caltrace.core.models import AuditEntry

from .conftest import sql

pytestmark = pytest.mark.django_db


def test_data_migration_writes_are_audited(db):
    """A RunPython migration works with historical models; their writes land in the ledger too."""
    from django.apps import apps
    from django.db.migrations.state import ProjectState

    historical = ProjectState.from_apps(apps).apps.get_model("customers", "CustomerOrganisation")
    assert historical is not apps.get_model("customers", "CustomerOrganisation")
    org = historical.objects.create(name="迁移", credit_code="91110000000000042X")
    (entry,) = AuditEntry.objects.all()
    assert (entry.model, entry.object_pk, entry.action) == ("customers.CustomerOrganisation", str(org.pk), "create")
    assert ledger.verify().ok


def test_added_field_is_rebaselined_after_migrate(ledgerapp, monkeypatch):
    """Rows recorded before a field existed get one entry with their new image; a row whose other
    fields were changed behind the application's back is not laundered by it."""
    monkeypatch.setitem(audit.EXCLUDED_FIELDS, "ledgerapp.Gauge", {"ratio"})  # the schema before
    gauges = [ledgerapp.Gauge.objects.create(name=f"g{i}", ratio=i / 3) for i in range(3)]
    assert "ratio" not in json.loads(AuditEntry.objects.last().after)
    monkeypatch.delitem(audit.EXCLUDED_FIELDS, "ledgerapp.Gauge")  # the field is "added"
    sql("UPDATE ledgerapp_gauge SET name = 'tampered' WHERE id = %s", [gauges[1].pk])
    assert not ledger.verify().ok

    assert ledger.rebaseline_schema_changes() == 2
    entries = list(AuditEntry.objects.filter(actor="system:migrate"))
    assert {e.object_pk for e in entries} == {str(gauges[0].pk), str(gauges[2].pk)}
    assert entries[0].reason == "schema change: added ratio; removed -"
    problems = ledger.verify(stop_at_first=False).problems
    assert [(p.table, p.pk) for p in problems] == [("ledgerapp_gauge", str(gauges[1].pk))]
    assert ledger.rebaseline_schema_changes() == 0  # nothing more to do


def test_rebaseline_does_nothing_when_shapes_match(make_org, django_assert_max_num_queries):
    make_org()
    assert ledger.rebaseline_schema_changes() == 0
