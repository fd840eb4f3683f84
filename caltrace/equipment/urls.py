from django.urls import path

from . import views

app_name = "equipment"

urlpatterns = [
    path("equipment/", views.equipment_list, name="list"),
    path("equipment/new/", views.equipment_create, name="create"),
    path("equipment/export/", views.equipment_export, name="export"),
    path("equipment/traceability/", views.traceability_list, name="traceability_list"),
    path("equipment/traceability/<int:pk>/", views.record_detail, name="record_detail"),
    path("equipment/traceability/<int:pk>/confirm/", views.record_confirm, name="record_confirm"),
    path("equipment/<int:pk>/", views.equipment_detail, name="detail"),
    path("equipment/<int:pk>/edit/", views.equipment_edit, name="edit"),
    path("equipment/<int:pk>/ranges/new/", views.range_create, name="range_create"),
    path("equipment/<int:pk>/ranges/<int:range_pk>/delete/", views.range_delete, name="range_delete"),
    path("equipment/<int:pk>/traceability/new/", views.traceability_create, name="traceability_create"),
    path("equipment/<int:pk>/certificates/new/", views.certificate_create, name="certificate_create"),
    path("equipment/<int:pk>/checks/new/", views.check_create, name="check_create"),
    path("equipment/<int:pk>/verifications/new/", views.verification_create, name="verification_create"),
    path("equipment/<int:pk>/service/new/", views.service_create, name="service_create"),
]
