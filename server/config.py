"""Settings: every environment variable the application reads is read here.

``defaults()`` holds the built-in values, ``from_environ()`` turns the process
environment into settings, and ``finalise()`` derives what depends on the
instance folder (the SQLite file, the generated secret key). Tests call
``create_app({...})`` and never touch the environment.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any


class ConfigError(RuntimeError):
    """A setting is missing or malformed; raised at start-up, never later."""


#: Every environment variable, its setting and its meaning (the README's table
#: is written from this list).
ENVIRONMENT: tuple[tuple[str, str, str], ...] = (
    ("ANSIM_ENV", "ENV", "`development` (default) or `production`; production requires SECRET_KEY and secure cookies"),
    ("DATABASE_URL", "SQLALCHEMY_DATABASE_URI", "SQLAlchemy URL; default a SQLite file `ansim.sqlite3` in the instance folder (WAL mode). `postgresql://…` uses psycopg 3"),
    ("SECRET_KEY", "SECRET_KEY", "signs sessions; generated once into `instance/secret_key` in development, required in production"),
    ("REDIS_URL", "REDIS_URL", "optional; when set, rate limits and live updates go through Redis"),
    ("ANSIM_INSTANCE_PATH", "INSTANCE_PATH", "folder for the SQLite file, secrets and uploads (default: Flask's instance folder)"),
    ("ANSIM_TILE_URL", "TILE_URL", "map tile URL template, e.g. `https://tile.openstreetmap.org/{z}/{x}/{y}.png`; empty (default) shows the map without a base layer"),
    ("ANSIM_TILE_ATTRIBUTION", "TILE_ATTRIBUTION", "attribution shown with the tiles"),
    ("ANSIM_DISTRICT_NAME", "DISTRICT_NAME", "the district served (default 성북구)"),
    ("ANSIM_DISTRICT_NAME_EN", "DISTRICT_NAME_EN", "its English name (default Seongbuk-gu)"),
    ("ANSIM_DISTRICT_CODE", "DISTRICT_CODE", "its SIG_CD code (default 11290)"),
    ("ANSIM_MAP_CENTER", "MAP_CENTER", "`lat,lon` where the map opens (default 37.5894,127.0167)"),
    ("ANSIM_MAP_ZOOM", "MAP_ZOOM", "initial map zoom (default 15)"),
    ("ANSIM_MAX_UPLOAD_MB", "MAX_CONTENT_LENGTH", "largest request body in MB (default 10); larger bodies get 413"),
    ("ANSIM_MAX_PHOTO_MB", "MAX_PHOTO_BYTES", "largest photo in MB (default 8)"),
    ("ANSIM_LOGIN_RATE_LIMIT", "LOGIN_RATE_LIMIT", "failed logins allowed per client address and per account (default `5 per minute;20 per hour`)"),
    ("ANSIM_REPORT_RATE_LIMIT", "REPORT_RATE_LIMIT", "reports stored per device (default `30 per hour`); retries of a stored report are free"),
    ("ANSIM_REPORT_ADDRESS_RATE_LIMIT", "REPORT_ADDRESS_RATE_LIMIT", "reports stored per client address (default `120 per hour`); never applied to an SOS"),
    ("ANSIM_SOS_RATE_LIMIT", "SOS_RATE_LIMIT", "SOS stored per device (default `10 per 10 minutes`): a first SOS always passes"),
    ("ANSIM_PROXY_COUNT", "PROXY_COUNT", "number of reverse proxies in front (gunicorn behind nginx: 1) so client addresses are right"),
    ("ANSIM_LOG_LEVEL", "LOG_LEVEL", "logging level (default INFO)"),
    ("ANSIM_VAPID_PRIVATE_KEY", "VAPID_PRIVATE_KEY", "the Web Push VAPID private key (PEM or raw base64url); default: generated once into `instance/vapid_private.pem`"),
    ("ANSIM_VAPID_SUBJECT", "VAPID_SUBJECT", "contact for push services, `mailto:` or `https:` (default `mailto:safety@example.kr`)"),
    ("ANSIM_ALERT_TWO_PERSON", "ALERT_TWO_PERSON_APPROVAL", "`1`: a warning needs a second operator's approval before it is sent (default `0`)"),
    ("ANSIM_ALERT_SENDER", "ALERT_SENDER", "the CAP `sender` of warnings (default `ansim@<district code>.go.kr`)"),
    ("ANSIM_PUSH_SENDER_THREAD", "PUSH_SENDER_THREAD", "`1` (default): each app process sends queued pushes from a thread, started by its first request; `0` when `ansim worker` processes send them"),
    ("ANSIM_PUSH_CONCURRENCY", "PUSH_CONCURRENCY", "pushes in flight at once per sender (default 100)"),
    ("ANSIM_PUSH_MAX_ATTEMPTS", "PUSH_MAX_ATTEMPTS", "tries of one push (5xx, timeouts, 429) before it counts as failed (default 6)"),
    ("ANSIM_PUSH_LEASE_SECONDS", "PUSH_LEASE_SECONDS", "how long pushes claimed by a sender stay its own; those of a sender that died go to another after this (default 60)"),
)


def defaults() -> dict[str, Any]:
    """Built-in settings: a development run needs nothing else."""
    return {
        "ENV": "development",
        "SQLALCHEMY_DATABASE_URI": None,  # filled in by finalise()
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "SECRET_KEY": None,
        "REDIS_URL": None,
        "INSTANCE_PATH": None,
        "TILE_URL": "",
        "TILE_ATTRIBUTION": "© OpenStreetMap contributors",
        "DISTRICT_NAME": "성북구",
        "DISTRICT_NAME_EN": "Seongbuk-gu",
        "DISTRICT_CODE": "11290",
        "MAP_CENTER": (37.5894, 127.0167),
        "MAP_ZOOM": 15,
        "MAX_CONTENT_LENGTH": 10 * 1024 * 1024,
        "MAX_PHOTO_BYTES": 8 * 1024 * 1024,
        "LOGIN_RATE_LIMIT": "5 per minute;20 per hour",
        "PROXY_COUNT": 0,
        # Reports stored (retries are free) per device, per address, and SOS
        # per device; an SOS is never limited per address.
        "REPORT_RATE_LIMIT": "30 per hour",
        "REPORT_ADDRESS_RATE_LIMIT": "120 per hour",
        "SOS_RATE_LIMIT": "10 per 10 minutes",
        # A live feed sends a comment this often so proxies keep it open.
        "SSE_HEARTBEAT_SECONDS": 15.0,
        "LOG_LEVEL": "INFO",
        "VAPID_PRIVATE_KEY": None,
        "VAPID_SUBJECT": "mailto:safety@example.kr",
        "ALERT_TWO_PERSON_APPROVAL": False,
        "ALERT_SENDER": None,  # finalise(): ansim@<district code>.go.kr
        # Subscriptions: the largest home radius, and how coarse "where I am" is.
        "PUSH_HOME_RADIUS_MAX_M": 3000,
        "PUSH_HERE_GRID_M": 100,
        # Sending (server.alerts.sender): a thread per app process unless
        # `ansim worker` does it; back-off 5 s × 2^attempt with jitter.
        "PUSH_SENDER_THREAD": True,
        "PUSH_CONCURRENCY": 100,
        "PUSH_MAX_ATTEMPTS": 6,
        "PUSH_RETRY_SECONDS": 5.0,
        "PUSH_TIMEOUT_SECONDS": 10.0,  # one push, connecting included
        "PUSH_LEASE_SECONDS": 60.0,
        "PUSH_POLL_SECONDS": 5.0,  # an idle sender looks for pushes queued elsewhere this often
        "PASSWORD_HASHER": "argon2id",
        # How often a worker asks whether facilities changed elsewhere (s).
        "INDEX_CHECK_SECONDS": 1.0,
        # A map viewport with more facilities than this is clustered.
        "VIEWPORT_MAX_POINTS": 400,  # tests use "cheap" to stay fast
        # Safe routes (server.routing): the formula and what these mean are
        # documented in server/routing/safety.py and server/routing/search.py.
        "ROUTE_SAFETY_WEIGHTS": {"cctv": 0.30, "lit": 0.20, "main_road": 0.20, "bell": 0.10, "safe_path": 0.10, "safe_house": 0.10, "reports": 0.30},
        "ROUTE_SAFETY_RADII_M": {"cctv": 30, "bell": 50, "light": 20, "safe_house": 100, "police": 100, "report": 100, "safe_path": 15},
        "ROUTE_LIT_LIGHTS_PER_100M": 1.0,
        "ROUTE_REPORT_DAYS": 30,
        "ROUTE_REPORT_HALF_LIFE_DAYS": 7.0,
        "ROUTE_REPORTS_REFRESH_SECONDS": 300.0,
        "ROUTE_SAFE_HOUSE_DEFAULT_HOURS": "08:00-22:00",  # when a safe house's hours are unknown
        "ROUTE_BALANCED_WEIGHT": 2.0,
        "ROUTE_SAFEST_WEIGHT": 10.0,
        "ROUTE_DETOUR_DEFAULT": 1.3,  # the safest route is at most this times the shortest (1–2 when asked)
        "ROUTE_SNAP_MAX_M": 300.0,
        "ROUTE_MAX_DISTANCE_M": 20_000.0,
        "ROUTE_WALKING_KMH": 4.5,
        "ROUTE_STEPS_TIME_FACTOR": 2.0,
        # Sessions: cookies readable by the server only, and not sent
        # cross-site except on top-level navigation.
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_NAME": "ansim_session",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_DURATION": 14 * 24 * 3600,
        # CSRF is checked by our own policy (server.accounts.auth), not on
        # every view: device-key requests carry no cookie and need none.
        "WTF_CSRF_CHECK_DEFAULT": False,
        # A console stays open for a whole shift: the token lives as long as
        # the session instead of expiring after an hour.
        "WTF_CSRF_TIME_LIMIT": None,
        "RATELIMIT_HEADERS_ENABLED": True,
        "RATELIMIT_STORAGE_URI": "memory://",
        # Fixed windows cost O(1) per hit; a moving window keeps every hit's
        # time and slows down as a busy limit fills.
        "RATELIMIT_STRATEGY": "fixed-window",
        # OpenAPI, served under the API prefix; Swagger UI from vendored files.
        "API_TITLE": "Ansim API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.1.0",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        "OPENAPI_SWAGGER_UI_PATH": "/docs",
        "OPENAPI_SWAGGER_UI_URL": "/static/vendor/swagger-ui/",
        "JSON_SORT_KEYS": False,
    }


def _number(name: str, raw: str, kind: type = int) -> Any:
    try:
        return kind(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from None


def _lat_lon(name: str, raw: str) -> tuple[float, float]:
    parts = raw.split(",")
    if len(parts) != 2:
        raise ConfigError(f"{name} must be 'lat,lon', got {raw!r}")
    lat, lon = (_number(name, p.strip(), float) for p in parts)
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ConfigError(f"{name} is out of range: {raw!r}")
    return lat, lon


def from_environ(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Settings given by environment variables (only those that are set)."""
    env = os.environ if environ is None else environ
    out: dict[str, Any] = {}
    for var, key, _ in ENVIRONMENT:
        raw = env.get(var)
        if raw is None or raw == "" and key not in {"TILE_URL"}:
            continue
        if key == "MAP_CENTER":
            out[key] = _lat_lon(var, raw)
        elif key in {"MAP_ZOOM", "PROXY_COUNT", "PUSH_CONCURRENCY", "PUSH_MAX_ATTEMPTS"}:
            out[key] = _number(var, raw)
        elif key == "PUSH_LEASE_SECONDS":
            out[key] = _number(var, raw, float)
        elif key in {"MAX_CONTENT_LENGTH", "MAX_PHOTO_BYTES"}:
            out[key] = int(_number(var, raw, float) * 1024 * 1024)
        elif key in {"ALERT_TWO_PERSON_APPROVAL", "PUSH_SENDER_THREAD"}:
            out[key] = _flag(var, raw)
        else:
            out[key] = raw
    return out


def _flag(var: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{var} must be 1 or 0, not {raw!r}")


def database_url(url: str) -> str:
    """Normalise a database URL: plain ``postgres(ql)://`` means psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def finalise(settings: dict[str, Any], instance_path: Path) -> dict[str, Any]:
    """Fill in what depends on the instance folder and check production rules."""
    production = settings.get("ENV") == "production"
    if settings.get("SECRET_KEY") is None:
        if production:
            raise ConfigError("SECRET_KEY must be set when ANSIM_ENV=production")
        settings["SECRET_KEY"] = _kept_secret(instance_path / "secret_key")
    if not settings.get("SQLALCHEMY_DATABASE_URI"):
        settings["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance_path / 'ansim.sqlite3'}"
    settings["SQLALCHEMY_DATABASE_URI"] = database_url(settings["SQLALCHEMY_DATABASE_URI"])
    if settings.get("REDIS_URL") and settings.get("RATELIMIT_STORAGE_URI") == "memory://":
        settings["RATELIMIT_STORAGE_URI"] = settings["REDIS_URL"]
    if not settings.get("ALERT_SENDER"):
        settings["ALERT_SENDER"] = f"ansim@{settings.get('DISTRICT_CODE', 'district')}.go.kr"
    if production:
        settings.setdefault("SESSION_COOKIE_SECURE", True)
        settings.setdefault("REMEMBER_COOKIE_SECURE", True)
    return settings


def _kept_secret(path: Path) -> str:
    """A random secret generated once and kept in the instance folder."""
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    # O_EXCL: when two workers start at once, one writes and both read the same.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as f:
        f.write(secret)
    return secret
