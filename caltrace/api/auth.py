"""API authentication: bearer tokens for machines, the session (with CSRF) for browsers."""

from django.contrib.auth.models import AnonymousUser
from ninja.security import APIKeyCookie, HttpBearer

from caltrace.core import audit
from caltrace.core.models import ApiToken


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        if not token.startswith("ct_"):
            return None
        found = (ApiToken.objects.select_related("user").filter(key_hash=ApiToken.hash_key(token), revoked=False)
                 .first())
        if found is None or not found.user.is_active:
            return None
        request.user = found.user
        request.api_token = found
        _name_actor(request, found.user)
        return found.user


class SessionAuth(APIKeyCookie):
    """The browser's session cookie; unsafe methods also need the CSRF token."""

    param_name = "sessionid"

    def __init__(self):
        super().__init__(csrf=True)

    def authenticate(self, request, key):
        user = getattr(request, "user", AnonymousUser())
        if user.is_authenticated:
            _name_actor(request, user)
            return user
        return None


def _name_actor(request, user):
    # The middleware ran before auth resolved the token's user: name the actor for this request.
    ctx = audit.current_context()
    audit._context.set(audit.AuditContext(actor=audit.actor_for_user(user), reason=ctx.reason,
                                          request_id=ctx.request_id))


AUTH = [TokenAuth(), SessionAuth()]
