"""Configuration from the environment; secrets never live in the code."""
from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path

AUDIT_KEY_MIN = 32  # characters of AUDIT_HMAC_KEY in production


def database_url(instance_path: str) -> str:
    """DATABASE_URL, or SQLite in the instance folder; psycopg 3 needs the +psycopg scheme."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        return f"sqlite:///{Path(instance_path) / 'tender.db'}"
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def secret_key(instance_path: str, production: bool) -> str:
    """SECRET_KEY from the environment; in development a generated key kept in the instance folder."""
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    if production:
        raise RuntimeError("SECRET_KEY must be set in production (TENDER_ENV=production)")
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def audit_hmac_key(instance_path: str, production: bool) -> str:
    """AUDIT_HMAC_KEY, the key of the audit chain's HMAC: from the environment (required in
    production, at least AUDIT_KEY_MIN characters); in development generated once and kept
    in the instance folder. Never stored in the database."""
    key = os.environ.get("AUDIT_HMAC_KEY")
    if key:
        if production and len(key) < AUDIT_KEY_MIN:
            raise RuntimeError(f"AUDIT_HMAC_KEY must be at least {AUDIT_KEY_MIN} characters")
        return key
    if production:
        raise RuntimeError("AUDIT_HMAC_KEY must be set in production (TENDER_ENV=production)")
    path = Path(instance_path) / "audit_hmac_key"
    if not path.exists():  # written whole, then linked: a racing worker reads all or none
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".audit_hmac_key.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
        try:
            os.link(draft, path)
        except FileExistsError:
            pass  # another worker was first: use its key
        finally:
            os.unlink(draft)
    return path.read_text().strip()


def audit_anchor_path(instance_path: str, database_uri: str, production: bool) -> str:
    """AUDIT_ANCHOR_PATH: where the audit chain is anchored (an append-only file).

    Required in production, where it must be storage every machine shares. In development,
    a file in the instance folder per database, so that a throw-away database (the
    acceptance check's, a test's) never mixes its lines with the development database's."""
    path = os.environ.get("AUDIT_ANCHOR_PATH")
    if path:
        return path
    if production:
        raise RuntimeError("AUDIT_ANCHOR_PATH must be set in production (TENDER_ENV="
                           "production): an append-only file on storage every machine shares")
    from sqlalchemy.engine import make_url

    try:
        name = make_url(database_uri).set(password=None).render_as_string()
    except Exception:  # noqa: BLE001 - an unparseable URL fails later, where it is used
        name = database_uri
    digest = hashlib.sha256(name.encode()).hexdigest()[:16]
    return str(Path(instance_path) / f"audit-anchor-{digest}.log")


def _whole(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise RuntimeError(f"{name} must be a whole number (got {value!r})") from None
    if number < 1:
        raise RuntimeError(f"{name} must be at least 1 (got {number})")
    return number


def _hardening(production: bool) -> dict:
    """Security headers (security.py: HSTS in production only) and the bounds on hostile
    files (docs/hardening-files.md): workbooks before openpyxl reads them, and the DocuSign
    Connect body before it is read."""
    return {
        "PRODUCTION": production,
        "WORKBOOK_MAX_MB": _whole("TENDER_WORKBOOK_MAX_MB", 50),
        "WORKBOOK_MAX_UNPACKED_MB": _whole("TENDER_WORKBOOK_MAX_UNPACKED_MB", 500),
        "WORKBOOK_MAX_PARTS": _whole("TENDER_WORKBOOK_MAX_PARTS", 1000),
        "WORKBOOK_MAX_ROWS": _whole("TENDER_WORKBOOK_MAX_ROWS", 400_000),
        "WORKBOOK_MAX_COLUMNS": _whole("TENDER_WORKBOOK_MAX_COLUMNS", 200),
        "WORKBOOK_MAX_CELLS": _whole("TENDER_WORKBOOK_MAX_CELLS", 4_000_000),
        "DOCUSIGN_CONNECT_MAX_MB": _whole("DOCUSIGN_CONNECT_MAX_MB", 100),
    }


def throttle_storage_uri(production: bool) -> str:
    """Where the sign-in throttle counts: RATELIMIT_STORAGE_URI, by default the database.

    `tender-db://` keeps the counters in the application's database, shared by every worker
    and machine; `redis://host:6379` uses Redis (install `limits[redis]`). `memory://` counts
    in one process only, so it is refused in production."""
    uri = os.environ.get("RATELIMIT_STORAGE_URI", "").strip() or "tender-db://"
    if production and uri.startswith("memory:"):
        raise RuntimeError("RATELIMIT_STORAGE_URI=memory:// counts in one process only; in "
                           "production use tender-db:// (the database) or redis://")
    return uri


def page_cache() -> dict:
    """The server-side cache of the public pages (procurement.conditional, Flask-Caching).

    Its keys are the pages' ETags, which name the data they show and the minute, so a copy
    is never wrong for its key: by default each worker keeps its own, bounded (SimpleCache);
    with CACHE_REDIS_URL every worker and machine shares one in Redis (install `redis`).
    Entries outlive their minute only by a minute: after it no request asks for them."""
    shared = os.environ.get("CACHE_REDIS_URL", "").strip()
    settings = {
        "CACHE_TYPE": "RedisCache" if shared else "SimpleCache",
        "CACHE_DEFAULT_TIMEOUT": 120,  # seconds
        "CACHE_THRESHOLD": _whole("TENDER_PAGE_CACHE_ENTRIES", 500),  # pages per worker
        # one Redis may serve several sites (staging, production): each has its own keys
        "CACHE_KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "tender:page:"),
    }
    if shared:
        settings["CACHE_REDIS_URL"] = shared
    return settings


def build(instance_path: str, overrides: dict | None = None) -> dict:
    production = os.environ.get("TENDER_ENV") == "production"
    cfg = {
        "SQLALCHEMY_DATABASE_URI": database_url(instance_path),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "SECRET_KEY": secret_key(instance_path, production),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_SECURE": production,
        "MAX_CONTENT_LENGTH": 20 * 1024 * 1024,
        "WTF_CSRF_TIME_LIMIT": None,
        # The public address of the site: open data names its pages and documents by it, the
        # same in a request and in `ocds export` (so releases are the same wherever made).
        "PUBLIC_URL": os.environ.get("TENDER_PUBLIC_URL", "http://localhost:5000").rstrip("/"),
        # The sign-in throttle (accounts.throttle): Flask-Limiter, failures only.
        "RATELIMIT_STORAGE_URI": throttle_storage_uri(production),
        "RATELIMIT_STRATEGY": "fixed-window",
        "SIGNIN_LIMIT_PER_ACCOUNT": os.environ.get("SIGNIN_LIMIT_PER_ACCOUNT",
                                                   "5 per 15 minutes"),
        "SIGNIN_LIMIT_PER_ADDRESS": os.environ.get("SIGNIN_LIMIT_PER_ADDRESS",
                                                   "20 per 15 minutes"),
        # Supplier registration and emailed links (accounts.registration, accounts.tokens):
        # how long a link works, and their throttles (every request counts).
        "ACCOUNT_LINK_HOURS": _whole("ACCOUNT_LINK_HOURS", 48),  # whole hours, 1 or more
        "REGISTER_LIMIT_PER_ADDRESS": os.environ.get("REGISTER_LIMIT_PER_ADDRESS",
                                                     "10 per hour"),
        "ACCOUNT_LINK_LIMIT_PER_ADDRESS": os.environ.get("ACCOUNT_LINK_LIMIT_PER_ADDRESS",
                                                         "30 per 15 minutes"),
        "INVITE_LIMIT_PER_ACCOUNT": os.environ.get("INVITE_LIMIT_PER_ACCOUNT", "20 per hour"),
        # Proxies in front of the app (a load balancer: 1) whose X-Forwarded-For to trust, so
        # the throttle sees the client's address, not the proxy's.
        "TRUSTED_PROXIES": int(os.environ.get("TENDER_TRUSTED_PROXIES", "0") or 0),
        # DocuSign (optional: without these, envelopes are recorded locally)
        "DOCUSIGN_CONNECT_HMAC_KEY": os.environ.get("DOCUSIGN_CONNECT_HMAC_KEY", ""),
        "DOCUSIGN_ACCOUNT_ID": os.environ.get("DOCUSIGN_ACCOUNT_ID", ""),
        "DOCUSIGN_INTEGRATION_KEY": os.environ.get("DOCUSIGN_INTEGRATION_KEY", ""),
        "DOCUSIGN_USER_ID": os.environ.get("DOCUSIGN_USER_ID", ""),
        "DOCUSIGN_PRIVATE_KEY_PATH": os.environ.get("DOCUSIGN_PRIVATE_KEY_PATH", ""),
        "DOCUSIGN_BASE_PATH": os.environ.get("DOCUSIGN_BASE_PATH", "https://demo.docusign.net/restapi"),
        "DOCUSIGN_OAUTH_HOST": os.environ.get("DOCUSIGN_OAUTH_HOST", "account-d.docusign.com"),
        "DOCUSIGN_CA_BUNDLE": os.environ.get("DOCUSIGN_CA_BUNDLE", ""),
        "DOCUSIGN_TIMEOUT": float(os.environ.get("DOCUSIGN_TIMEOUT", "15")),
        "DOCUSIGN_ATTEMPTS": int(os.environ.get("DOCUSIGN_ATTEMPTS", "3")),
        "DOCUSIGN_RETRY_MAX_WAIT": float(os.environ.get("DOCUSIGN_RETRY_MAX_WAIT", "10")),
        # Background jobs (procurement.jobs): the queue ("" SQLite in the instance folder,
        # redis://… in production), and from what size the workbook's work becomes a job.
        "JOBS_QUEUE": os.environ.get("TENDER_QUEUE", ""),
        "JOB_UPLOAD_BYTES": int(os.environ.get("TENDER_JOB_UPLOAD_BYTES", str(512 * 1024))),
        "JOB_EXPORT_SCORES": int(os.environ.get("TENDER_JOB_EXPORT_SCORES", "20000")),
        # above this many bids, the decision note's PDFs, the letters' zip and issuing the
        # letters are background jobs too (decisions.jobs)
        "JOB_DECISION_BIDS": int(os.environ.get("TENDER_JOB_DECISION_BIDS", "200")),
        # audit chain (docs/audit.md)
        "AUDIT_HMAC_KEY": audit_hmac_key(instance_path, production),
    }
    cfg.update(_hardening(production))
    cfg.update(page_cache())
    cfg.update(overrides or {})
    if not cfg.get("AUDIT_ANCHOR_PATH"):
        cfg["AUDIT_ANCHOR_PATH"] = audit_anchor_path(
            instance_path, cfg["SQLALCHEMY_DATABASE_URI"], production)
    return cfg
