"""Pages of the org app, included at the site root: staff pages under org/, the public scope at scope/."""

from django.urls import path

from . import views

app_name = "org"

urlpatterns = [
    path("scope/", views.public_scope, name="public_scope"),
    path("org/", views.agency_detail, name="agency"),
    path("org/agency/edit/", views.agency_edit, name="agency_edit"),
    path("org/sites/", views.site_list, name="site_list"),
    path("org/sites/new/", views.site_create, name="site_create"),
    path("org/sites/<int:pk>/", views.site_detail, name="site_detail"),
    path("org/sites/<int:pk>/edit/", views.site_edit, name="site_edit"),
    path("org/rooms/", views.room_list, name="room_list"),
    path("org/rooms/new/", views.room_create, name="room_create"),
    path("org/rooms/<int:pk>/", views.room_detail, name="room_detail"),
    path("org/rooms/<int:pk>/edit/", views.room_edit, name="room_edit"),
    path("org/certificates/", views.certificate_list, name="certificate_list"),
    path("org/certificates/new/", views.certificate_create, name="certificate_create"),
    path("org/certificates/<int:pk>/", views.certificate_detail, name="certificate_detail"),
    path("org/certificates/<int:pk>/edit/", views.certificate_edit, name="certificate_edit"),
    path("org/scope/", views.scope_item_list, name="scope_item_list"),
    path("org/scope/new/", views.scope_item_create, name="scope_item_create"),
    path("org/scope/export/", views.scope_export, name="scope_export"),
    path("org/scope/import/", views.scope_import, name="scope_import"),
    path("org/scope/<int:pk>/", views.scope_item_detail, name="scope_item_detail"),
    path("org/scope/<int:pk>/edit/", views.scope_item_edit, name="scope_item_edit"),
]
