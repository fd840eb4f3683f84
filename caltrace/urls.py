from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="web/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("caltrace.web.urls")),
    path("", include("caltrace.org.urls")),
    path("", include("caltrace.people.urls")),
    path("", include("caltrace.methods.urls")),
    path("", include("caltrace.equipment.urls")),
    path("", include("caltrace.calibration.urls")),
    path("", include("caltrace.certificates.urls")),
    path("portal/", include("caltrace.customers.portal_urls")),
    path("", include("caltrace.orders.urls")),
    path("", include("caltrace.api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
