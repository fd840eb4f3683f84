"""The shell: login, language switch, navigation by role, local assets."""

import re

import pytest
from django.urls import reverse

from caltrace.core import roles
from caltrace.web.context_processors import NAVIGATION

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


def switch_language(client, code, next_url="/login/"):
    resp = client.post(reverse("set_language"), {"language": code, "next": next_url})
    assert resp.status_code == 302
    return resp


def test_login_page_is_chinese_by_default(client):
    resp = client.get(reverse("login"))
    html = resp.content.decode()
    assert resp.status_code == 200
    assert '<html lang="zh-hans">' in html
    assert "计量校准管理系统" in html
    assert "用户名" in html and "密码" in html
    # The language switch is there before login, as a POST form with CSRF.
    assert 'action="/i18n/setlang/"' in html and 'name="csrfmiddlewaretoken"' in html
    assert 'value="en"' in html


def test_a_request_in_english_leaves_the_thread_in_its_own_language(client):
    """The language of one user's request does not stay with the thread (the next request or
    task on it, or a test, speaks the site's language again)."""
    from django.utils import translation

    before = translation.get_language()
    switch_language(client, "en")
    assert '<html lang="en">' in client.get(reverse("login")).content.decode()
    assert translation.get_language() == before


def test_login_page_in_english_after_switch(client):
    switch_language(client, "en")
    resp = client.get(reverse("login"))
    html = resp.content.decode()
    assert '<html lang="en">' in html
    assert "Calibration Management System" in html
    assert "Username" in html and "Password" in html
    assert "用户名" not in html
    switch_language(client, "zh-hans")
    assert "用户名" in client.get(reverse("login")).content.decode()


def test_login_shows_errors_per_field(client):
    resp = client.post(reverse("login"), {"username": "", "password": ""})
    html = resp.content.decode()
    assert resp.status_code == 200
    assert 'id="id_username_error"' in html and 'id="id_password_error"' in html
    assert 'aria-invalid="true"' in html
    assert "这个字段是必填项" in html


def test_wrong_password_is_a_readable_error(client, make_user):
    make_user("alice", roles.RECEPTION)
    resp = client.post(reverse("login"), {"username": "alice", "password": "wrong"})
    assert resp.status_code == 200
    assert "请输入一个正确的" in resp.content.decode()


@pytest.mark.parametrize("role", [*roles.ROLES])
def test_demo_like_users_log_in(client, make_user, make_customer, role):
    user = make_customer("portal") if role == roles.CUSTOMER else make_user(f"u-{role}", role)
    resp = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert resp.status_code == 302 and resp.url == reverse("web:home")
    home = client.get(reverse("web:home"))
    assert home.status_code == 200
    assert str(roles.ROLES[role].name_zh) in home.content.decode()


def test_demo_seed_accounts_log_in(client):
    from caltrace.demo.seed import BASE_DEMOS, seed

    accounts = seed(apps=BASE_DEMOS)
    if not accounts:
        pytest.skip("the demo seed has no accounts yet")
    for account in accounts:
        resp = client.post(reverse("login"), {"username": account.username, "password": account.password})
        assert resp.status_code == 302, account.username
        assert client.get(reverse("web:home")).status_code == 200
        client.post(reverse("logout"))


def test_login_keeps_next(client, make_user):
    make_user("tom", roles.QUALITY_MANAGER)
    url = reverse("web:finding_list")
    page = client.get(url)
    assert page.status_code == 302 and page.url.startswith(reverse("login"))
    assert f'value="{url}"' in client.get(page.url).content.decode()
    resp = client.post(reverse("login"), {"username": "tom", "password": PASSWORD, "next": url})
    assert resp.url == url


def test_logout_is_a_post(client_as, make_user):
    client = client_as(make_user("bob", roles.CALIBRATOR))
    html = client.get(reverse("web:home")).content.decode()
    assert re.search(r'<form method="post" action="/logout/"', html)
    resp = client.post(reverse("logout"))
    assert resp.status_code == 302
    assert client.get(reverse("web:home")).status_code == 302


def nav_urls(client):
    html = client.get(reverse("web:home")).content.decode()
    nav = re.search(r'<nav class="sidebar".*?</nav>', html, re.S).group(0)
    return set(re.findall(r'href="([^"]+)"', nav))


RESOURCES = ("org:agency", "org:scope_item_list", "methods:method_list", "equipment:list")


ORDERS = ("orders:list", "orders:scan")  # every staff role finds orders and scans labels


def test_navigation_differs_by_role(client_as, make_user, make_customer):
    customer, quality, calibrator, reception = (
        make_customer("cust"), make_user("q", roles.QUALITY_MANAGER), make_user("c", roles.CALIBRATOR),
        make_user("r", roles.RECEPTION))
    expected = {
        customer: {"web:home", "web:my_organisation", "certificates:list", "portal:home"},
        quality: {"web:home", "web:customer_list", "web:finding_list", "web:rule_list", *RESOURCES,
                  "people:person_list", "calibration:record_list", "certificates:list", *ORDERS,
                  "portal:staff_requests"},
        calibrator: {"web:home", "web:rule_list", *RESOURCES, "calibration:record_list", "certificates:list",
                     "calibration:job_queue", *ORDERS},
        reception: {"web:home", "web:customer_list", "web:rule_list", "web:data_index", *RESOURCES,
                    "certificates:list", "calibration:job_queue", "orders:queue", *ORDERS},
    }
    for user, names in expected.items():
        assert nav_urls(client_as(user)) == {reverse(n) for n in names}, user.username


def test_every_navigation_entry_resolves():
    for name, _label, _roles in NAVIGATION:
        reverse(name)


def test_header_names_user_and_roles(client_as, make_user):
    client = client_as(make_user("wang", roles.QUALITY_MANAGER, roles.LAB_MANAGER, first_name="明", last_name="王"))
    html = client.get(reverse("web:home")).content.decode()
    assert "王 明" in html or "明 王" in html
    assert "质量负责人" in html and "实验室主任" in html


def test_active_section_is_marked(client_as, quality_manager, make_finding):
    client = client_as(quality_manager)
    finding = make_finding()
    html = client.get(reverse("web:finding_detail", args=[finding.pk])).content.decode()
    assert f'href="{reverse("web:finding_list")}" class="is-active" aria-current="page"' in html


EXTERNAL_URL = re.compile(r"""(?:src|href|action)\s*=\s*["']?(?:https?:)?//""", re.I)


def test_pages_load_no_external_assets(client_as, client, make_user, make_customer, make_finding):
    pages = [(None, reverse("login"))]
    qm = make_user("qm2", roles.QUALITY_MANAGER, roles.RECEPTION)
    finding = make_finding()
    cust = make_customer("cu")
    for url in [reverse("web:home"), reverse("web:customer_list"), reverse("web:finding_list"),
                reverse("web:finding_detail", args=[finding.pk]), reverse("web:rule_list")]:
        pages.append((qm, url))
    pages.append((cust, reverse("web:my_organisation")))
    assets = set()
    for user, url in pages:
        if user is not None:
            client.force_login(user)
        html = client.get(url).content.decode()
        assert not EXTERNAL_URL.search(html), url
        assert "http://" not in html and "https://" not in html, url
        assets |= set(re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html))
    assert any("htmx" in a for a in assets)
    for asset in assets:
        resp = client.get(asset)
        assert resp.status_code == 200, asset
        body = b"".join(resp.streaming_content) if resp.streaming else resp.content
        assert body, asset


def test_stylesheet_uses_system_cjk_fonts_only(client):
    resp = client.get("/static/web/caltrace.css")
    css = b"".join(resp.streaming_content).decode()
    assert "Noto Sans CJK SC" in css and "Microsoft YaHei" in css and "PingFang SC" in css
    assert "@import" not in css and "url(" not in css and "@font-face" not in css


def test_not_found_page_uses_the_shell(client_as, make_user, settings):
    settings.DEBUG = False
    client = client_as(make_user("n", roles.CALIBRATOR))
    resp = client.get("/no-such-page/")
    assert resp.status_code == 404
    assert "页面不存在" in resp.content.decode()


SITE_LANGUAGE_MIDDLEWARE = "caltrace.web.middleware.SiteLanguageMiddleware"


@pytest.fixture
def site_language(settings):
    if SITE_LANGUAGE_MIDDLEWARE not in settings.MIDDLEWARE:
        at = settings.MIDDLEWARE.index("django.middleware.locale.LocaleMiddleware") + 1
        settings.MIDDLEWARE = [*settings.MIDDLEWARE[:at], SITE_LANGUAGE_MIDDLEWARE, *settings.MIDDLEWARE[at:]]


def test_site_language_ignores_the_browser_until_the_user_chooses(client, site_language):
    html = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="zh-hans">' in html
    switch_language(client, "en")
    html = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert '<html lang="en">' in html
    client.cookies["django_language"] = "fr"
    assert '<html lang="zh-hans">' in client.get(reverse("login")).content.decode()
