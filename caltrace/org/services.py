"""Writes of the org app: the agency, its sites and rooms."""

import datetime as dt
from decimal import Decimal

from django.db import transaction

from .choices import SiteTenure
from .models import Agency, Room, Site


def do_register_agency(*, name: str, credit_code: str, legal_representative: str, address: str,
                       name_en: str = "", phone: str = "") -> Agency:
    """Register the agency as a legal entity (ENT-1); the credit code's check character is verified."""
    with transaction.atomic():
        agency = Agency(name=name, name_en=name_en, credit_code=credit_code.strip(),
                        legal_representative=legal_representative, address=address, phone=phone)
        agency.full_clean()
        agency.save()
        return agency


def do_add_site(agency: Agency, *, name: str, address: str, is_main: bool = False,
                tenure: str = SiteTenure.OWNED, tenure_document_no: str = "",
                tenure_valid_from: dt.date | None = None, tenure_valid_until: dt.date | None = None) -> Site:
    """Add a site; a leased site or one used on proof needs the document and its validity (SITE-1)."""
    with transaction.atomic():
        Agency.objects.select_for_update().get(pk=agency.pk)  # one main site per agency, checked under lock
        site = Site(agency=agency, name=name, address=address, is_main=is_main, tenure=tenure,
                    tenure_document_no=tenure_document_no, tenure_valid_from=tenure_valid_from,
                    tenure_valid_until=tenure_valid_until)
        site.full_clean()
        site.save()
        return site


def do_add_room(site: Site, *, code: str, name: str, keeps_standards: bool = False,
                area_m2: Decimal | None = None) -> Room:
    """Add a room to a site; mark it when measurement standards are kept there (SITE-2)."""
    with transaction.atomic():
        room = Room(site=site, code=code, name=name, keeps_standards=keeps_standards, area_m2=area_m2)
        room.full_clean()
        room.save()
        return room
