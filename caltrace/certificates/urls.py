from django.urls import path

from . import views

app_name = "certificates"

urlpatterns = [
    path("verify/<str:token>/", views.verify, name="verify"),
    path("certificates/", views.certificate_list, name="list"),
    path("certificates/<str:number>/", views.certificate_detail, name="detail"),
    path("certificates/<str:number>/pdf", views.certificate_pdf, name="pdf"),
    path("certificates/<str:number>/dcc", views.certificate_dcc, name="dcc"),
    path("certificates/<str:number>/withdraw/", views.certificate_withdraw, name="withdraw"),
]
