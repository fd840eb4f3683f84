"""Who may open which page: one helper for every staff view.

Anonymous users are sent to the login page. A customer account asking for a staff page gets a
404, as for another customer's record: the portal never confirms that a record exists. A staff
member without the role gets a 403, which tells them to ask for the role.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404

from caltrace.core import roles

# Who works with which section (the navigation shows the same sets).
CUSTOMER_DESK_ROLES = (roles.RECEPTION, roles.QUALITY_MANAGER, roles.LAB_MANAGER)
FINDING_ROLES = (roles.QUALITY_MANAGER, roles.TECHNICAL_DIRECTOR, roles.LAB_MANAGER)


def has_role(user, allowed) -> bool:
    """True if the signed-in user holds one of ``allowed`` (a superuser holds every staff role)."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return bool(set(allowed) & set(roles.STAFF_ROLES))
    return bool(roles.roles_of(user) & set(allowed))


def refuse(user):
    """The answer to a signed-in user who may not see a page: 403 for staff, 404 for anyone else."""
    if roles.is_staff_member(user):
        raise PermissionDenied
    raise Http404


def role_required(*allowed):
    """Decorate a view so that only users holding one of ``allowed`` roles reach it."""
    allowed = tuple(allowed)

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_role(request.user, allowed):
                refuse(request.user)
            return view(request, *args, **kwargs)

        wrapped.allowed_roles = allowed
        return wrapped

    return decorator


staff_required = role_required(*roles.STAFF_ROLES)
