from django.urls import path

from . import portal_views as views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("register/", views.register, name="register"),
    path("contacts/", views.contacts, name="contacts"),
    path("apply/", views.apply, name="apply"),
    path("orders/<str:number>/", views.order_detail, name="order_detail"),
    path("orders/<str:number>/created/", views.order_created, name="order_created"),
    path("orders/<str:number>/deviations/<int:pk>/", views.deviation_decide, name="deviation_decide"),
    path("orders/<str:number>/accept/", views.order_accept, name="order_accept"),
    path("orders/<str:number>/decline/", views.order_decline, name="order_decline"),
    path("orders/<str:number>/appointment/", views.appointment, name="appointment"),
    path("orders/<str:number>/survey/", views.survey, name="survey"),
    path("requests/", views.requests, name="requests"),
    path("requests/<int:pk>/", views.request_detail, name="request_detail"),
    path("requests/<int:pk>/file", views.request_file, name="request_file"),
    path("complaints/", views.complaints, name="complaints"),
    path("complaints/<int:pk>/", views.complaint_detail, name="complaint_detail"),
    path("reapply/<str:token>/", views.reapply, name="reapply"),
    path("staff/requests/", views.staff_requests, name="staff_requests"),
    path("staff/requests/<int:pk>/", views.staff_request_detail, name="staff_request_detail"),
    path("staff/requests/<int:pk>/file", views.staff_request_file, name="staff_request_file"),
    path("staff/complaints/", views.staff_complaints, name="staff_complaints"),
    path("staff/complaints/<int:pk>/", views.staff_complaint_detail, name="staff_complaint_detail"),
    path("staff/surveys/", views.staff_surveys, name="staff_surveys"),
]
