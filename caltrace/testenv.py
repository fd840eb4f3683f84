"""Loaded by pytest before Django reads its settings (``-p caltrace.testenv`` in pyproject.toml):
tests never touch the user's real data directory, send no real mail and run tasks inline."""

import os
import tempfile

os.environ.setdefault("CALTRACE_DATA_DIR", tempfile.mkdtemp(prefix="caltrace-test-"))
os.environ.setdefault("CALTRACE_EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
os.environ.setdefault("CALTRACE_TASKS_IMMEDIATE", "1")
