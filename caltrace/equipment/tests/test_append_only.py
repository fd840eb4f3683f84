"""EQP-6: the history cannot be rewritten. No update, no delete, through the model, the queryset or
the admin; a correction is a new record naming the one it corrects, with the reason."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from caltrace.core import ledger
from caltrace.core.models import AuditEntry
from caltrace.equipment import services
from caltrace.equipment.choices import ServiceEventKind
from caltrace.equipment.factories import EquipmentFactory, days, make_usable, trace
from caltrace.equipment.models import (
    AppendOnlyError,
    IntermediateCheck,
    MetrologicalConfirmation,
    ServiceEvent,
    TraceabilityRecord,
    TraceabilityResult,
    UsageRecord,
    Verification,
)

pytestmark = pytest.mark.django_db

HISTORY = [TraceabilityRecord, TraceabilityResult, MetrologicalConfirmation, IntermediateCheck, Verification,
           ServiceEvent, UsageRecord]


@pytest.fixture
def history():
    eq = make_usable(results=[{"quantity": "直流电压", "nominal": 10, "unit": "V", "error": "0.00001",
                               "uncertainty": "0.00002"}])
    services.do_record_check(eq, performed_on=days(-1), method="用 3458A 核查 10 V", result="偏差 3 μV", passed=True)
    services.do_take_out_of_service(eq, kind=ServiceEventKind.OUT_OF_SERVICE, on=days(0), reason="搬迁")
    services.do_log_usage(eq, job_ref="JOB-1", started_at=_now(), ended_at=_now())
    return eq


def _now():
    from django.utils import timezone

    return timezone.now()


@pytest.mark.parametrize("model", HISTORY, ids=lambda m: m.__name__)
def test_saving_an_existing_row_is_refused_and_changes_nothing(history, model):
    row = model.objects.first()
    before = AuditEntry.objects.count()
    field = next(f for f in model._meta.concrete_fields if f.get_internal_type() in ("TextField", "CharField"))
    setattr(row, field.attname, "篡改")
    with pytest.raises(AppendOnlyError):
        row.save()
    row.refresh_from_db()
    assert getattr(row, field.attname) != "篡改"
    assert AuditEntry.objects.count() == before


@pytest.mark.parametrize("model", HISTORY, ids=lambda m: m.__name__)
def test_deleting_is_refused_one_by_one_and_in_bulk(history, model):
    row = model.objects.first()
    with pytest.raises(AppendOnlyError):
        row.delete()
    with pytest.raises(AppendOnlyError):
        model.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        model.objects.filter(pk=row.pk).update(created_at=row.created_at)
    with pytest.raises(AppendOnlyError):
        model.objects.bulk_update([row], ["created_at"])
    assert model.objects.filter(pk=row.pk).exists()


def test_a_hand_set_primary_key_never_overwrites(history):
    old = TraceabilityRecord.objects.get()
    clone = TraceabilityRecord(pk=old.pk, equipment=old.equipment, kind=old.kind, certificate_no="X",
                               provider="伪造", performed_on=old.performed_on, due_on=old.due_on)
    with pytest.raises(IntegrityError), transaction.atomic():
        clone.save()
    old.refresh_from_db()
    assert old.provider != "伪造"


def test_upserts_are_refused(history):
    rec = TraceabilityRecord.objects.get()
    with pytest.raises(AppendOnlyError):
        TraceabilityRecord.objects.bulk_create([rec], update_conflicts=True, unique_fields=["id"],
                                               update_fields=["provider"])


def test_a_correction_is_a_new_record_and_the_old_one_stays():
    eq = make_usable(due=100)
    wrong = eq.traceability_records.get()
    with pytest.raises(ValidationError) as info:
        services.do_correct_traceability(wrong, reason="", kind=wrong.kind, certificate_no=wrong.certificate_no,
                                         provider=wrong.provider, performed_on=wrong.performed_on, due_on=days(300))
    assert "correction_reason" in info.value.message_dict
    fixed = services.do_correct_traceability(wrong, reason="有效期应为一年", kind=wrong.kind,
                                             certificate_no=wrong.certificate_no, provider=wrong.provider,
                                             performed_on=wrong.performed_on, due_on=days(265))
    assert TraceabilityRecord.objects.filter(equipment=eq).count() == 2
    assert fixed.corrects == wrong and wrong.correction == fixed
    with pytest.raises(ValidationError) as info:
        services.do_correct_traceability(wrong, reason="再次更正", kind=wrong.kind, certificate_no="Y",
                                         provider=wrong.provider, performed_on=wrong.performed_on, due_on=days(9))
    assert "corrects" in info.value.message_dict
    with pytest.raises(ValidationError):
        services.do_confirm(wrong, confirmed_on=days(0), passed=True, requirement="要求")


def test_a_correction_must_stay_with_its_equipment():
    a, b = make_usable(), make_usable()
    rec = a.traceability_records.get()
    with pytest.raises(ValidationError) as info:
        services.do_record_traceability(b, kind=rec.kind, certificate_no="Z-1", provider="某院", performed_on=days(-1),
                                        due_on=days(100), corrects=rec, correction_reason="错挂设备")
    assert "corrects" in info.value.message_dict


def test_the_same_certificate_twice_is_refused():
    eq = EquipmentFactory()
    rec = trace(eq, confirm=False)
    with pytest.raises(ValidationError) as info:
        trace(eq, certificate_no=rec.certificate_no, confirm=False)
    assert "已登记此证书编号" in str(info.value)


def test_the_admin_offers_no_change_and_no_delete(admin_client, history):
    rec = TraceabilityRecord.objects.get()
    change = reverse("admin:equipment_traceabilityrecord_change", args=[rec.pk])
    assert admin_client.get(change).status_code == 200  # a read-only view
    assert admin_client.post(change, {"provider": "篡改"}).status_code == 403
    assert admin_client.get(reverse("admin:equipment_traceabilityrecord_delete", args=[rec.pk])).status_code == 403
    assert admin_client.get(reverse("admin:equipment_traceabilityrecord_add")).status_code == 403
    rec.refresh_from_db()
    assert rec.provider != "篡改"


def test_a_change_behind_the_models_back_is_found_by_the_ledger(history):
    rec = TraceabilityRecord.objects.get()
    assert ledger.verify().ok
    with connection.cursor() as cur:
        cur.execute(f"UPDATE {TraceabilityRecord._meta.db_table} SET due_on = %s WHERE id = %s",
                    [days(3000), rec.pk])
    result = ledger.verify()
    assert not result.ok
    assert any(str(rec.pk) in str(p) and "traceabilityrecord" in str(p).lower() for p in result.problems)
