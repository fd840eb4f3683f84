"""Names the acting user in the audit context for the length of each web request."""

import uuid

from . import audit


class AuditActorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request.headers.get("X-Request-ID") or uuid.uuid4().hex
        user = getattr(request, "user", None)
        actor = audit.actor_for_user(user) if user is not None and user.is_authenticated else "anonymous"
        with audit.audit_context(actor=actor, reason="", request_id=request_id[:64]):
            response = self.get_response(request)
        response["X-Request-ID"] = request_id[:64]
        return response
