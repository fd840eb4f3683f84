"""The registry's writes: editions and their dates, limits and record fields as sets, validations."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from caltrace.core.models import AuditEntry
from caltrace.methods.choices import Condition, FieldType, MethodKind, MethodUse, ValidationConclusion, VersionStatus
from caltrace.methods.factories import MethodFactory, MethodVersionFactory
from caltrace.methods.models import RecordField
from caltrace.methods.services import (
    do_add_method_version,
    do_approve_validation,
    do_record_validation,
    do_set_environment_limits,
    do_set_record_fields,
    do_update_method,
    do_update_method_version,
)

pytestmark = pytest.mark.django_db


def entries() -> int:
    return AuditEntry.objects.count()


def test_limits_are_a_set_updated_in_place_and_audited():
    version = MethodVersionFactory()
    rows = [{"condition": Condition.TEMPERATURE, "minimum": "18", "maximum": "22"},
            {"condition": Condition.HUMIDITY, "maximum": "75"}]
    assert do_set_environment_limits(version, rows)
    temp_pk = version.limits.get(condition=Condition.TEMPERATURE).pk
    before = entries()
    assert do_set_environment_limits(version, rows) is False
    assert entries() == before
    rows[0]["maximum"] = "23"
    assert do_set_environment_limits(version, rows[:1] + [{"condition": Condition.OTHER, "name": "磁场强度",
                                                            "maximum": "0.1", "unit": "mT"}])
    assert version.limits.get(condition=Condition.TEMPERATURE).pk == temp_pk  # updated, not replaced
    assert set(version.limits.values_list("condition", flat=True)) == {"temperature", "other"}
    assert entries() == before + 3  # one update, one delete, one create


def test_duplicate_condition_is_refused():
    version = MethodVersionFactory()
    with pytest.raises(ValidationError) as exc:
        do_set_environment_limits(version, [{"condition": Condition.TEMPERATURE, "maximum": 22},
                                            {"condition": Condition.TEMPERATURE, "maximum": 23}])
    assert "limits.1.condition" in exc.value.message_dict


def test_record_fields_keep_their_order_and_types():
    version = MethodVersionFactory()
    fields = [
        {"name": "warm_up", "label_zh": "预热时间", "label_en": "Warm-up", "field_type": FieldType.NUMBER, "unit": "min"},
        {"name": "class", "label_zh": "准确度等级", "field_type": FieldType.CHOICE, "options": ["Ⅰ", "Ⅱ"]},
        {"name": "remarks", "label_zh": "备注", "field_type": FieldType.TEXT, "required": False},
    ]
    assert do_set_record_fields(version, fields)
    assert list(version.record_fields.values_list("name", flat=True)) == ["warm_up", "class", "remarks"]
    assert [f.name for f in version.required_record_fields()] == ["warm_up", "class"]
    assert do_set_record_fields(version, fields) is False
    assert do_set_record_fields(version, list(reversed(fields)))
    assert list(version.record_fields.values_list("name", flat=True)) == ["remarks", "class", "warm_up"]


@pytest.mark.parametrize("row,field", [
    ({"name": "Bad Name", "label_zh": "x", "field_type": FieldType.TEXT}, "name"),
    ({"name": "c", "label_zh": "x", "field_type": FieldType.CHOICE, "options": ["only"]}, "options"),
    ({"name": "c", "label_zh": "x", "field_type": FieldType.CHOICE, "options": ["a", "a"]}, "options"),
    ({"name": "t", "label_zh": "x", "field_type": FieldType.TEXT, "unit": "V"}, "unit"),
    ({"name": "t", "label_zh": "x", "field_type": FieldType.TEXT, "options": ["a", "b"]}, "options"),
    ({"name": "t", "label_zh": "", "field_type": FieldType.TEXT}, "label_zh"),
    ({"name": "t", "label_zh": "x", "field_type": "colour"}, "field_type"),
])
def test_bad_record_fields_are_refused_with_the_row_and_field(row, field):
    version = MethodVersionFactory()
    with pytest.raises(ValidationError) as exc:
        do_set_record_fields(version, [row])
    assert f"fields.0.{field}" in exc.value.message_dict
    assert not RecordField.objects.exists()


def test_record_field_is_filled():
    field = RecordField(name="x", label_zh="x", field_type=FieldType.BOOL)
    assert field.is_filled(False) and field.is_filled(0) and field.is_filled("否")
    assert not field.is_filled(None) and not field.is_filled("  ")


def test_update_version_records_withdrawal_and_duration():
    version = MethodVersionFactory(effective_on=dt.date(2016, 12, 27))
    assert do_update_method_version(version, withdrawn_on=dt.date(2026, 1, 1), min_duration_minutes=90)
    version.refresh_from_db()
    assert version.min_duration == dt.timedelta(minutes=90)
    assert version.status_on(dt.date(2026, 1, 1)) == VersionStatus.WITHDRAWN
    assert do_update_method_version(version, withdrawn_on=dt.date(2026, 1, 1), min_duration_minutes=90) is False
    with pytest.raises(ValidationError) as exc:
        do_update_method_version(version, withdrawn_on=dt.date(2010, 1, 1), min_duration_minutes=0)
    assert {"withdrawn_on", "min_duration_minutes"} <= set(exc.value.message_dict)


def test_update_version_with_a_successor():
    old = MethodVersionFactory(edition="2008", effective_on=dt.date(2008, 5, 20))
    new = MethodVersionFactory(method=old.method, edition="2022", effective_on=dt.date(2023, 3, 27))
    assert do_update_method_version(old, withdrawn_on=None, min_duration_minutes=None, superseded_by=new)
    old.refresh_from_db()
    assert old.superseded_by == new and old.withdrawn_on == dt.date(2023, 3, 27)


def test_update_method_titles():
    method = MethodFactory(title="旧名称")
    assert do_update_method(method, title="新名称", title_en="New")
    assert do_update_method(method, title="新名称", title_en="New") is False


def test_in_house_version_needs_its_developer():
    method = MethodFactory(code="MH/ZY-05", kind=MethodKind.IN_HOUSE)
    with pytest.raises(ValidationError) as exc:
        do_add_method_version(method, edition="2024", effective_on=dt.date(2024, 1, 1))
    assert "developed_by" in exc.value.message_dict


def _record(version, person, **kw):
    data = {"use": MethodUse.IN_HOUSE, "subject": "方法整体", "techniques": ["method_comparison"],
            "result": "En ≤ 1", "conclusion": ValidationConclusion.FIT, "validated_by": person,
            "validated_on": dt.date(2024, 7, 1)}
    data.update(kw)
    return do_record_validation(version, **data)


@pytest.fixture
def in_house(senior):
    method = MethodFactory(code="MH/ZY-06", kind=MethodKind.IN_HOUSE)
    return do_add_method_version(method, edition="2024", effective_on=dt.date(2024, 9, 1), developed_by=senior)


@pytest.mark.parametrize("kw,field", [
    ({"techniques": []}, "techniques"),
    ({"techniques": ["guesswork"]}, "techniques"),
    ({"use": MethodUse.MODIFIED}, "use"),
    ({"conclusion": "maybe"}, "conclusion"),
    ({"subject": ""}, "subject"),
    ({"validated_on": dt.date(2999, 1, 1)}, "validated_on"),
])
def test_bad_validation_is_refused_with_the_field(in_house, senior, kw, field):
    with pytest.raises(ValidationError) as exc:
        _record(in_house, senior, **kw)
    assert field in exc.value.message_dict


def test_a_standard_method_is_validated_only_for_modified_or_out_of_scope_use(senior):
    version = MethodVersionFactory()
    with pytest.raises(ValidationError) as exc:
        _record(version, senior, use=MethodUse.IN_HOUSE)
    assert "use" in exc.value.message_dict
    assert _record(version, senior, use=MethodUse.OUT_OF_SCOPE).pk


def test_approval_once_and_not_before_validation(in_house, senior):
    validation = _record(in_house, senior, techniques=["uncertainty", "method_comparison", "uncertainty"])
    assert validation.techniques == ["method_comparison", "uncertainty"]
    with pytest.raises(ValidationError) as exc:
        do_approve_validation(validation, approved_by=senior, approved_on=dt.date(2024, 6, 1))
    assert "approved_on" in exc.value.message_dict
    approved = do_approve_validation(validation, approved_by=senior, approved_on=dt.date(2024, 7, 2))
    assert approved.is_valid_on(dt.date(2024, 7, 2)) and not approved.is_valid_on(dt.date(2024, 7, 1))
    with pytest.raises(ValidationError):
        do_approve_validation(validation, approved_by=senior)
