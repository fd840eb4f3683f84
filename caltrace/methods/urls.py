from django.urls import path

from . import views

app_name = "methods"

urlpatterns = [
    path("methods/", views.method_list, name="method_list"),
    path("methods/new/", views.method_create, name="method_create"),
    path("methods/export/", views.method_export, name="method_export"),
    path("methods/import/", views.method_import, name="method_import"),
    path("methods/<int:pk>/", views.method_detail, name="method_detail"),
    path("methods/<int:pk>/edit/", views.method_edit, name="method_edit"),
    path("methods/<int:pk>/versions/new/", views.version_create, name="version_create"),
    path("methods/versions/<int:pk>/edit/", views.version_edit, name="version_edit"),
    path("methods/versions/<int:pk>/limits/", views.version_limits, name="version_limits"),
    path("methods/versions/<int:pk>/fields/", views.version_fields, name="version_fields"),
    path("methods/versions/<int:pk>/validations/new/", views.validation_create, name="validation_create"),
    path("methods/validations/", views.validation_list, name="validation_list"),
    path("methods/validations/<int:pk>/", views.validation_detail, name="validation_detail"),
    path("methods/validations/<int:pk>/approve/", views.validation_approve, name="validation_approve"),
]
