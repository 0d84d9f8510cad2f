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


# Roles that see a procurement as a whole; an evaluator alone sees only its assigned lots.
WHOLE_PROCUREMENT_ROLES = ("officer", "admin", "finance", "originating_officer",
                           "chief_executive", "monitoring_officer", "s151_officer",
                           "commissioner")


def evaluator_only(user) -> bool:
    return user.has_role("evaluator") and not user.has_role(*WHOLE_PROCUREMENT_ROLES)


def landing_endpoint(user) -> str:
    """Where a user starts after signing in: the page their role works from."""
    if user.has_role(*WHOLE_PROCUREMENT_ROLES):
        return "home.index"
    if user.has_role("evaluator"):
        return "evaluation.mine"
    if user.has_role("supplier"):
        return "decisions.my_letters"
    return "home.index"
