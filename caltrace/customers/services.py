"""Writes of the customers app: organisations, contacts and portal accounts."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from caltrace.core.roles import CUSTOMER
from caltrace.people.services import do_assign_role, do_create_login

from .models import CustomerContact, CustomerOrganisation


def do_register_customer_organisation(*, name: str, credit_code: str, name_en: str = "", address: str = "",
                                      phone: str = "") -> CustomerOrganisation:
    """Register a customer organisation under its unified social credit code."""
    with transaction.atomic():
        org = CustomerOrganisation(name=name, name_en=name_en, credit_code=credit_code.strip(), address=address,
                                   phone=phone)
        org.full_clean()
        org.save()
        return org


def do_add_customer_contact(organisation: CustomerOrganisation, *, name: str, phone: str = "",
                            email: str = "") -> CustomerContact:
    """Add a contact person to a customer organisation."""
    with transaction.atomic():
        contact = CustomerContact(organisation=organisation, name=name, phone=phone, email=email)
        contact.full_clean()
        contact.save()
        return contact


def do_open_portal_account(contact: CustomerContact, *, username: str, password: str):
    """Give a contact a portal login (role ``customer``); it sees only its own organisation."""
    with transaction.atomic():
        contact = CustomerContact.objects.select_for_update().get(pk=contact.pk)
        if contact.user_id is not None:
            raise ValidationError(_("%(name)s 已有门户账号"), params={"name": contact.name})
        user = do_create_login(username=username, password=password, email=contact.email, full_name=contact.name)
        contact.user = user
        contact.save(update_fields=["user", "updated_at"])
        do_assign_role(user, CUSTOMER)
        return user
