"""Loaded by pytest before Django reads its settings (``-p caltrace.testenv`` in pyproject.toml):
tests never touch the user's real data directory, send no real mail and run tasks inline.

Every test process gets a fresh data directory of its own, whatever CALTRACE_DATA_DIR says:
xdist workers run side by side and must not write the same certificate or key files.
"""

import os
import tempfile

_worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
os.environ["CALTRACE_DATA_DIR"] = tempfile.mkdtemp(prefix=f"caltrace-test-{_worker}-")
os.environ.setdefault("CALTRACE_EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
os.environ.setdefault("CALTRACE_TASKS_IMMEDIATE", "1")
