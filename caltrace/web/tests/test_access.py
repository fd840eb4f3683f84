"""Who reaches which page: anonymous → login, customers → 404, staff without the role → 403."""

import pytest
from django.urls import reverse

from caltrace.core import roles

pytestmark = pytest.mark.django_db

STAFF_PAGES = {
    "web:customer_list": (roles.RECEPTION, roles.QUALITY_MANAGER, roles.LAB_MANAGER),
    "web:finding_list": (roles.QUALITY_MANAGER, roles.TECHNICAL_DIRECTOR, roles.LAB_MANAGER),
    "web:rule_list": roles.STAFF_ROLES,
}


def urls(make_finding, make_org):
    finding, org = make_finding(), make_org()
    return [
        reverse("web:home"),
        reverse("web:my_organisation"),
        reverse("web:customer_list"),
        reverse("web:customer_detail", args=[org.pk]),
        reverse("web:finding_list"),
        reverse("web:finding_detail", args=[finding.pk]),
        reverse("web:rule_list"),
    ]


def test_anonymous_users_are_sent_to_login(client, make_finding, make_org):
    for url in urls(make_finding, make_org):
        resp = client.get(url)
        assert resp.status_code == 302, url
        assert resp.url == f"{reverse('login')}?next={url}", url


def test_anonymous_transition_is_sent_to_login(client, make_finding):
    finding = make_finding()
    resp = client.post(reverse("web:finding_transition", args=[finding.pk]), {"transition": "acknowledge"})
    assert resp.status_code == 302 and resp.url.startswith(reverse("login"))
    finding.refresh_from_db()
    assert finding.status == "open"


def test_customers_get_404_for_staff_pages(client_as, make_customer, make_finding):
    client = client_as(make_customer("c1"))
    finding = make_finding()
    for name in STAFF_PAGES:
        assert client.get(reverse(name)).status_code == 404, name
    assert client.get(reverse("web:finding_detail", args=[finding.pk])).status_code == 404
    resp = client.post(reverse("web:finding_transition", args=[finding.pk]), {"transition": "acknowledge"})
    assert resp.status_code == 404
    finding.refresh_from_db()
    assert finding.status == "open"


@pytest.mark.parametrize("name,allowed", STAFF_PAGES.items())
def test_staff_pages_by_role(client_as, make_user, name, allowed):
    for role in roles.STAFF_ROLES:
        client = client_as(make_user(f"{name}-{role}".replace(":", "-"), role))
        expected = 200 if role in allowed else 403
        assert client.get(reverse(name)).status_code == expected, (name, role)


def test_superuser_sees_staff_pages(client_as, make_user):
    client = client_as(make_user("root", is_superuser=True, is_staff=True))
    for name in STAFF_PAGES:
        assert client.get(reverse(name)).status_code == 200, name


def test_user_without_any_role_gets_404(client_as, make_user, make_org):
    client = client_as(make_user("nobody"))
    assert client.get(reverse("web:home")).status_code == 200
    assert client.get(reverse("web:customer_list")).status_code == 404
    assert client.get(reverse("web:customer_detail", args=[make_org().pk])).status_code == 404
    assert client.get(reverse("web:my_organisation")).status_code == 404


def test_transition_view_needs_post(client_as, quality_manager, make_finding):
    client = client_as(quality_manager)
    resp = client.get(reverse("web:finding_transition", args=[make_finding().pk]))
    assert resp.status_code == 405
