from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrityConfig(AppConfig):
    name = "caltrace.integrity"
    label = "integrity"
    verbose_name = _("诚信与规则")

    def ready(self):
        from . import registry

        registry._load_rule_modules()
