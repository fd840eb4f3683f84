from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "caltrace.web"
    label = "web"
    verbose_name = _("界面")

    def ready(self):
        from django.contrib import admin

        # The admin speaks the product's name too (translated with the rest of the UI).
        admin.site.site_header = _("caltrace 计量校准管理系统")
        admin.site.site_title = _("caltrace 管理后台")
        admin.site.index_title = _("数据管理")
