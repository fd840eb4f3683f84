"""Who may read and write people records, in the UI and the API.

The lab manager and the technical director keep the records and grant authorizations; the quality
manager reads them (audits, self-evaluation). Other staff get 403, customers 404
(``caltrace.web.access.refuse``): personal data (birth dates, certificates) stays with those roles.
"""

from caltrace.core import roles
from caltrace.web.access import has_role, refuse

WRITE_ROLES = (roles.LAB_MANAGER, roles.TECHNICAL_DIRECTOR)
READ_ROLES = (*WRITE_ROLES, roles.QUALITY_MANAGER)


def can_read(user) -> bool:
    return has_role(user, READ_ROLES)


def can_write(user) -> bool:
    return has_role(user, WRITE_ROLES)


def require(user, allowed) -> None:
    """Raise PermissionDenied (staff) or Http404 (anyone else) unless ``user`` holds a role in ``allowed``."""
    if not has_role(user, allowed):
        refuse(user)
