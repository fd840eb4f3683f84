"""Qualification certificates and scope items: the checks of one record, the services, and which
items are valid on a day (QUAL-1, QUAL-2)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from caltrace.core.models import AuditEntry
from caltrace.org import selectors
from caltrace.org.choices import CmcForm, MetrologyField, QualificationCertificateKind, ValidityStatus
from caltrace.org.factories import AgencyFactory, QualificationCertificateFactory, ScopeItemFactory, SiteFactory
from caltrace.org.models import ScopeItem, format_decimal, format_scientific
from caltrace.org.services import (
    do_add_qualification_certificate,
    do_add_scope_item,
    do_update_qualification_certificate,
    do_update_scope_item,
)

from .conftest import TODAY

pytestmark = pytest.mark.django_db


def item_fields(**overrides):
    fields = dict(code="X-01", field=MetrologyField.ELECTRICAL, quantity="直流电压", item_type="数字多用表",
                  range_min=Decimal("0"), range_max=Decimal("10"), unit="V", cmc_form=CmcForm.ABSOLUTE,
                  cmc_a=Decimal("0.001"))
    fields.update(overrides)
    return fields


# --- certificates --------------------------------------------------------------------------------


def test_add_certificate_is_validated_and_audited():
    agency = AgencyFactory()
    cert = do_add_qualification_certificate(agency, kind=QualificationCertificateKind.ACCREDITATION,
                                            number=" CNAS L12345 ", issuer="CNAS", valid_from=dt.date(2024, 1, 1),
                                            valid_until=dt.date(2029, 12, 31))
    assert cert.number == "CNAS L12345"
    assert AuditEntry.objects.filter(model="org.QualificationCertificate", object_pk=str(cert.pk),
                                     action="create").exists()
    with pytest.raises(ValidationError) as info:
        do_add_qualification_certificate(agency, kind="accreditation", number="CNAS L12345", issuer="CNAS",
                                         valid_from=dt.date(2024, 1, 1), valid_until=dt.date(2023, 1, 1))
    assert set(info.value.message_dict) == {"number", "valid_until"}


def test_certificate_validity_boundaries_and_revocation():
    cert = QualificationCertificateFactory(valid_from=dt.date(2024, 1, 1), valid_until=dt.date(2026, 11, 21))
    assert not cert.is_valid_on(dt.date(2023, 12, 31))
    assert cert.is_valid_on(dt.date(2024, 1, 1))
    assert cert.is_valid_on(dt.date(2026, 11, 21))
    assert not cert.is_valid_on(dt.date(2026, 11, 22))
    cert = do_update_qualification_certificate(cert, revoked_on=dt.date(2025, 6, 1))
    assert cert.is_valid_on(dt.date(2025, 5, 31)) and not cert.is_valid_on(dt.date(2025, 6, 1))
    assert cert.status_on(dt.date(2025, 6, 1)) == ValidityStatus.REVOKED


def test_certificate_status_on_a_day():
    cert = QualificationCertificateFactory.build(valid_from=dt.date(2024, 1, 1), valid_until=dt.date(2026, 12, 1))
    assert cert.status_on(dt.date(2023, 1, 1)) == ValidityStatus.NOT_YET_VALID
    assert cert.status_on(dt.date(2025, 1, 1)) == ValidityStatus.VALID
    assert cert.status_on(dt.date(2026, 11, 21), soon_days=30) == ValidityStatus.EXPIRING
    assert cert.status_on(dt.date(2026, 12, 2)) == ValidityStatus.EXPIRED


def test_update_that_changes_nothing_writes_nothing():
    cert = QualificationCertificateFactory()
    before = AuditEntry.objects.count()
    do_update_qualification_certificate(cert, number=cert.number, valid_until=cert.valid_until)
    assert AuditEntry.objects.count() == before


def test_a_certificate_replaces_only_one_of_its_own_agency():
    old = QualificationCertificateFactory()
    new = do_add_qualification_certificate(old.agency, kind=old.kind, number="NEW-1", issuer="CNAS",
                                           valid_from=dt.date(2030, 1, 1), valid_until=dt.date(2035, 1, 1),
                                           replaces=old)
    assert old.replaced_by == new
    with pytest.raises(ValidationError) as info:
        do_add_qualification_certificate(old.agency, kind=old.kind, number="NEW-2", issuer="CNAS",
                                         valid_from=dt.date(2030, 1, 1), valid_until=dt.date(2035, 1, 1),
                                         replaces=old)
    assert "replaces" in info.value.message_dict
    stranger = QualificationCertificateFactory()
    with pytest.raises(ValidationError) as info:
        do_update_qualification_certificate(new, replaces=stranger)
    assert "replaces" in info.value.message_dict


# --- scope items ---------------------------------------------------------------------------------


def test_add_scope_item_with_methods_and_sites(lab):
    item = lab.dcv
    assert [m.code for m in item.methods.all()] == ["JJF 1587"]
    assert list(item.sites.all()) == [lab.main]
    assert item.range_text == "±(0~1000) V"
    assert item.cmc_display == "U = 8×10⁻⁶·x + 5 μV, k = 2"
    assert item.cmc_at(Decimal("10")) == Decimal("0.000085")


def test_scope_item_needs_methods_and_sites_of_the_agency(lab):
    with pytest.raises(ValidationError) as info:
        do_add_scope_item(lab.cert, methods=[], sites=[], **item_fields())
    assert set(info.value.message_dict) == {"methods", "sites"}
    other_site = SiteFactory()
    with pytest.raises(ValidationError) as info:
        do_add_scope_item(lab.cert, methods=[lab.dmm], sites=[other_site], **item_fields())
    assert info.value.message_dict == {"sites": ["有效场所须为持证机构的场所"]}


@pytest.mark.parametrize("overrides,field", [
    ({"range_max": Decimal("-1")}, "range_max"),
    ({"unit": "furlongz"}, "unit"),
    ({"unit": "℃"}, None),  # the degree-Celsius sign is read as °C
    ({"cmc_form": CmcForm.ABSOLUTE, "cmc_a": Decimal("0")}, "cmc_a"),
    ({"cmc_form": CmcForm.RELATIVE, "cmc_a": Decimal("0"), "cmc_b": Decimal("0")}, "cmc_b"),
    ({"cmc_form": CmcForm.LINEAR, "cmc_a": Decimal("0.001"), "cmc_b": Decimal("0")}, "cmc_b"),
    ({"cmc_b": Decimal("-0.1")}, "cmc_b"),
    ({"cmc_k": Decimal("0")}, "cmc_k"),
    ({"bipolar": True, "range_min": Decimal("-10")}, "range_min"),
])
def test_scope_item_checks_name_the_field(lab, overrides, field):
    if field is None:
        assert do_add_scope_item(lab.cert, methods=[lab.dmm], sites=[lab.main], **item_fields(**overrides)).pk
        return
    with pytest.raises(ValidationError) as info:
        do_add_scope_item(lab.cert, methods=[lab.dmm], sites=[lab.main], **item_fields(**overrides))
    assert field in info.value.message_dict


def test_item_code_is_unique_within_its_certificate(lab):
    with pytest.raises(ValidationError):
        do_add_scope_item(lab.cert, methods=[lab.dmm], sites=[lab.main], **item_fields(code="E-01"))


def test_update_scope_item_replaces_lists_and_is_audited(lab):
    before = AuditEntry.objects.filter(model="org.ScopeItem", object_pk=str(lab.dcv.pk)).count()
    item = do_update_scope_item(lab.dcv, range_max=Decimal("1020"), sites=[lab.main, lab.branch])
    assert item.range_max == Decimal("1020")
    assert set(item.sites.all()) == {lab.main, lab.branch}
    assert AuditEntry.objects.filter(model="org.ScopeItem", object_pk=str(lab.dcv.pk)).count() > before
    with pytest.raises(ValidationError) as info:
        do_update_scope_item(lab.dcv, methods=[])
    assert "methods" in info.value.message_dict
    count = AuditEntry.objects.count()
    do_update_scope_item(lab.dcv, range_max=Decimal("1020"), sites=[lab.branch, lab.main])
    assert AuditEntry.objects.count() == count  # nothing changed, nothing written


def test_withdrawn_item_is_not_valid_from_that_day(lab):
    do_update_scope_item(lab.temp, withdrawn_on=dt.date(2026, 6, 1))
    lab.temp.refresh_from_db()
    assert lab.temp.is_valid_on(dt.date(2026, 5, 31))
    assert not lab.temp.is_valid_on(dt.date(2026, 6, 1))
    assert set(selectors.valid_scope_items(dt.date(2026, 6, 1))) == {lab.dcv}


def test_valid_scope_items_boundaries(lab):
    expired = QualificationCertificateFactory(agency=lab.agency, valid_from=dt.date(2020, 1, 1),
                                              valid_until=TODAY - dt.timedelta(days=1))
    ends_today = QualificationCertificateFactory(agency=lab.agency, valid_from=dt.date(2020, 1, 1),
                                                 valid_until=TODAY)
    future = QualificationCertificateFactory(agency=lab.agency, valid_from=TODAY + dt.timedelta(days=1),
                                             valid_until=dt.date(2031, 1, 1))
    old = ScopeItemFactory(certificate=expired, sites=[lab.main], methods=[lab.dmm])
    last_day = ScopeItemFactory(certificate=ends_today, sites=[lab.main], methods=[lab.dmm])
    not_yet = ScopeItemFactory(certificate=future, sites=[lab.main], methods=[lab.dmm])
    valid = set(selectors.valid_scope_items(TODAY))
    assert valid == {lab.dcv, lab.temp, last_day}
    assert old not in valid and not_yet not in valid
    assert all(i.is_valid_on(TODAY) for i in valid)
    assert not old.is_valid_on(TODAY) and not not_yet.is_valid_on(TODAY)


def test_filters_of_the_scope_list(lab):
    qs = selectors.scope_items()
    assert list(selectors.filter_scope_items(qs, field=MetrologyField.THERMAL)) == [lab.temp]
    assert list(selectors.filter_scope_items(qs, site=lab.branch.pk)) == [lab.temp]
    assert list(selectors.filter_scope_items(qs, method=lab.dmm.pk)) == [lab.dcv]
    assert list(selectors.filter_scope_items(qs, q="1587")) == [lab.dcv]
    assert list(selectors.filter_scope_items(qs, q="Digital")) == [lab.dcv]
    assert list(selectors.filter_scope_items(qs, q="L90001").order_by("code")) == [lab.dcv, lab.temp]
    assert list(selectors.filter_scope_items(qs, valid_on=dt.date(2030, 1, 1))) == []


def test_number_formatting():
    assert format_decimal(Decimal("1000.000000000")) == "1000"
    assert format_decimal(Decimal("-40.000")) == "-40"
    assert format_decimal(Decimal("0.000500")) == "0.0005"
    assert format_scientific(Decimal("0.000008")) == "8×10⁻⁶"
    assert format_scientific(Decimal("0.000012")) == "1.2×10⁻⁵"
    assert format_scientific(Decimal("0.5")) == "0.5"


def test_cmc_written_out_when_no_text_is_given(lab):
    item = ScopeItem(unit="V", cmc_form=CmcForm.LINEAR, cmc_a=Decimal("0.000005"), cmc_b=Decimal("0.000008"),
                     cmc_k=Decimal("2.00"))
    assert item.cmc_display == "U = 8×10⁻⁶·x + 0.000005 V, k = 2"
    item.cmc_form = CmcForm.RELATIVE
    assert item.cmc_display == "Urel = 8×10⁻⁶, k = 2"
    item.cmc_form = CmcForm.ABSOLUTE
    assert item.cmc_display == "U = 0.000005 V, k = 2"
