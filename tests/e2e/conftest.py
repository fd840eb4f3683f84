"""End-to-end browser tests: Playwright driving Debian's Chromium (/usr/bin/chromium) headless
against a live server the test starts (pytest-django's ``live_server``, on the test database).

The tests commit (the live server runs in another thread with its own connection), so they use
the ``committed`` fixture that clears the append-only ledger before pytest-django's flush.
"""

import os
import shutil

import pytest

from caltrace.core.tests.conftest import committed, ledger_unguarded  # noqa: F401  (fixtures)

CHROMIUM = os.environ.get("CALTRACE_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="module")
def browser():
    """Chromium for one test module. Not session-wide: Playwright's sync API keeps an event loop
    running in the thread while it is open, and later tests on the same worker (pyHanko's
    asyncio.run, Django's async guard) must not find it there."""
    if not shutil.which(CHROMIUM):
        if os.environ.get("CI") == "true":
            pytest.fail(f"Chromium is missing at {CHROMIUM}: scripts/system-packages --test installs it")
        pytest.skip(f"no Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    # While Playwright's event loop runs in the test thread, the test's own ORM calls are still
    # plain synchronous code: Django's async-context guard is lifted for these tests only.
    guard = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        yield from _chromium(sync_playwright)
    finally:
        if guard is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = guard


def _chromium(sync_playwright):
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                    args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_server, settings):
    """new_page() -> a page in a fresh browser context (its own cookies), base URL the live server."""
    settings.CALTRACE_BASE_URL = live_server.url
    contexts = []

    def make():
        context = browser.new_context(base_url=live_server.url, accept_downloads=True, locale="zh-CN")
        context.set_default_timeout(20_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for c in contexts:
        c.close()
