from django.urls import path

from . import views

app_name = "calibration"

urlpatterns = [
    path("calibration/records/", views.record_list, name="record_list"),
    path("calibration/records/<int:pk>/", views.record_detail, name="record_detail"),
    path("calibration/records/<int:pk>/uncertainty/", views.uncertainty_report, name="uncertainty_report"),
    path("calibration/records/<int:pk>/uncertainty.pdf", views.uncertainty_pdf, name="uncertainty_pdf"),
]
