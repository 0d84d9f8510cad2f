"""Who may do what: decorators the views use, so every guard is on the server."""
from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from accounts.models import User
from extensions import db, login_manager


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id))


login_manager.login_view = "accounts.login"
login_manager.login_message = "Sign in to continue."
login_manager.login_message_category = "info"


def roles_required(*roles: str):
    """Signed in and holding one of `roles`; otherwise 403 (never a silent redirect)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def staff_required(view):
    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_staff:
            abort(403)
        return view(*args, **kwargs)

    return wrapped
