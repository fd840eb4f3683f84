# Sourced by the scripts: makes .venv with Python 3.11 if it is missing.
VENV="${CALTRACE_VENV:-.venv}"
if [ ! -x "$VENV/bin/python" ]; then
  PY="$(command -v python3.11 || command -v python3)"
  "$PY" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else 1)' \
    || { echo "caltrace needs Python 3.11 (found $("$PY" --version 2>&1))" >&2; exit 2; }
  "$PY" -m venv "$VENV"
fi
