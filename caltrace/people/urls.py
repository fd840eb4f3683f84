from django.urls import path

from . import views

app_name = "people"

urlpatterns = [
    path("people/", views.person_list, name="person_list"),
    path("people/new/", views.person_create, name="person_create"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:pk>/qualifications/new/", views.qualification_create, name="qualification_create"),
    path("people/<int:pk>/authorizations/new/", views.authorization_create, name="authorization_create"),
    path("people/<int:pk>/protective-equipment/new/", views.protective_equipment_create,
         name="protective_equipment_create"),
    path("people/qualifications/", views.qualification_list, name="qualification_list"),
    path("people/authorizations/", views.authorization_list, name="authorization_list"),
    path("people/authorizations/<int:pk>/revoke/", views.authorization_revoke, name="authorization_revoke"),
    path("people/trainings/", views.training_list, name="training_list"),
    path("people/trainings/new/", views.training_create, name="training_create"),
    path("people/trainings/<int:pk>/", views.training_detail, name="training_detail"),
    path("people/export/<str:name>.<str:fmt>", views.export, name="export"),
]
