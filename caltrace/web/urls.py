from django.urls import path

from . import data_views, views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("customers/", views.customer_list, name="customer_list"),
    path("customers/<int:pk>/", views.customer_detail, name="customer_detail"),
    path("my/organisation/", views.my_organisation, name="my_organisation"),
    path("integrity/findings/", views.finding_list, name="finding_list"),
    path("integrity/findings/<int:pk>/", views.finding_detail, name="finding_detail"),
    path("integrity/findings/<int:pk>/transition/", views.finding_transition, name="finding_transition"),
    path("integrity/rules/", views.rule_list, name="rule_list"),
    path("data/", data_views.data_index, name="data_index"),
    path("data/<slug:name>/check/", data_views.data_check, name="data_check"),
    path("data/<slug:name>/import/", data_views.data_commit, name="data_commit"),
    path("data/<slug:name>/template.csv", data_views.data_template, name="data_template"),
    path("data/<slug:name>/export.<str:fmt>", data_views.data_export, name="data_export"),
]
