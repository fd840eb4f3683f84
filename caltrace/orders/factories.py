"""Test factories of the orders app, and :func:`make_lab`: a lab with a priced scope item, a method
in force, a customer with a portal user, and staff in each role of the business flow."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from .models import Order, OrderItem, hash_access_code


class OrderFactory(DjangoModelFactory):
    """A draft order (tests of the flow create orders through ``do_create_order``)."""

    class Meta:
        model = Order

    number = factory.Sequence(lambda n: f"WT2026-9{n:05d}")
    customer = factory.SubFactory("caltrace.customers.factories.CustomerOrganisationFactory")
    access_code_hash = hash_access_code("TESTCODE23")


class OrderItemFactory(DjangoModelFactory):
    class Meta:
        model = OrderItem

    order = factory.SubFactory(OrderFactory)
    instrument_type = "数字多用表"
    manufacturer = "Keysight"
    model = "34465A"
    serial_no = factory.Sequence(lambda n: f"MY{50000 + n}")
    range_text = "±(0～1000) V"
    range_min = Decimal("-1000")
    range_max = Decimal("1000")
    unit = "V"


@dataclass
class Lab:
    scope_item: object
    method: object
    version: object
    site: object
    customer: object
    contact: object
    customer_user: object
    reception: object
    manager: object
    calibrator: object

    def item(self, **changes) -> dict:
        """An item dict for ``do_create_order`` that the scope covers."""
        data = {"instrument_type": "数字多用表", "manufacturer": "Keysight", "model": "34465A", "serial_no": "MY001",
                "range_text": "±(0～1000) V", "range_min": Decimal("-1000"), "range_max": Decimal("1000"),
                "unit": "V", "requested_method": None, "quantity": 1}
        data.update(changes)
        return data


def make_lab(make_user, *, price=Decimal("300.00"), cost_hours=Decimal("1.00")) -> Lab:
    """A priced DC-voltage scope item (±(0~1000) V, a JJF method in force), its main site, a customer
    with a portal user, reception, a lab manager and a calibrator. ``make_user`` is the fixture."""
    from caltrace.customers.factories import CustomerContactFactory
    from caltrace.customers.services import do_open_portal_account
    from caltrace.methods.factories import MethodVersionFactory
    from caltrace.org.factories import QualificationCertificateFactory, ScopeItemFactory, SiteFactory

    from .models import PriceListEntry

    cert = QualificationCertificateFactory(valid_from=dt.date(2024, 1, 1), valid_until=dt.date(2099, 12, 31))
    site = SiteFactory(agency=cert.agency, is_main=True)
    version = MethodVersionFactory(method__code="JJF 1587", edition="2016", effective_on=dt.date(2016, 6, 1))
    scope_item = ScopeItemFactory(certificate=cert, methods=[version.method], sites=[site])
    PriceListEntry.objects.create(scope_item=scope_item, price=price, labour_hours=cost_hours,
                                  hourly_rate=Decimal("150.00"), equipment_cost=Decimal("50.00"),
                                  overhead_rate=Decimal("0.2000"))
    contact = CustomerContactFactory(email="buyer@customer.example")
    customer_user = do_open_portal_account(contact, username=f"portal{contact.pk}", password="pw-for-tests-1")
    return Lab(scope_item=scope_item, method=version.method, version=version, site=site,
               customer=contact.organisation, contact=contact, customer_user=customer_user,
               reception=make_user("reception", roles=["reception"], email="reception@lab.example"),
               manager=make_user("manager", roles=["lab_manager"]),
               calibrator=make_user("calibrator", roles=["calibrator"]))
