"""Web middleware: refused actions as readable pages; the site language as the default."""

from django.conf import settings
from django.shortcuts import render
from django.utils import translation
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from caltrace.core.workflows import TransitionError
from caltrace.integrity.registry import RuleViolation


def _back_url(request) -> str:
    """Where "back" leads: the page the user came from when it is ours, else the dashboard."""
    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()},
                                                   require_https=request.is_secure()):
        return referer
    return reverse("web:home")


class RuleViolationMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, RuleViolation):
            ctx = {"violations": exception.violations}
        elif isinstance(exception, TransitionError):
            ctx = {"transition_error": exception}
        else:
            return None
        ctx["back_url"] = _back_url(request)
        return render(request, "web/refused.html", ctx, status=409)


class SiteLanguageMiddleware:
    """The UI speaks the language chosen with the language switch, else the site's LANGUAGE_CODE
    (Chinese), whatever language the browser asks for in Accept-Language.

    Django's LocaleMiddleware alone would answer an English-configured browser in English; a lab
    wants its own language until a user chooses otherwise. Goes right after LocaleMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = settings.LANGUAGE_CODE
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if chosen:
            try:
                language = translation.get_supported_language_variant(chosen)
            except LookupError:
                pass
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        try:
            return self.get_response(request)
        finally:
            # The thread goes back to the site's language (LocaleMiddleware, before this one, has
            # also activated the request's): whatever runs next on this thread, another request,
            # a task or a test, must not keep this user's language.
            translation.deactivate()
