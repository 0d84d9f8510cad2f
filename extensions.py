"""Extensions, created unbound and bound to the app in create_app."""
from flask_caching import Cache
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names, the same on SQLite and PostgreSQL, so migrations can alter them.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


db = SQLAlchemy(model_class=Base)

CONNECTION_LOST = "The database connection was lost; nothing was saved; try again."
DATABASE_FAILED = "The database could not complete the request; nothing was saved; try again."


def database_failure(exc: BaseException) -> str | None:
    """What to tell someone whose request the database failed (a connection lost, a server
    restarted, a lock that timed out), or None for any other error. The caller rolls back.

    A lost connection is invalidated by SQLAlchemy, so the next request gets a fresh one
    (and `pool_pre_ping` tests pooled ones before use): trying again works."""
    from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return CONNECTION_LOST
    if isinstance(exc, (OperationalError, InterfaceError)):
        return DATABASE_FAILED
    return None
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
# Its storage is RATELIMIT_STORAGE_URI (config.py); its limits are accounts.throttle's.
limiter = Limiter(key_func=get_remote_address)
# The public pages' rendered copies (procurement.conditional); its settings are config.page_cache's.
cache = Cache()
