"""Images: what the ledger holds of a row equals the row read back, for every field type, on
SQLite and PostgreSQL; text and UUID primary keys; SET_NULL cascades; symmetrical relations."""

import datetime as dt
import decimal
import json
import uuid

import pytest
from django.utils import timezone

from caltrace.core import audit, ledger
from caltrace.core.models import AuditEntry

from .conftest import head_seq, run_cli, sql

pytestmark = pytest.mark.django_db


def last_image(obj):
    entry = AuditEntry.objects.filter(model=obj._meta.label, object_pk=audit.pk_key(type(obj), obj.pk)).last()
    return json.loads(entry.after)


def db_image(obj):
    return audit.read_images(type(obj), [obj.pk])[audit.pk_key(type(obj), obj.pk)]


def assert_verifies():
    result = ledger.verify()
    assert result.ok, result.problems


VALUES = [
    dict(name="普通", reading=decimal.Decimal("1.2345"), due=dt.date(2026, 2, 28),
         measured_at=dt.datetime(2025, 6, 1, 8, 30, 0, 123456, tzinfo=dt.timezone.utc),
         data={"b": [1, 2.5, "三"], "a": None, "nested": {"z": True}}, active=True, ratio=0.1,
         span=dt.timedelta(hours=1, microseconds=7)),
    # values the database changes on the way in: more decimals than the column keeps, a local time,
    # a decimal given as text, a date given as text, an int for a float
    dict(name="rounded", reading=decimal.Decimal("3.14159265"), due="2024-02-29",
         measured_at=timezone.make_aware(dt.datetime(2025, 1, 1, 12, 0), timezone.get_fixed_timezone(480)),
         data=[], active=False, ratio=3, span=None),
    dict(name="text values", reading="42", due=None, measured_at=None, data="just a string", active=False,
         ratio=None),
    dict(name="", reading=decimal.Decimal("-0.00005"), data={"k": decimal.Decimal("1.5").__float__()}),
]


@pytest.mark.parametrize("values", VALUES, ids=["plain", "converted", "text", "edge"])
def test_image_after_save_equals_the_row_read_back(ledgerapp, values):
    site = ledgerapp.Site.objects.create(code="S-01", name="一号楼")
    gauge = ledgerapp.Gauge.objects.create(site=site, **values)
    assert last_image(gauge) == db_image(gauge)
    gauge.refresh_from_db()
    assert audit.image_of(gauge) == db_image(gauge)  # a fresh object's image is the row's too
    gauge.name = "changed"
    gauge.save()
    assert last_image(gauge) == db_image(gauge)
    assert_verifies()


def test_database_default_is_in_the_image(ledgerapp):
    gauge = ledgerapp.Gauge.objects.create(name="default level")
    assert last_image(gauge)["level"] == 7


def test_image_holds_field_types(ledgerapp):
    site = ledgerapp.Site.objects.create(code="S-02", name="二号楼")
    gauge = ledgerapp.Gauge.objects.create(site=site, **VALUES[0])
    image = last_image(gauge)
    assert image["reading"] == "1.2345"
    assert image["due"] == "2026-02-28"
    assert image["measured_at"] == "2025-06-01T08:30:00.123456+00:00"
    assert image["data"] == {"a": None, "b": [1, 2.5, "三"], "nested": {"z": True}}
    assert image["active"] is True and image["site_id"] == "S-02"
    assert image["span"] == 3600.000007
    assert "updated_at" not in image  # it moves on every save


def test_text_and_uuid_primary_keys(ledgerapp):
    site = ledgerapp.Site.objects.create(code="北京/01", name="x")
    tag = ledgerapp.Tag.objects.create(label="温度")
    assert AuditEntry.objects.filter(model="ledgerapp.Site", object_pk="北京/01").exists()
    assert AuditEntry.objects.filter(model="ledgerapp.Tag", object_pk=str(tag.pk)).exists()
    # a UUID given as text without dashes is the same object
    same = ledgerapp.Tag(id=tag.pk.hex, label="温度2", created_at=tag.created_at)
    same._state.adding = False  # an existing row, as a form or a deserialiser would build it
    same.save()
    assert AuditEntry.objects.filter(model="ledgerapp.Tag", object_pk=str(tag.pk)).count() == 2
    assert AuditEntry.objects.filter(model="ledgerapp.Tag").last().action == "update"
    site.delete()
    assert_verifies()


def test_create_with_a_preset_pk_of_an_existing_row_is_an_update(ledgerapp):
    ledgerapp.Site.objects.create(code="S-03", name="old")
    mark = head_seq()
    ledgerapp.Site(code="S-03", name="new", created_at=timezone.now()).save()
    (entry,) = AuditEntry.objects.filter(seq__gt=mark)
    assert entry.action == "update" and json.loads(entry.before)["name"] == "old"
    assert_verifies()


def test_raw_sql_change_on_text_and_uuid_pk_rows(ledgerapp):
    site = ledgerapp.Site.objects.create(code="S-04", name="x")
    tag = ledgerapp.Tag.objects.create(label="y")
    sql("UPDATE ledgerapp_site SET name = %s WHERE code = %s", ["z", "S-04"])
    result = run_cli("audit", "verify")
    assert result.code == 1 and result.out.startswith("LEDGER BROKEN at table ledgerapp_site pk S-04: ")
    sql("UPDATE ledgerapp_site SET name = %s WHERE code = %s", ["x", site.pk])
    assert run_cli("audit", "verify").code == 0
    ledgerapp.Tag.objects.filter(pk=tag.pk).update(label="y2")
    sql("UPDATE ledgerapp_tag SET label = %s", ["y3"])
    result = run_cli("audit", "verify")
    assert result.code == 1 and result.out.startswith(f"LEDGER BROKEN at table ledgerapp_tag pk {tag.pk}: ")


def test_set_null_cascade_is_recorded(ledgerapp):
    site = ledgerapp.Site.objects.create(code="S-05", name="x")
    g1 = ledgerapp.Gauge.objects.create(name="g1", site=site)
    g2 = ledgerapp.Gauge.objects.create(name="g2", site=site)
    mark = head_seq()
    site.delete()
    entries = list(AuditEntry.objects.filter(seq__gt=mark))
    assert sorted((e.action, e.model, e.object_pk) for e in entries) == sorted([
        ("delete", "ledgerapp.Site", "S-05"), ("update", "ledgerapp.Gauge", str(g1.pk)),
        ("update", "ledgerapp.Gauge", str(g2.pk))])
    assert all(json.loads(e.after)["site_id"] is None for e in entries if e.model == "ledgerapp.Gauge")
    assert_verifies()


def test_m2m_to_uuid_pks_and_deleting_the_target(ledgerapp):
    gauge = ledgerapp.Gauge.objects.create(name="tagged")
    t1, t2 = ledgerapp.Tag.objects.create(label="a"), ledgerapp.Tag.objects.create(label="b")
    gauge.tags.add(t1, t2)
    assert last_image(gauge)["tags"] == sorted([str(t1.pk), str(t2.pk)])
    t1.gauges.remove(gauge)
    assert last_image(gauge)["tags"] == [str(t2.pk)]
    t2.delete()
    assert last_image(gauge)["tags"] == []
    assert_verifies()


def test_symmetrical_self_relation_changes_both_sides(ledgerapp):
    a = ledgerapp.Gauge.objects.create(name="a")
    b = ledgerapp.Gauge.objects.create(name="b")
    c = ledgerapp.Gauge.objects.create(name="c")
    a.peers.add(b, c)
    assert last_image(b)["peers"] == [str(a.pk)]
    assert_verifies()
    b.peers.remove(a)
    assert last_image(a)["peers"] == [str(c.pk)]
    assert_verifies()
    a.peers.clear()
    assert last_image(c)["peers"] == []
    assert_verifies()
    a.peers.add(b)
    b.delete()
    assert last_image(a)["peers"] == []
    assert_verifies()


def test_bulk_create_with_uuid_pks(ledgerapp):
    tags = ledgerapp.Tag.objects.bulk_create([ledgerapp.Tag(label=f"t{i}") for i in range(5)])
    assert {e for e in AuditEntry.objects.filter(model="ledgerapp.Tag").values_list("object_pk", flat=True)} \
        == {str(t.pk) for t in tags}
    assert_verifies()


def test_all_image_values_are_canonical_json(ledgerapp):
    ledgerapp.Gauge.objects.create(name="x", **{k: v for k, v in VALUES[0].items() if k != "name"})
    for after in AuditEntry.objects.exclude(after="").values_list("after", flat=True):
        assert after == audit.canonical_json(json.loads(after))


def test_uuid_text_forms_agree(ledgerapp):
    value = uuid.uuid4()
    assert audit.pk_key(ledgerapp.Tag, value.hex) == audit.pk_key(ledgerapp.Tag, value) == str(value)
