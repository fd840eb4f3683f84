"""Django settings, read from the environment.

CALTRACE_DATA_DIR  where the SQLite file, uploaded evidence, generated documents and keys live
                   (default: the per-user data directory, e.g. ~/.local/share/caltrace).
DATABASE_URL       sqlite:///… (default: db.sqlite3 in the data directory) or postgres://…
CALTRACE_SECRET_KEY, CALTRACE_DEBUG, CALTRACE_ALLOWED_HOSTS, CALTRACE_REDIS_URL
"""

import os
from pathlib import Path

import dj_database_url
import platformdirs
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent

DATA_DIR = Path(
    os.environ.get("CALTRACE_DATA_DIR") or platformdirs.user_data_dir("caltrace", appauthor=False)
).expanduser()
DATA_DIR.mkdir(parents=True, exist_ok=True)
KEY_DIR = DATA_DIR / "keys"


def _secret_key() -> str:
    """A per-installation secret kept in the data directory, made on first start."""
    if os.environ.get("CALTRACE_SECRET_KEY"):
        return os.environ["CALTRACE_SECRET_KEY"]
    path = DATA_DIR / "secret_key"
    if not path.exists():
        import secrets

        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("CALTRACE_DEBUG", "") == "1"
ALLOWED_HOSTS = os.environ.get("CALTRACE_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "huey.contrib.djhuey",
    "caltrace.core",
    "caltrace.integrity",
    "caltrace.org",
    "caltrace.people",
    "caltrace.methods",
    "caltrace.equipment",
    "caltrace.customers",
    "caltrace.orders",
    "caltrace.calibration",
    "caltrace.certificates",
    "caltrace.api",
    "caltrace.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "caltrace.web.middleware.SiteLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "caltrace.core.middleware.AuditActorMiddleware",
    "caltrace.web.middleware.RuleViolationMiddleware",
]

ROOT_URLCONF = "caltrace.urls"
WSGI_APPLICATION = "caltrace.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "caltrace.web.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CALTRACE_CONN_MAX_AGE", "0")),
    )
}
if os.environ.get("CALTRACE_TEST_DB_NAME"):
    # Lets parallel test runs on one PostgreSQL server use separate test databases.
    DATABASES["default"]["TEST"] = {"NAME": os.environ["CALTRACE_TEST_DB_NAME"]}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the single writer; IMMEDIATE takes the write lock at BEGIN,
    # so two writers queue instead of failing half-way with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("CALTRACE_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "media/"
DOCUMENTS_DIR = DATA_DIR / "documents"

EMAIL_BACKEND = os.environ.get("CALTRACE_EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = DATA_DIR / "mail"
DEFAULT_FROM_EMAIL = os.environ.get("CALTRACE_FROM_EMAIL", "noreply@caltrace.local")

# Background work: SQLite-backed huey by default, Redis when CALTRACE_REDIS_URL is set.
_redis_url = os.environ.get("CALTRACE_REDIS_URL")
HUEY = {
    "huey_class": "huey.RedisHuey" if _redis_url else "huey.SqliteHuey",
    "name": "caltrace",
    "immediate": os.environ.get("CALTRACE_TASKS_IMMEDIATE", "") == "1",
    **({"url": _redis_url} if _redis_url else {"filename": str(DATA_DIR / "tasks.sqlite3")}),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("CALTRACE_LOG_LEVEL", "WARNING")},
}

# The address the public reaches this installation at: certificates' QR codes point here.
CALTRACE_BASE_URL = os.environ.get("CALTRACE_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# Lab policy defaults. A policy may tighten these; no setting disables a GATE or the ledger.
CALTRACE = {
    "DUE_SOON_DAYS": int(os.environ.get("CALTRACE_DUE_SOON_DAYS", "30")),
    "INTEGRITY_TRAINING_MONTHS": int(os.environ.get("CALTRACE_INTEGRITY_TRAINING_MONTHS", "12")),
    "METHOD_WITHDRAWAL_WARNING_DAYS": int(os.environ.get("CALTRACE_METHOD_WITHDRAWAL_WARNING_DAYS", "90")),
}
