"""Every model of the foundation apps is in the admin, and its pages load on the demo data."""

import pytest
from django.contrib import admin
from django.urls import reverse

from caltrace.customers.models import CustomerContact, CustomerOrganisation
from caltrace.demo.seed import BASE_DEMOS, seed
from caltrace.equipment.models import Equipment
from caltrace.methods.models import Method, MethodVersion
from caltrace.org.models import Agency, Room, Site
from caltrace.people.models import Person, Qualification

MODELS = [Agency, Site, Room, Person, Qualification, Method, MethodVersion, Equipment, CustomerOrganisation,
          CustomerContact]


@pytest.mark.django_db
@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_admin_pages_load(admin_client, model):
    seed(apps=BASE_DEMOS)
    assert admin.site.is_registered(model)
    opts = model._meta
    assert admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")).status_code == 200
    obj = model.objects.first()
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    assert admin_client.get(url).status_code == 200
