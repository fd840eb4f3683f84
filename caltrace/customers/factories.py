"""Test factories of the customers app."""

import factory
from factory.django import DjangoModelFactory

from caltrace.org.factories import make_credit_code

from .models import CustomerContact, CustomerOrganisation


class CustomerOrganisationFactory(DjangoModelFactory):
    class Meta:
        model = CustomerOrganisation

    name = factory.Sequence(lambda n: f"测试客户单位{n:03d}")
    credit_code = factory.LazyFunction(make_credit_code)
    address = "江苏省无锡市测试路2号"


class CustomerContactFactory(DjangoModelFactory):
    class Meta:
        model = CustomerContact

    organisation = factory.SubFactory(CustomerOrganisationFactory)
    name = factory.Sequence(lambda n: f"联系人{n}")
    phone = "13800000000"
