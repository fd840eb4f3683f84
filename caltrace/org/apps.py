from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "caltrace.org"
    label = "org"
    verbose_name = _("机构与场所")
