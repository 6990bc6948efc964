"""AutoDevOS settings: everything that differs between machines comes from the environment."""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# ENV_FILE points elsewhere (or at /dev/null) when the checkout's .env must not apply.
environ.Env.read_env(env.str("ENV_FILE", default=str(BASE_DIR / ".env")))

DEBUG = env.bool("DEBUG", default=False)
# A development key only when DEBUG is on; production must set SECRET_KEY.
SECRET_KEY = env("SECRET_KEY", default="dev-insecure-key-only-for-debug" if DEBUG else environ.Env.NOTSET)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_q",
    "axes",
    "projects",
    "orchestration",
    "agents",
]

MIDDLEWARE = [
    # First, so that its span covers the whole request (autodevos_site.traces).
    "autodevos_site.traces.RequestSpanMiddleware",
    # Next, so that the latency it records covers every other middleware (autodevos_site.metrics_middleware).
    "autodevos_site.metrics_middleware.RequestLatencyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out log-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "autodevos_site.urls"
WSGI_APPLICATION = "autodevos_site.wsgi.application"

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
                "projects.context_processors.project_creation",
            ],
        },
    },
]

DATA_DIR = Path(env.str("DATA_DIR", default="") or BASE_DIR / "data")
DATA_DIR.mkdir(parents=True, exist_ok=True)

DATABASE_URL = env.str("DATABASE_URL", default="") or f"sqlite:///{DATA_DIR / 'autodevos.sqlite3'}"
DATABASES = {"default": environ.Env.db_url_config(DATABASE_URL)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent workers share one file: WAL lets readers run beside the writer, the busy
    # timeout waits instead of failing, and IMMEDIATE takes the write lock at BEGIN so two
    # transactions never deadlock upgrading from a read lock.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;",
    }
    # A test run gets its own file (not :memory:) so that worker processes can share it.
    # TEST_DB_SUFFIX keeps concurrent test sessions on one machine apart.
    DATABASES["default"]["TEST"] = {
        "NAME": str(DATA_DIR / f"test_autodevos{env.str('TEST_DB_SUFFIX', default='')}.sqlite3")
    }
else:
    DATABASES["default"]["TEST"] = {"NAME": f"test_autodevos{env.str('TEST_DB_SUFFIX', default='')}"}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Every task hand-over commits a few small transactions; waiting for each WAL flush
        # doubled a task's overhead. A server crash can then lose the last few commits, which
        # the executor survives: an unconfirmed success is re-run once its lease expires.
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
            f"-c synchronous_commit={env.str('PG_SYNCHRONOUS_COMMIT', default='off')}"
        )
        # Every task attempt runs the same dozen statements, and planning them afresh each time was
        # most of PostgreSQL's work per task (bench/throughput.py). With server-side binding, psycopg
        # prepares a statement once a connection has run it 5 times. A connection pooler in
        # transaction mode that cannot keep prepared statements (PgBouncer before 1.21) needs
        # PG_PREPARED_STATEMENTS=false.
        if env.bool("PG_PREPARED_STATEMENTS", default=True):
            DATABASES["default"]["OPTIONS"] |= {"server_side_binding": True, "prepare_threshold": 5}
# django-q2 talks to the database on every poll; reconnecting each time dominated its cost.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Log-in throttling (django-axes): after LOGIN_FAILURE_LIMIT wrong passwords for one user name, or
# from one client address, log-ins from there are refused for LOGIN_LOCKOUT_MINUTES; staff unlock
# by deleting the entry under Axes → Access attempts in the admin.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
# Each on its own: one user name tried from many addresses, and many user names tried from one.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Otherwise every manage.py command and worker process prints an "AXES: BEGIN" banner.
AXES_VERBOSE = False

LANGUAGE_CODE = "en-us"
TIME_ZONE = env("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("STATIC_ROOT", default="") or BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG and env.bool("STATIC_MANIFEST", default=True)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "projects:list"
LOGOUT_REDIRECT_URL = "login"

# Security: secure by default, relaxed only where DEBUG is on or a proxy terminates TLS.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# Health checks come over plain HTTP from inside the deployment (compose, a load balancer's probe).
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
if env.bool("USE_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Scripts and styles come only from our own static files: no inline script or style attribute is
# allowed, so markup that slipped into a page cannot run code or restyle it.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# Nothing here needs the camera, microphone, location or payments: the browser refuses them all.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
}

# "text": lines for people (make run); "json": one JSON object a line, for a log collector. Both carry the
# ids of the run, task, attempt, agent, project and team a line is about, and no configured secret
# (autodevos_site.logs).
LOG_FORMAT = env.str("LOG_FORMAT", default="text")
if LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be text or json, not {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "secrets": {"()": "autodevos_site.logs.RedactSecrets"},
        "ids": {"()": "autodevos_site.logs.ContextIds"},
    },
    "formatters": {
        "text": {"()": "autodevos_site.logs.TextFormatter"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["secrets", "ids"]}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # httpx logs every request URL; keep it quiet so nothing secret-looking reaches logs.
    "loggers": {"httpx": {"level": "WARNING"}, "httpx2": {"level": "WARNING"}},
}

# Traces (OpenTelemetry, autodevos_site.traces): sent over OTLP/HTTP to this collector's address
# (e.g. http://127.0.0.1:4318) when set; off when not. The exporter also reads OTEL_EXPORTER_OTLP_HEADERS.
OTEL_EXPORTER_OTLP_ENDPOINT = env.str("OTEL_EXPORTER_OTLP_ENDPOINT", default="")
OTEL_SERVICE_NAME = env.str("OTEL_SERVICE_NAME", default="autodevos")

# Metrics (orchestration.metrics): Prometheus scrapes /metrics with `Authorization: Bearer <METRICS_TOKEN>`;
# empty: only staff, logged in, may read them. The web processes share request latency through the folder
# PROMETHEUS_MULTIPROC_DIR names (read by prometheus_client itself, from the environment, see the README).
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")

# --- Task queue (django-q2) ----------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
Q_WORKERS = env.int("Q_WORKERS", default=4)
Q_CLUSTER = {
    "name": env("Q_CLUSTER_NAME", default="autodevos"),
    "workers": Q_WORKERS,
    # A task's own timeout is enforced by our code; this is the hard ceiling for a worker.
    "timeout": env.int("Q_TIMEOUT", default=900),
    "retry": env.int("Q_RETRY", default=960),
    # Our TaskRun rows hold all state, so successful django-q2 results are not stored at all
    # (-1): pruning them to save_limit rows was the monitor's bottleneck, and keeping every one
    # (0) would grow a row a minute from the recovery schedule alone. Failures are still kept.
    "save_limit": -1,
    "ack_failures": True,
    "max_attempts": 1,
    "catch_up": False,
    "poll": env.float("Q_POLL", default=0.02),
    "label": "Task queue",
    # The queue this process's workers take tasks from: the site's own (its name) unless WORKER_QUEUE
    # names another, e.g. the VERIFY_QUEUE that verify tasks are sent to.
    "cluster_name": env("WORKER_QUEUE", default="") or env("Q_CLUSTER_NAME", default="autodevos"),
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"

# Shared between the web app and the workers: django-q2 publishes each cluster's status
# here, which is how the admin's "Task workers" page sees them.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "autodevos_cache"}
}

# --- Planning and agents ------------------------------------------------------------
# Agent modules loaded besides ours (dotted paths): the tests' probe agent, never a production one.
AGENTS_EXTRA = env.list("AGENTS_EXTRA", default=[])
LLM_PROVIDER = env("LLM_PROVIDER", default="")  # "" picks gemini, then openai, when configured; else offline
GEMINI_API_KEY = env("GEMINI_API_KEY", default="")
GEMINI_MODEL = env("GEMINI_MODEL", default="gemini-2.5-flash")
GEMINI_BASE_URL = env("GEMINI_BASE_URL", default="")
GEMINI_SAFETY_THRESHOLD = env("GEMINI_SAFETY_THRESHOLD", default="BLOCK_MEDIUM_AND_ABOVE")
OPENAI_API_KEY = env("OPENAI_API_KEY", default="")
OPENAI_BASE_URL = env("OPENAI_BASE_URL", default="")
OPENAI_MODEL = env("OPENAI_MODEL", default="llama3.1")
OPENAI_JSON_SCHEMA = env.bool("OPENAI_JSON_SCHEMA", default=True)
LLM_TIMEOUT_S = env.float("LLM_TIMEOUT_S", default=120)
LLM_MAX_RETRIES = env.int("LLM_MAX_RETRIES", default=4)
LLM_BACKOFF_BASE_S = env.float("LLM_BACKOFF_BASE_S", default=1.0)
LLM_BACKOFF_MAX_S = env.float("LLM_BACKOFF_MAX_S", default=60.0)
LLM_MAX_REPAIRS = env.int("LLM_MAX_REPAIRS", default=2)
# The most tokens one answer may have: per model ("llama3.2=4096,gemini-2.5-pro=65536"), else the
# default. An answer cut off there is asked to go on, up to LLM_MAX_CONTINUATIONS times.
LLM_MAX_OUTPUT_TOKENS = env.int("LLM_MAX_OUTPUT_TOKENS", default=8192)
LLM_OUTPUT_LIMITS = {model: int(tokens) for model, tokens in env.dict("LLM_OUTPUT_LIMITS", default={}).items()}
LLM_MAX_CONTINUATIONS = env.int("LLM_MAX_CONTINUATIONS", default=3)
# Stream answers where someone watches them arrive, showing the text so far every this many seconds.
LLM_STREAM = env.bool("LLM_STREAM", default=False)
LLM_STREAM_PROGRESS_S = env.float("LLM_STREAM_PROGRESS_S", default=0.5)
RUN_TOKEN_BUDGET = env.int("RUN_TOKEN_BUDGET", default=400_000)
# Models per agent, e.g. "docs=openai:llama3.2, backend=gemini:gemini-2.5-pro" (agents.providers.routes);
# a project's own routes come first. Checked at start-up.
LLM_ROUTES = env("LLM_ROUTES", default="")
# Tokens assumed for an answer when checking the budget before a call (prompt tokens are counted).
LLM_OUTPUT_TOKEN_ESTIMATE = env.int("LLM_OUTPUT_TOKEN_ESTIMATE", default=4000)
# The model's price in USD per million tokens, for the cost shown on each run (0: not counted).
LLM_PRICE_INPUT_PER_MTOK = env.float("LLM_PRICE_INPUT_PER_MTOK", default=0.0)
LLM_PRICE_OUTPUT_PER_MTOK = env.float("LLM_PRICE_OUTPUT_PER_MTOK", default=0.0)
# How much of each prompt and answer an LLM call row keeps (the full length and a hash are kept too).
LLM_CALL_STORE_MAX_CHARS = env.int("LLM_CALL_STORE_MAX_CHARS", default=256 * 1024)
# Settings whose values (of a URL, its password) are removed from every model answer before it is
# stored, shown or used, in plain and escaped forms (agents.providers.redaction).
SECRET_SETTINGS = [
    "SECRET_KEY",
    "SECRET_KEY_FALLBACKS",
    "GEMINI_API_KEY",
    "OPENAI_API_KEY",
    "GEMINI_BASE_URL",
    "OPENAI_BASE_URL",
    "DATABASE_URL",
    "REDIS_URL",
    "METRICS_TOKEN",
]

# --- Generated projects -------------------------------------------------------------
# Folders searched before the built-in templates: <dir>/<stack>/<template path> replaces that
# template of that stack (<dir>/project/... the README and API reference).
GENERATOR_TEMPLATE_DIRS = env.list("GENERATOR_TEMPLATE_DIRS", default=[])

# --- Execution ----------------------------------------------------------------------
TASK_TIMEOUT_S = env.int("TASK_TIMEOUT_S", default=300)
TASK_MAX_ATTEMPTS = env.int("TASK_MAX_ATTEMPTS", default=3)
TASK_BACKOFF_BASE_S = env.float("TASK_BACKOFF_BASE_S", default=2.0)
TASK_BACKOFF_CAP_S = env.float("TASK_BACKOFF_CAP_S", default=60.0)
TASK_LEASE_S = env.int("TASK_LEASE_S", default=60)
RECOVERY_INTERVAL_S = env.int("RECOVERY_INTERVAL_S", default=10)
QUEUED_STALE_S = env.int("QUEUED_STALE_S", default=30)

# --- Generated output limits (agents.safe_output) ---------------------------------------
# The verify stage (agents/verify.py): builds and tests each run's project in a sandbox.
VERIFY_CHECKS = env.bool("VERIFY_CHECKS", default=True)
VERIFY_SANDBOX = env.str("VERIFY_SANDBOX", default="bwrap")  # bwrap, or none (see VERIFY_UNSANDBOXED_OFFLINE)
# Code no model wrote (the offline generator's) may be checked without a sandbox when there is none.
VERIFY_UNSANDBOXED_OFFLINE = env.bool("VERIFY_UNSANDBOXED_OFFLINE", default=False)
VERIFY_PYTHON = env.str("VERIFY_PYTHON", default="")  # the sandbox's Python; default python3 under /usr
# Under /var/tmp by default, not data/: the sandbox's user must be able to pass through every parent
# folder, which a checkout in a private home or a mktemp folder does not allow.
VERIFY_CACHE_DIR = Path(env.str("VERIFY_CACHE_DIR", default="") or "/var/tmp/autodevos-verify-cache")
VERIFY_MAX_REPAIRS = env.int("VERIFY_MAX_REPAIRS", default=2)
VERIFY_TIMEOUT_S = env.int("VERIFY_TIMEOUT_S", default=1800)  # the verify task's own time limit
VERIFY_STEP_TIMEOUT_S = env.int("VERIFY_STEP_TIMEOUT_S", default=600)  # each check's wall time
VERIFY_MEMORY_MB = env.int("VERIFY_MEMORY_MB", default=4096)  # each check's memory (data segment)
VERIFY_CONTRACT_EXAMPLES = env.int("VERIFY_CONTRACT_EXAMPLES", default=5)
VERIFY_CONTRACT_MAX_S = env.int("VERIFY_CONTRACT_MAX_S", default=10)
# Send verify tasks to their own queue, which only clusters started with WORKER_QUEUE=<that name> take
# (machines with the sandbox and the dependency caches); empty: any worker takes them.
VERIFY_QUEUE = env.str("VERIFY_QUEUE", default="")
VERIFY_OUTPUT_MAX_CHARS = env.int("VERIFY_OUTPUT_MAX_CHARS", default=20_000)  # of each check's output, its end, stored

OUTPUT_MAX_FILE_BYTES = env.int("OUTPUT_MAX_FILE_BYTES", default=512 * 1024)
OUTPUT_MAX_FILES = env.int("OUTPUT_MAX_FILES", default=500)
OUTPUT_MAX_TOTAL_BYTES = env.int("OUTPUT_MAX_TOTAL_BYTES", default=8 * 1024 * 1024)
