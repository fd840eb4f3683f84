from django.apps import AppConfig


class LedgerAppConfig(AppConfig):
    """Test-only models for the ledger tests; installed by the ``ledgerapp`` fixture, never in production."""

    name = "caltrace.core.tests.ledgerapp"
    label = "ledgerapp"
    default_auto_field = "django.db.models.BigAutoField"
