"""Reads of customer data, scoped to what the user may see."""

from caltrace.core import roles

from .models import CustomerContact, CustomerOrganisation


def organisation_of(user):
    """The customer organisation a portal user belongs to, or None."""
    contact = CustomerContact.objects.filter(user=user).select_related("organisation").first()
    return contact.organisation if contact else None


def visible_organisations(user):
    """Staff see every organisation; a customer account only its own; anyone else none."""
    qs = CustomerOrganisation.objects.all()
    if roles.is_staff_member(user):
        return qs
    if roles.is_customer(user):
        return qs.filter(contacts__user=user)
    return qs.none()
