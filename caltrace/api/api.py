"""The REST API at /api/v1/: assembles the apps' routers and maps errors to JSON answers."""

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError as NinjaValidationError

from caltrace import __version__
from caltrace.core.workflows import TransitionError
from caltrace.integrity.registry import RuleViolation

from .auth import AUTH

api = NinjaAPI(
    title="caltrace API",
    version=__version__,
    description="计量校准机构管理系统接口 / Calibration laboratory management API",
    urls_namespace="api",
    auth=AUTH,
    docs_url="/docs",
)


@api.exception_handler(RuleViolation)
def _rule_violation(request, exc: RuleViolation):
    return api.create_response(request, exc.as_dict(), status=409)


@api.exception_handler(TransitionError)
def _transition_error(request, exc: TransitionError):
    return api.create_response(request, exc.as_dict(), status=409)


@api.exception_handler(ValidationError)
def _django_validation(request, exc: ValidationError):
    if hasattr(exc, "error_dict"):
        errors = [{"field": f, "messages": [str(m) for e in errs for m in e.messages]}
                  for f, errs in exc.error_dict.items()]
    else:
        errors = [{"field": None, "messages": [str(m) for m in exc.messages]}]
    return api.create_response(request, {"detail": "invalid input", "errors": errors}, status=422)


@api.exception_handler(NinjaValidationError)
def _ninja_validation(request, exc: NinjaValidationError):
    errors = [{"field": _field_name(e.get("loc", ())), "messages": [e.get("msg", "")]} for e in exc.errors]
    return api.create_response(request, {"detail": "invalid input", "errors": errors}, status=422)


def _field_name(loc) -> str | None:
    """("body", "payload", "items", 0, "name") -> "items.0.name"; ("query", "q") -> "q"."""
    parts = list(loc)[1:]  # drop where it came from (body, query, path)
    if len(parts) > 1 and loc and loc[0] == "body":
        parts = parts[1:]  # drop the name of the view's schema parameter
    return ".".join(str(p) for p in parts) or None


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return api.create_response(request, {"detail": "permission denied"}, status=403)


@api.exception_handler(ObjectDoesNotExist)
@api.exception_handler(Http404)
def _not_found(request, exc):
    return api.create_response(request, {"detail": "not found"}, status=404)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return api.create_response(request, {"detail": "authentication required"}, status=401)


def _mount():
    from caltrace.core.api import router as core_router
    from caltrace.customers.api import router as customers_router
    from caltrace.equipment.api import router as equipment_router
    from caltrace.integrity.api import router as integrity_router
    from caltrace.methods.api import router as methods_router
    from caltrace.org.api import router as org_router
    from caltrace.people.api import router as people_router

    api.add_router("/", core_router)
    api.add_router("/integrity/", integrity_router)
    api.add_router("/customers/", customers_router)
    api.add_router("/org/", org_router)
    api.add_router("/people/", people_router)
    api.add_router("/methods/", methods_router)
    api.add_router("/equipment/", equipment_router)
    api.add_router("/calibration/", "caltrace.calibration.api.router")
    api.add_router("/certificates/", "caltrace.certificates.api.router")
    api.add_router("/orders/", "caltrace.orders.api.router")


_mount()
