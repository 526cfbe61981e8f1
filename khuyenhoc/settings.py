"""Settings for khuyenhoc, read from the environment with safe development defaults."""

import base64
import hashlib
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_HASHES
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [v.strip() for v in os.environ.get(name, default).split(",") if v.strip()]


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, str(default)))


def csp_hash(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode()).digest()).decode() + "'"


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise RuntimeError("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-khuyenhoc-do-not-use-in-production"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "mptt",
    "simple_history",
    "csp",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "django_rq",
    "associations",
    "funds",
    "reports",
    "khuyenhoc",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "khuyenhoc.middleware.VietnameseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "khuyenhoc.middleware.SignedInNoStoreMiddleware",
    "khuyenhoc.middleware.IdleTimeoutMiddleware",
    "khuyenhoc.middleware.TemporaryPasswordMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "khuyenhoc.urls"
WSGI_APPLICATION = "khuyenhoc.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
            "builtins": ["khuyenhoc.templatetags.vnformat"],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The demo's one database file is shared by the server and the task worker: with WAL, pages are
    # read while an import's transaction writes, and a writer waits for the other's commit (up to
    # 20 s, an import's confirmation) instead of failing with "database is locked" after 5 s.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The totals' statements join the tree to itself, so PostgreSQL estimates them costly enough to
    # JIT-compile them: 0,2-1 s of compilation a statement on the national tree, for reads that run
    # in tens of milliseconds without it (issue 16). A DBA may turn it back on in the URL's options.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


def cache_from_url(url: str) -> dict:
    """CACHE_URL: locmem:// (each process its own), db://table (`manage.py createcachetable` first),
    redis://host:port/db (shared by every application server), dummy:// (none)."""
    scheme, _sep, rest = url.partition("://")
    if scheme in ("redis", "rediss", "unix"):
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    if scheme == "db":
        return {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": rest or "khuyenhoc_cache",
        }
    if scheme == "dummy":
        return {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    if scheme == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": rest or "khuyenhoc"}
    raise ValueError(f"CACHE_URL: unknown scheme {scheme!r}")


def source_digest() -> str:
    """A digest of the project's Python code, read once at start-up."""
    digest = hashlib.sha256()
    for path in sorted(BASE_DIR.glob("[!.]*/**/*.py")):
        if ".venv" not in path.parts and "node_modules" not in path.parts:
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


# Computed figures (rankings, report documents) are cached under the data version that every write
# bumps (associations/data_version.py), so any backend serves fresh figures; Redis shares them. The
# prefix is the code's digest: a release starts with its own entries in a shared cache, and never
# unpickles what older code (another Totals, another catalogue) stored.
CACHES = {"default": cache_from_url(os.environ.get("CACHE_URL", "locmem://"))}
CACHES["default"]["KEY_PREFIX"] = source_digest()

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Axes' backend comes first: it refuses a locked-out username before the password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Login throttling (django-axes): after LOGIN_FAILURE_LIMIT wrong passwords for one username, that
# username is refused, even with the right password, for LOGIN_LOCKOUT_MINUTES after the last
# failure. Locking by username rather than by address: behind the proxy every client shares one
# REMOTE_ADDR, and a locked address would lock the whole site.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username"]
# axes.W006 warns that a lock without the address can be dodged by rotating User-Agents; not so for
# a username lock, whose failures axes sums over every address and agent.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "locked_out.html"
# The failures log names the username and address tried; that is what the log is for.
AXES_SENSITIVE_PARAMETERS = []

# Signed out after SESSION_IDLE_MINUTES without a request (sliding; see IdleTimeoutMiddleware),
# and when the browser closes.
SESSION_COOKIE_AGE = 60 * env_int("SESSION_IDLE_MINUTES", 30)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Mail is optional: without EMAIL_HOST the self-service "forgot password" form is switched off and
# a reviewer issues reset links by hand (shown on screen, passed on by phone or chat).
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "khuyenhoc@localhost")
PASSWORD_RESET_BY_EMAIL = bool(EMAIL_HOST)
# How long a reset link (mailed, or issued by a reviewer) stays valid; it also dies once used.
PASSWORD_RESET_TIMEOUT = 60 * 60 * env_int("PASSWORD_RESET_HOURS", 72)

# Vietnamese whatever the browser sends; English only when chosen with the switch.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["khuyenhoc.formats"]
# Grouping is applied explicitly by the |dong and |number filters, not to every integer in a
# template, so that years and ids never print as "2.022".
USE_THOUSAND_SEPARATOR = False

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# In development whitenoise serves straight from static/ without collectstatic.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
STATICFILES_DIRS = [BASE_DIR / "static"]
# Issued reports (their PDFs) are written through the storage API ("default" below, under MEDIA_ROOT);
# several application servers need shared or object storage here (e.g. django-storages' S3 backend).
MEDIA_URL = "media/"  # not served: files go out through views that check who may read them
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Uploaded spreadsheets are read in memory; the import page states this limit.
IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", str(5 * 1024 * 1024)))
# Where an uploaded spreadsheet waits for the import's tasks (private, 0700); MEDIA_ROOT/imports when
# empty. Several application servers and workers need a shared directory here, or a shared storage
# configured as STORAGES["imports"] (S3 through django-storages, say), which then takes its place.
IMPORT_STASH_DIR = os.environ.get("IMPORT_STASH_DIR", "")
DATA_UPLOAD_MAX_MEMORY_SIZE = IMPORT_MAX_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = IMPORT_MAX_BYTES + 1024 * 1024
# Files the portal keeps (issued reports), through Django's storage API; never served directly.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Background work (DEP 14 through the django-tasks backport): imports run as tasks that report their
# progress. TASKS_BACKEND picks the backend:
# - "database" (default): django-tasks-db keeps the queue in the configured database (SQLite or
#   PostgreSQL); run `manage.py db_worker` beside the web server (`make run` does).
# - "rq": RQ on Redis at REDIS_URL (django-tasks-rq), for several workers on several machines; run
#   `manage.py rqworker default` (django-rq) as the worker.
# - "immediate": runs each task inside the request that enqueues it (the test suite's default).
TASKS_BACKEND = os.environ.get("TASKS_BACKEND", "database").strip().lower()
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "rq": "django_tasks_rq.RQBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
if TASKS_BACKEND not in _TASK_BACKENDS:
    raise ImproperlyConfigured(f"TASKS_BACKEND must be one of {', '.join(_TASK_BACKENDS)}.")
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[TASKS_BACKEND], "QUEUES": ["default"]}}
RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 3600}}
# A job still queued or running with no news for this long lost its worker: its page says so.
JOB_STALE_AFTER = timedelta(minutes=int(os.environ.get("JOB_STALE_AFTER_MINUTES", "15")))
# Jobs (imports, exports, reports) are forgotten this long after their last news, when a new one starts.
JOB_KEEP = timedelta(days=int(os.environ.get("JOB_KEEP_DAYS", "30")))
# Exports covering more associations than this are built by a task (with a progress bar) rather
# than in the request. Built files wait a day in STORAGES["jobs"], or in JOBS_DIR (MEDIA_ROOT/jobs).
EXPORT_INLINE_MAX_ROWS = int(os.environ.get("EXPORT_INLINE_MAX_ROWS", "1000"))
JOBS_DIR = os.environ.get("JOBS_DIR", "")

# Where `manage.py backup` writes when given no path.
BACKUP_DIR = Path(os.environ.get("BACKUP_DIR", BASE_DIR / "backups"))

SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "khuyenhoc.errors.csrf_failure"

# No inline script or style anywhere (tests/khuyenhoc/test_headers.py checks the templates):
# pages load their JavaScript and CSS from /static/ only.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # django-mptt's admin indents the tree with style="text-indent:Npx" (20 px a level, five
        # tiers); these five exact values keep it readable, and no other style attribute applies.
        "style-src-attr": [UNSAFE_HASHES, *(csp_hash(f"text-indent:{20 * level}px") for level in range(5))],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}
# The portal uses none of these browser features; no page or embedded frame may ask for them.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "usb",
        "xr-spatial-tracking",
    )
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # WeasyPrint and fontTools narrate every rendering step at INFO.
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # Failed logins and lockouts (django-axes), whatever LOG_LEVEL says.
        "axes": {"level": "INFO"},
        # Passwords set and reset links issued by reviewers.
        "khuyenhoc.accounts": {"level": "INFO"},
    },
}
