"""Typed readings and corrections (CND-2, PRH-6), append-only readings, units, sign-off (CND-3)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from caltrace.calibration import services
from caltrace.calibration.choices import EquipmentRole, MeasurementModel, ProcedureKind, Provenance, RecordStatus
from caltrace.calibration.factories import make_procedure
from caltrace.calibration.models import Reading
from caltrace.core.models import AuditEntry
from caltrace.equipment.models import AppendOnlyError
from caltrace.integrity.registry import RuleViolation

pytestmark = pytest.mark.django_db


@pytest.fixture
def record(alice):
    procedure = make_procedure(MeasurementModel.DMM_DCV, kind=ProcedureKind.MANUAL)
    return services.do_start_record(procedure, item="Fluke 87V 12345678", actor=alice)


def point(record, order=1):
    return record.procedure.points.get(order=order)


def test_a_typed_reading_records_who_and_when(record, alice):
    before = timezone.now()
    r = services.do_type_reading(record, point(record), "1.00002", "V", actor=alice)
    r.refresh_from_db()
    assert (r.provenance, r.typed_by, r.value, r.sequence) == (Provenance.TYPED, alice, Decimal("1.00002"), 1)
    assert before <= r.typed_at <= timezone.now()
    assert r.raw_response == "" and r.visa_resource == "" and r.read_at is None
    assert services.do_type_reading(record, point(record), "1.00003", "V", actor=alice).sequence == 2
    entry = AuditEntry.objects.get(model="calibration.Reading", object_pk=str(r.pk))
    assert (entry.action, entry.actor) == ("create", "user:alice")


def test_a_correction_is_a_new_reading_and_the_old_one_stays_visible(record, alice, make_user):
    bob = make_user("bob")
    old = services.do_type_reading(record, point(record), "1.00200", "V", actor=alice)
    new = services.do_correct_reading(old, "1.00020", "V", reason="抄写时小数点错位", actor=bob)
    old.refresh_from_db()
    assert old.value == Decimal("1.002") and old.superseded_by == new and not old.is_current
    assert (new.corrects, new.correction_reason, new.typed_by, new.sequence) == (old, "抄写时小数点错位", bob, 1)
    assert list(record.readings.all()) == [old, new]
    assert list(record.readings.current()) == [new]
    entry = AuditEntry.objects.get(model="calibration.Reading", object_pk=str(new.pk))
    assert (entry.actor, entry.reason) == ("user:bob", "抄写时小数点错位")
    # a correction can itself be corrected, but each reading only once
    again = services.do_correct_reading(new, "1.00021", "V", reason="复核原始记录", actor=alice)
    assert list(record.readings.current()) == [again]
    with pytest.raises(ValidationError) as exc:
        services.do_correct_reading(old, "1.0", "V", reason="再次更正", actor=alice)
    assert "corrects" in exc.value.message_dict


def test_a_correction_needs_a_reason(record, alice):
    old = services.do_type_reading(record, point(record), "1.002", "V", actor=alice)
    with pytest.raises(ValidationError) as exc:
        services.do_correct_reading(old, "1.0002", "V", reason="  ", actor=alice)
    assert "correction_reason" in exc.value.message_dict
    assert Reading.objects.count() == 1


def test_updating_or_deleting_a_reading_is_refused(record, alice):
    r = services.do_type_reading(record, point(record), "1.00002", "V", actor=alice)
    entries = AuditEntry.objects.count()
    r.value = Decimal("1")
    with pytest.raises(AppendOnlyError):
        r.save()
    with pytest.raises(AppendOnlyError):
        r.delete()
    with pytest.raises(AppendOnlyError):
        Reading.objects.filter(pk=r.pk).update(value=Decimal("1"))
    with pytest.raises(AppendOnlyError):
        Reading.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        Reading.objects.bulk_update([r], ["value"])
    r.refresh_from_db()
    assert r.value == Decimal("1.00002") and AuditEntry.objects.count() == entries


def test_an_incompatible_unit_is_refused_with_a_clear_message(record, alice):
    with pytest.raises(ValidationError) as exc:
        services.do_type_reading(record, point(record), "1.0", "kg", actor=alice)
    message = exc.value.message_dict["unit"][0]
    assert "kg" in message and "“V”" in message
    with pytest.raises(ValidationError) as exc:
        services.do_type_reading(record, point(record), "1.0", "furlongs per bogon", actor=alice)
    assert "furlongs per bogon" in exc.value.message_dict["unit"][0]
    assert not Reading.objects.exists()
    # a unit that converts is fine; the reading keeps the unit it was taken in
    assert services.do_type_reading(record, point(record), "1000.02", "mV", actor=alice).unit == "mV"


def test_a_reading_slot_is_taken_once(record, alice):
    services.do_type_reading(record, point(record), "1.00002", "V", actor=alice, sequence=1)
    with pytest.raises(ValidationError) as exc:
        services.do_type_reading(record, point(record), "1.00003", "V", actor=alice, sequence=1)
    assert "sequence" in exc.value.message_dict


def test_a_point_of_another_procedure_is_refused(record, alice):
    other = make_procedure(MeasurementModel.BALANCE, kind=ProcedureKind.MANUAL)
    with pytest.raises(ValidationError) as exc:
        services.do_type_reading(record, other.points.first(), "10.0001", "g", actor=alice)
    assert "point" in exc.value.message_dict


def test_sign_off_needs_the_required_fields_and_then_closes_the_record(alice, only_cnd3, weights):
    procedure = make_procedure(MeasurementModel.BALANCE, kind=ProcedureKind.MANUAL, readings_per_point=1,
                               required_fields=["accuracy_class"])
    record = services.do_start_record(procedure, item="XS205", actor=alice,
                                      equipment=[(weights, EquipmentRole.REFERENCE)])
    for p in procedure.points.all():
        services.do_type_reading(record, p, p.nominal, "g", actor=alice)
    with pytest.raises(RuleViolation) as exc:
        services.do_sign_off_record(record, actor=alice)
    assert exc.value.rule_ids == ["CND-3"] and "accuracy_class" in str(exc.value)
    services.do_set_record_fields(record, {"accuracy_class": "Ⅰ"}, actor=alice)
    record = services.do_sign_off_record(record, actor=alice)
    assert record.status == RecordStatus.SIGNED_OFF
    assert [r["order"] for r in record.results] == [1, 2, 3]
    with pytest.raises(ValidationError) as exc:
        services.do_type_reading(record, procedure.points.first(), "10", "g", actor=alice)
    assert "record" in exc.value.message_dict


def test_sign_off_needs_a_reading_at_every_point(record, alice, only_cnd3):
    services.do_type_reading(record, point(record), "1.00002", "V", actor=alice)
    with pytest.raises(RuleViolation) as exc:
        services.do_sign_off_record(record, actor=alice)
    assert exc.value.rule_ids == ["CND-3"] and "10 V" in str(exc.value)
    record.refresh_from_db()
    assert record.status == RecordStatus.DRAFT and record.results == []


def test_unknown_record_fields_are_refused(record, alice):
    with pytest.raises(ValidationError) as exc:
        services.do_set_record_fields(record, {"no_such_field": "x"}, actor=alice)
    assert "no_such_field" in exc.value.message_dict["field_values"][0]


def test_listing_readings_takes_one_query(record, alice, django_assert_max_num_queries):
    for p in record.procedure.points.all():
        for _ in range(3):
            r = services.do_type_reading(record, p, p.nominal, "V", actor=alice)
    services.do_correct_reading(r, "100.001", "V", reason="读错", actor=alice)
    with django_assert_max_num_queries(1):
        rows = [(x.point.nominal, x.value, x.typed_by.username if x.typed_by else None,
                 x.equipment.asset_no if x.equipment else None, x.superseded_by, x.corrects)
                for x in Reading.objects.filter(record=record).for_list()]
    assert len(rows) == 13


def test_a_typed_value_must_be_a_number(record, alice):
    with pytest.raises(ValidationError) as exc:
        services.do_type_reading(record, point(record), "1,0002", "V", actor=alice)
    assert "value" in exc.value.message_dict
