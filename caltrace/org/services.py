"""Writes of the org app: the agency, its sites and rooms, qualification certificates and their
scope annex. Each service validates the record (``full_clean``) and writes in one transaction;
an update that changes nothing writes nothing (so the ledger gets no empty entry)."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .choices import SiteTenure
from .models import Agency, QualificationCertificate, Room, ScopeItem, Site

AGENCY_FIELDS = {"name", "name_en", "credit_code", "legal_representative", "address", "phone"}
SITE_FIELDS = {"name", "name_en", "address", "address_en", "is_main", "is_enclosed", "tenure",
               "tenure_document_no", "tenure_valid_from", "tenure_valid_until"}
ROOM_FIELDS = {"code", "name", "building", "floor", "keeps_standards", "area_m2"}
CERTIFICATE_FIELDS = {"kind", "number", "issuer", "issuer_en", "valid_from", "valid_until", "revoked_on",
                      "replaces"}
SCOPE_ITEM_FIELDS = {"code", "field", "quantity", "quantity_en", "item_type", "item_type_en", "range_min",
                     "range_max", "bipolar", "unit", "cmc_form", "cmc_a", "cmc_b", "cmc_k", "cmc_text",
                     "withdrawn_on"}


def _apply(obj, changes: dict, allowed: set[str]) -> list[str]:
    """Set the changed fields on ``obj``; the names of those that changed."""
    unknown = set(changes) - allowed
    if unknown:
        raise TypeError(f"cannot change {', '.join(sorted(unknown))} of {obj._meta.label}")
    changed = []
    for name, value in changes.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed.append(name)
    return changed


def _save_changes(obj, changed: list[str]) -> bool:
    if not changed:
        return False
    obj.full_clean()
    obj.save(update_fields=[*changed, "updated_at"])
    return True


# --- agency and premises -------------------------------------------------------------------------


def do_register_agency(*, name: str, credit_code: str, legal_representative: str, address: str,
                       name_en: str = "", phone: str = "") -> Agency:
    """Register the agency as a legal entity (ENT-1); the credit code's check character is verified."""
    with transaction.atomic():
        agency = Agency(name=name, name_en=name_en, credit_code=credit_code.strip(),
                        legal_representative=legal_representative, address=address, phone=phone)
        agency.full_clean()
        agency.save()
        return agency


def do_update_agency(agency: Agency, **changes) -> Agency:
    """Change the agency's registration data (ENT-1); the credit code is checked again."""
    with transaction.atomic():
        agency = Agency.objects.select_for_update().get(pk=agency.pk)
        if "credit_code" in changes:
            changes["credit_code"] = (changes["credit_code"] or "").strip().upper()
        _save_changes(agency, _apply(agency, changes, AGENCY_FIELDS))
        return agency


def do_add_site(agency: Agency, *, name: str, address: str, is_main: bool = False,
                tenure: str = SiteTenure.OWNED, tenure_document_no: str = "",
                tenure_valid_from: dt.date | None = None, tenure_valid_until: dt.date | None = None,
                name_en: str = "", address_en: str = "", is_enclosed: bool = True) -> Site:
    """Add a site; a leased site or one used on proof needs the document and its validity (SITE-1)."""
    with transaction.atomic():
        Agency.objects.select_for_update().get(pk=agency.pk)  # one main site per agency, checked under lock
        site = Site(agency=agency, name=name, name_en=name_en, address=address, address_en=address_en,
                    is_main=is_main, is_enclosed=is_enclosed, tenure=tenure,
                    tenure_document_no=tenure_document_no, tenure_valid_from=tenure_valid_from,
                    tenure_valid_until=tenure_valid_until)
        site.full_clean()
        site.save()
        return site


def do_update_site(site: Site, **changes) -> Site:
    """Change a site, e.g. record a renewed lease (SITE-1): new document number and validity."""
    with transaction.atomic():
        Agency.objects.select_for_update().get(pk=site.agency_id)
        site = Site.objects.select_for_update().get(pk=site.pk)
        _save_changes(site, _apply(site, changes, SITE_FIELDS))
        return site


def do_add_room(site: Site, *, code: str, name: str, keeps_standards: bool = False,
                area_m2: Decimal | None = None, building: str = "", floor: str = "") -> Room:
    """Add a room to a site; mark it when measurement standards are kept there (SITE-2)."""
    with transaction.atomic():
        room = Room(site=site, code=code, name=name, building=building, floor=floor,
                    keeps_standards=keeps_standards, area_m2=area_m2)
        room.full_clean()
        room.save()
        return room


def do_update_room(room: Room, **changes) -> Room:
    """Change a room's data. A room that stops keeping standards while a measurement standard is
    registered there is refused: move the standard first."""
    with transaction.atomic():
        room = Room.objects.select_for_update().get(pk=room.pk)
        changed = _apply(room, changes, ROOM_FIELDS)
        if "keeps_standards" in changed and not room.keeps_standards and _standards_kept_in(room):
            raise ValidationError({"keeps_standards": _("该房间存放着测量标准，请先将其移至其他计量标准保存地点")})
        _save_changes(room, changed)
        return room


def _standards_kept_in(room: Room) -> bool:
    equipment = getattr(room, "equipment", None)  # the reverse relation of equipment.Equipment.home_room
    return bool(equipment is not None and equipment.filter(kind="measurement_standard").exists())


# --- qualification certificates and their scope annex ---------------------------------------------


def do_add_qualification_certificate(agency: Agency, *, kind: str, number: str, issuer: str,
                                     valid_from: dt.date, valid_until: dt.date, issuer_en: str = "",
                                     replaces: QualificationCertificate | None = None,
                                     revoked_on: dt.date | None = None) -> QualificationCertificate:
    """Register a qualification certificate (资质证书: accreditation or authorization) with its
    validity (QUAL-1). ``replaces`` names the certificate it renews, which then is no longer due."""
    with transaction.atomic():
        cert = QualificationCertificate(agency=agency, kind=kind, number=(number or "").strip(), issuer=issuer,
                                        issuer_en=issuer_en, valid_from=valid_from, valid_until=valid_until,
                                        replaces=replaces, revoked_on=revoked_on)
        cert.full_clean()
        cert.save()
        return cert


def do_update_qualification_certificate(cert: QualificationCertificate, **changes) -> QualificationCertificate:
    """Change a certificate's data, e.g. record its suspension or revocation (``revoked_on``)."""
    with transaction.atomic():
        cert = QualificationCertificate.objects.select_for_update().get(pk=cert.pk)
        if "number" in changes:
            changes["number"] = (changes["number"] or "").strip()
        _save_changes(cert, _apply(cert, changes, CERTIFICATE_FIELDS))
        return cert


def _check_links(certificate: QualificationCertificate, methods, sites) -> None:
    errors = {}
    if not methods:
        errors["methods"] = _("至少选择一个适用方法")
    if not sites:
        errors["sites"] = _("至少选择一个有效场所")
    elif any(site.agency_id != certificate.agency_id for site in sites):
        errors["sites"] = _("有效场所须为持证机构的场所")
    if errors:
        raise ValidationError(errors)


def _validate_item(item: ScopeItem, methods, sites) -> None:
    """The item's own checks and its links, reported together (so a form shows every error)."""
    errors: dict = {}
    for check in (item.full_clean, lambda: _check_links(item.certificate, methods, sites)):
        try:
            check()
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


def do_add_scope_item(certificate: QualificationCertificate, *, code: str, field: str, quantity: str,
                      item_type: str, range_min: Decimal, range_max: Decimal, unit: str, cmc_form: str,
                      methods, sites, cmc_a: Decimal = Decimal(0), cmc_b: Decimal = Decimal(0),
                      cmc_k: Decimal = Decimal(2), cmc_text: str = "", quantity_en: str = "",
                      item_type_en: str = "", bipolar: bool = False,
                      withdrawn_on: dt.date | None = None) -> ScopeItem:
    """Add one capability to a certificate's annex: what is calibrated, over which range with which
    CMC, under which methods (``methods``: methods.Method) and at which of the agency's ``sites``."""
    methods, sites = list(methods), list(sites)
    with transaction.atomic():
        item = ScopeItem(certificate=certificate, code=(code or "").strip(), field=field, quantity=quantity,
                         quantity_en=quantity_en, item_type=item_type, item_type_en=item_type_en,
                         range_min=range_min, range_max=range_max, bipolar=bipolar, unit=unit,
                         cmc_form=cmc_form, cmc_a=cmc_a if cmc_a is not None else Decimal(0),
                         cmc_b=cmc_b if cmc_b is not None else Decimal(0),
                         cmc_k=cmc_k if cmc_k is not None else Decimal(2), cmc_text=cmc_text,
                         withdrawn_on=withdrawn_on)
        _validate_item(item, methods, sites)
        item.save()
        item.methods.set(methods)
        item.sites.set(sites)
        return item


def do_update_scope_item(item: ScopeItem, *, methods=None, sites=None, **changes) -> ScopeItem:
    """Change a scope item; ``methods`` and ``sites`` replace the lists when given. Withdraw an
    item from the annex (reduced scope) by setting ``withdrawn_on``."""
    with transaction.atomic():
        item = ScopeItem.objects.select_for_update(of=("self",)).select_related("certificate").get(pk=item.pk)
        changed = _apply(item, changes, SCOPE_ITEM_FIELDS)
        new_methods = list(methods) if methods is not None else list(item.methods.all())
        new_sites = list(sites) if sites is not None else list(item.sites.all())
        _validate_item(item, new_methods, new_sites)
        if changed:
            item.save(update_fields=[*changed, "updated_at"])
        if methods is not None and {m.pk for m in new_methods} != set(item.methods.values_list("pk", flat=True)):
            item.methods.set(new_methods)
        if sites is not None and {s.pk for s in new_sites} != set(item.sites.values_list("pk", flat=True)):
            item.sites.set(new_sites)
        return item
