"""Shows a refused action (RuleViolation, TransitionError) as a readable page instead of a crash."""

from django.shortcuts import render

from caltrace.core.workflows import TransitionError
from caltrace.integrity.registry import RuleViolation


class RuleViolationMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, RuleViolation):
            return render(request, "web/refused.html", {"violations": exception.violations}, status=409)
        if isinstance(exception, TransitionError):
            return render(request, "web/refused.html", {"transition_error": exception}, status=409)
        return None
