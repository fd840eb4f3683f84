from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "caltrace.orders"
    label = "orders"
    verbose_name = _("委托业务")
