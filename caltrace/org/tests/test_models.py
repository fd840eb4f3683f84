"""Agency, sites and rooms: the checks of one record (SITE-1) and the services."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from caltrace.core.models import AuditEntry
from caltrace.org.choices import SiteTenure
from caltrace.org.factories import AgencyFactory, RoomFactory, SiteFactory, make_credit_code
from caltrace.org.services import do_add_room, do_add_site, do_register_agency

pytestmark = pytest.mark.django_db


def test_register_agency_is_audited():
    before = AuditEntry.objects.count()
    agency = do_register_agency(name="测试机构", credit_code=make_credit_code(), legal_representative="张三",
                                address="江苏省苏州市")
    entry = AuditEntry.objects.order_by("-seq").first()
    assert AuditEntry.objects.count() == before + 1
    assert (entry.model, entry.object_pk, entry.action) == ("org.Agency", str(agency.pk), "create")


def test_register_agency_refuses_a_bad_credit_code():
    with pytest.raises(ValidationError) as info:
        do_register_agency(name="测试机构", credit_code="91320594MA1MH7Q226", legal_representative="张三",
                           address="江苏省苏州市")
    assert "credit_code" in info.value.message_dict


def test_leased_site_needs_document_and_validity():
    agency = AgencyFactory()
    with pytest.raises(ValidationError) as info:
        do_add_site(agency, name="分部", address="某地", tenure=SiteTenure.LEASED)
    assert set(info.value.message_dict) == {"tenure_document_no", "tenure_valid_until"}


def test_validity_cannot_end_before_it_starts():
    agency = AgencyFactory()
    with pytest.raises(ValidationError) as info:
        do_add_site(agency, name="分部", address="某地", tenure=SiteTenure.LEASED, tenure_document_no="ZL-1",
                    tenure_valid_from=dt.date(2025, 1, 1), tenure_valid_until=dt.date(2024, 12, 31))
    assert "tenure_valid_until" in info.value.message_dict


def test_one_main_site_per_agency():
    agency = AgencyFactory()
    do_add_site(agency, name="总部", address="某地", is_main=True)
    with pytest.raises(ValidationError) as info:
        do_add_site(agency, name="另一个总部", address="某地", is_main=True)
    assert "每个机构只能有一个主场所" in info.value.messages
    assert agency.main_site.name == "总部"


def test_tenure_in_date():
    owned = SiteFactory.build(tenure=SiteTenure.OWNED)
    leased = SiteFactory.build(tenure=SiteTenure.LEASED, tenure_document_no="ZL-1",
                               tenure_valid_from=dt.date(2024, 1, 1), tenure_valid_until=dt.date(2025, 12, 31))
    assert owned.tenure_in_date(dt.date(2030, 1, 1))
    assert not leased.tenure_in_date(dt.date(2023, 12, 31))
    assert leased.tenure_in_date(dt.date(2024, 1, 1))
    assert leased.tenure_in_date(dt.date(2025, 12, 31))
    assert not leased.tenure_in_date(dt.date(2026, 1, 1))


def test_room_area_must_be_positive():
    site = SiteFactory()
    with pytest.raises(ValidationError) as info:
        do_add_room(site, code="X1", name="房间", area_m2=Decimal("0"))
    assert "area_m2" in info.value.message_dict


def test_room_code_is_unique_within_a_site_only():
    room = RoomFactory(code="E101")
    with pytest.raises(ValidationError):
        do_add_room(room.site, code="E101", name="另一间")
    other = do_add_room(SiteFactory(), code="E101", name="另一场所的同号房间")
    assert other.pk
