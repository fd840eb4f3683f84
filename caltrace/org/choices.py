"""Choices of the org app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SiteTenure(models.TextChoices):
    """How the agency holds a site's premises (SITE-1: a lease or proof of use where not owned)."""

    OWNED = "owned", _("自有产权")
    LEASED = "leased", _("租赁")
    PROOF_OF_USE = "proof_of_use", _("独立使用证明")
