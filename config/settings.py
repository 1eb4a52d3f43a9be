"""Settings for the evidence portal, read from environment variables.

With no configuration the site runs for development on a SQLite file in the project.
Production sets DJANGO_DEBUG=false, DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS and
DATABASE_URL; a bad value stops the start with a message naming the variable.
"""

import datetime
import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
import drf_spectacular_sidecar
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.http.request import validate_host
from whitenoise.compress import Compressor

BASE_DIR = Path(__file__).resolve().parent.parent

DEVELOPMENT_SECRET_KEY = "django-insecure-development-key-never-use-in-production"


def envbool(name: str, default: str) -> bool:
    """Read a yes/no variable, refusing anything that is not clearly one or the other."""
    value = os.environ.get(name, default).strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def envlist(name: str, default: str) -> list[str]:
    """Read a comma-separated variable into a list, dropping blanks."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def envfloat(name: str, default: str) -> float:
    """Read a number variable, such as a number of seconds."""
    value = os.environ.get(name, default)
    try:
        return float(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, not {value!r}.") from None


def envint(name: str, default: str) -> int:
    """Read a whole-number variable."""
    value = os.environ.get(name, default)
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None


DEBUG = envbool("DJANGO_DEBUG", "true")

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", DEVELOPMENT_SECRET_KEY)
if not DEBUG and (SECRET_KEY == DEVELOPMENT_SECRET_KEY or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY must be set to a random value of at least 50 characters "
        "when DJANGO_DEBUG is off."
    )

ALLOWED_HOSTS = envlist("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must name the site's host names.")

# The site's own address, for the full links in pages, feeds, sitemaps and robots.txt:
# never the Host a request names, which would be kept in cached pages for everyone.
SITE_URL = os.environ.get(
    "DJANGO_SITE_URL", "http://127.0.0.1:8000" if DEBUG else f"https://{ALLOWED_HOSTS[0]}"
).rstrip("/")
if urlsplit(SITE_URL).scheme not in ("http", "https") or not validate_host(
    urlsplit(SITE_URL).hostname or "", ALLOWED_HOSTS if not DEBUG else ["*"]
):
    raise ImproperlyConfigured(
        "DJANGO_SITE_URL must be the site's address, such as https://evidence.example.org, "
        f"on a host DJANGO_ALLOWED_HOSTS names, not {SITE_URL!r}."
    )

CSRF_TRUSTED_ORIGINS = envlist("DJANGO_CSRF_TRUSTED_ORIGINS", "")
for origin in CSRF_TRUSTED_ORIGINS:
    if not origin.startswith(("http://", "https://")):
        raise ImproperlyConfigured(
            f"DJANGO_CSRF_TRUSTED_ORIGINS entries must start with https://, not {origin!r}."
        )

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    # Index expressions with operator classes (the guidebook text filter's trigram indexes).
    "django.contrib.postgres",
    "django_filters",
    "taggit",
    "simple_history",
    "nested_admin",
    "axes",
    "rest_framework",
    "drf_spectacular",
    "corsheaders",
    "core",
    "ratings",
    "catalogue",
    "projects",
    "feedback",
    "editors",
    "portal",
    "api",
]

MIDDLEWARE = [
    # /healthz and /readyz, answered before anything else looks at the request.
    "core.health.HealthCheckMiddleware",
    # CORS headers for /api/ and /data/, on every answer there, cached and 304 ones too:
    # above every middleware that may answer by itself, as django-cors-headers asks.
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Security headers for every response, cached pages and static files included.
    "core.policy.ContentSecurityPolicyMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # ETags, and 304 answers to a revisit whose page has not changed.
    "django.middleware.http.ConditionalGetMiddleware",
    # Anonymous visitors' pages come from the cache, before sessions are looked at.
    "core.cache.PublicPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A change the cache cannot be told of is refused with a page saying nothing was saved.
    "core.cache.RefusedChangeMiddleware",
    # Records which editor made each change in the history.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Throttles repeated failed logins; it must come last.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                # Says so on every public page while demonstration records are present.
                "portal.demo.demo_banner",
            ],
        },
    },
]

try:
    DATABASES = {
        "default": dj_database_url.parse(
            os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
            # Reuse connections between requests: opening one costs more than most pages.
            conn_max_age=envint("DJANGO_CONN_MAX_AGE", "60"),
            conn_health_checks=True,
            # Behind a pooler in transaction mode (PgBouncer's pool_mode = transaction),
            # where each transaction may use another server connection: no server-side
            # cursors, and no statements prepared once a connection (core.folding).
            disable_server_side_cursors=envbool("DJANGO_DATABASE_TRANSACTION_POOLING", "false"),
        )
    }
except ValueError as error:
    raise ImproperlyConfigured(f"DATABASE_URL is not a database URL we can use: {error}") from None

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The guidebook's sort indexes carry extra columns on PostgreSQL, the production database;
# SQLite, for development, builds them without.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL and not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured(f"REDIS_URL must start with redis://, not {REDIS_URL!r}.")
# How long a public page stays in the cache; an editor's change empties it at once.
PAGE_CACHE_SECONDS = envint("DJANGO_PAGE_CACHE_SECONDS", "86400" if REDIS_URL else "30")
# A Redis that answers slowly or not at all costs a page this long at most, and is then
# left alone for a few seconds while pages are made afresh.
REDIS_TIMEOUT_SECONDS = envfloat("DJANGO_REDIS_TIMEOUT", "0.25")
REDIS_RETRY_SECONDS = envfloat("DJANGO_REDIS_RETRY_SECONDS", "5")


def redis_cache(location: str) -> dict:
    """The shared cache's settings for the Redis at location."""
    return {
        "BACKEND": "core.cache.RedisCache",
        "LOCATION": location,
        "OPTIONS": {
            "socket_connect_timeout": REDIS_TIMEOUT_SECONDS,
            "socket_timeout": REDIS_TIMEOUT_SECONDS,
            "pause_after_failure": REDIS_RETRY_SECONDS,
        },
    }


CACHES = {
    "default": redis_cache(REDIS_URL)
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}
if envbool("DJANGO_CACHE_DISABLED", "false"):
    # Pages as they cost without the cache: the benchmark's "uncached" figures.
    CACHES["default"] = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# How many reverse proxies in front of gunicorn append to X-Forwarded-For: 1 behind the
# nginx of deploy/, 2 with a load balancer in front of that. The visitor's address is read
# from there (core.clients), for login throttling and the limits on costly requests.
PROXY_COUNT = envint("DJANGO_PROXY_COUNT", "0")
if PROXY_COUNT < 0:
    raise ImproperlyConfigured(f"DJANGO_PROXY_COUNT cannot be negative, not {PROXY_COUNT}.")

# What one visitor's address may ask of the costliest pages, before a 429: whole-guidebook
# downloads a minute and at once, and site searches a minute (cached pages are not counted).
EXPORTS_PER_MINUTE = envint("DJANGO_EXPORTS_PER_MINUTE", "10")
EXPORTS_AT_ONCE = envint("DJANGO_EXPORTS_AT_ONCE", "1")
SEARCHES_PER_MINUTE = envint("DJANGO_SEARCHES_PER_MINUTE", "30")
# Readers' reports, suggestions and evidence (feedback/) one address may send an hour:
# more than a person writes, fewer than a flood.
FEEDBACK_PER_HOUR = envint("DJANGO_FEEDBACK_PER_HOUR", "5")
# Password reset e-mails one address may ask for an hour, from the admin's login page.
PASSWORD_RESETS_PER_HOUR = envint("DJANGO_PASSWORD_RESETS_PER_HOUR", "5")

# After five failed logins for one account from one address, that pair waits 15 minutes.
# Locking an account from every address would let anyone lock out its editor.
AXES_FAILURE_LIMIT = envint("DJANGO_LOGIN_FAILURE_LIMIT", "5")
AXES_COOLOFF_TIME = datetime.timedelta(minutes=envint("DJANGO_LOGIN_COOLOFF_MINUTES", "15"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "core.clients.client_ip"
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"django.contrib.auth.password_validation.{name}"}
    for name in (
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    )
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # Swagger UI for /api/v1/docs/, from drf-spectacular-sidecar: that folder alone, not
    # the app's Redoc beside it, which the site does not use and collectstatic would
    # otherwise compress on every deployment.
    (
        "drf_spectacular_sidecar/swagger-ui-dist",
        Path(drf_spectacular_sidecar.__file__).parent
        / "static"
        / "drf_spectacular_sidecar"
        / "swagger-ui-dist",
    ),
]
# Source maps are read by a developer's tools alone: not worth compressing at each deploy.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [
    *Compressor.SKIP_COMPRESS_EXTENSIONS,
    "map",
]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
# Where the bulk downloads of /data/ are built; MEDIA_ROOT/data/ when empty.
DATA_FILES_ROOT = os.environ.get("DJANGO_DATA_FILES_ROOT", "")
# How long one build of them may hold its lock, and how long a request waits for the
# first build while another process makes it.
DATA_FILES_BUILD_SECONDS = envint("DJANGO_DATA_FILES_BUILD_SECONDS", "600")
DATA_FILES_WAIT_SECONDS = envfloat("DJANGO_DATA_FILES_WAIT_SECONDS", "10")
# Uploaded documents up to this size are accepted; larger requests are refused early.
DOCUMENT_MAX_BYTES = 25 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Compressed files with content hashes in their names, cacheable for ever.
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage",
    },
}

# An editor's session ends after a working day, or when the browser closes.
SESSION_COOKIE_AGE = 60 * 60 * 8
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Scripts, styles, images and fonts come from this site only; nothing inline, no eval.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# The site uses none of the browser's powerful features; no page or frame may ask for them.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "publickey-credentials-get",
        "screen-wake-lock",
        "sync-xhr",
        "usb",
        "xr-spatial-tracking",
    )
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

if not DEBUG:
    SECURE_SSL_REDIRECT = envbool("DJANGO_SECURE_SSL_REDIRECT", "true")
    if envbool("DJANGO_BEHIND_TLS_PROXY", "false"):
        # The load balancer ends TLS and says so in this header.
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = envint("DJANGO_HSTS_SECONDS", str(60 * 60 * 24 * 365))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # Cookies go over HTTPS only, unless the site is served as plain HTTP on purpose.
    SESSION_COOKIE_SECURE = SECURE_SSL_REDIRECT
    CSRF_COOKIE_SECURE = SECURE_SSL_REDIRECT

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    # A failed or successful login is not news; a lockout is logged as a warning.
    "loggers": {"axes": {"level": "WARNING"}},
}

# Where the public reports a problem, shown on the accessibility statement.
CONTACT_EMAIL = os.environ.get("DJANGO_CONTACT_EMAIL", "")

# Mail goes out through an SMTP server. In development, with none named, it is printed.
EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG and "DJANGO_EMAIL_HOST" not in os.environ
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = envint("DJANGO_EMAIL_PORT", "25")
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("DJANGO_EMAIL_USE_TLS", "false")
# A mail server that does not answer must not hold a reader's request for long; the
# report is stored first and its mail retried (send_feedback_mail).
EMAIL_TIMEOUT = envint("DJANGO_EMAIL_TIMEOUT", "5")
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_FROM_EMAIL", "evidence-portal@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where readers' reports, suggestions and evidence are sent; none is sent while unset.
FEEDBACK_EMAIL = os.environ.get("DJANGO_FEEDBACK_EMAIL", "")
# Readers' e-mail addresses are removed from their reports after this many days
# (forget_reader_addresses, run daily); the privacy notice says so.
READER_ADDRESS_RETENTION_DAYS = envint("DJANGO_READER_ADDRESS_RETENTION_DAYS", "90")

PROJECTS_PER_PAGE = 20

# The JSON API (api/): read-only and anonymous, JSON only. The guidebook has a `format`
# parameter of its own, so DRF's is off; sessions are not read, so staff see what all see.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_THROTTLE_CLASSES": [],
    "UNAUTHENTICATED_USER": None,
    "URL_FORMAT_OVERRIDE": None,
    "COERCE_DECIMAL_TO_STRING": False,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Evidence portal API",
    "VERSION": "1",
    "DESCRIPTION": (
        "The portal's research projects and its guidebook of interventions, with the studies, "
        "findings and child outcomes behind each rating, as read-only JSON.\n\n"
        "Every record has an `id`, a stable number that never changes and is never reused, "
        "even when its slug (its page's address) changes. Only published records are "
        "served. Lists page by an opaque `cursor`: follow each page's `next` link.\n\n"
        "The content is published under the Open Government Licence v3.0 "
        "(https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/)."
    ),
    "LICENSE": {
        "name": "Open Government Licence v3.0",
        "url": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
    },
    "SERVE_INCLUDE_SCHEMA": False,
    # The code's docstrings say why, for its readers; the document is written for clients.
    "DISABLE_DOCSTRING_DESCRIPTIONS": True,
    "SERVERS": [{"url": SITE_URL}],
    # Schemathesis and clients read `nullable`, `enum` and the rest as OpenAPI 3.0 says.
    "OAS_VERSION": "3.0.3",
    "COMPONENT_NO_READ_ONLY_REQUIRED": False,
    "ENUM_NAME_OVERRIDES": {},
}
# Any site may read the API and the downloads from a browser; nothing there needs cookies.
CORS_ALLOW_ALL_ORIGINS = True
CORS_URLS_REGEX = r"^/(api|data)/"
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_EXPOSE_HEADERS = ["ETag", "Retry-After"]
# Moving the admin off its well-known address turns away most automated login attempts.
ADMIN_URL = os.environ.get("DJANGO_ADMIN_URL", "admin/")
if not ADMIN_URL.endswith("/") or ADMIN_URL.startswith("/"):
    raise ImproperlyConfigured(
        f"DJANGO_ADMIN_URL must be a path like editors/ (no leading slash), not {ADMIN_URL!r}."
    )
FIXTURE_DIRS = [BASE_DIR / "fixtures"]
INTERVENTIONS_PER_PAGE = 20
