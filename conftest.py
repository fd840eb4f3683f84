"""Test-wide setup: a throw-away data directory, and helpers shared by every app's tests."""

import os
import tempfile

# Before Django reads its settings: never touch the user's real data directory.
os.environ.setdefault("CALTRACE_DATA_DIR", tempfile.mkdtemp(prefix="caltrace-test-"))
os.environ.setdefault("CALTRACE_EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
os.environ.setdefault("CALTRACE_TASKS_IMMEDIATE", "1")
