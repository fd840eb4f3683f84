from django.urls import path

from . import views

app_name = "calibration"

urlpatterns = [
    path("calibration/records/", views.record_list, name="record_list"),
    path("calibration/records/<int:pk>/", views.record_detail, name="record_detail"),
    path("calibration/records/<int:pk>/uncertainty/", views.uncertainty_report, name="uncertainty_report"),
    path("calibration/records/<int:pk>/uncertainty.pdf", views.uncertainty_pdf, name="uncertainty_pdf"),
    path("calibration/my-work/", views.job_queue, name="job_queue"),
    path("calibration/jobs/", views.job_list, name="job_list"),
    path("calibration/jobs/<int:pk>/", views.job_detail, name="job_detail"),
    path("calibration/jobs/<int:pk>/<slug:action>/", views.job_action, name="job_action"),
    path("calibration/items/<int:item_pk>/assign/", views.job_assign, name="job_assign"),
]
