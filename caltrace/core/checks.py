"""System checks that keep the ledger's coverage whole as models are added."""

from django.core import checks


@checks.register()
def business_models_use_audited_manager(app_configs, **kwargs):
    from .audit import AuditedQuerySet, audited_models

    errors = []
    for model in audited_models():
        if model._meta.app_label in ("auth",):
            continue
        for kind, manager in (("default", model._default_manager), ("base", model._base_manager)):
            if not issubclass(manager._queryset_class, AuditedQuerySet):
                errors.append(checks.Error(
                    f"{model._meta.label}: the {kind} manager must use AuditedQuerySet so bulk writes are audited",
                    hint="Subclass caltrace.core.audit.AuditedManager for custom managers.",
                    obj=model, id="caltrace.E001"))
    return errors
