from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "caltrace.core"
    label = "core"
    verbose_name = _("核心")

    def ready(self):
        from . import audit, checks  # noqa: F401  (connects the ledger; registers system checks)

        audit.connect_signals()
