"""Loading the signed-in user, and the page each role starts on.

Who may use which page is the one access policy's (procurement.access); this module only
tells Flask-Login how to find a user and where a person lands after signing in.
"""
from __future__ import annotations

from flask import flash, redirect, request
from flask_login.utils import login_url

from accounts import sessions
from accounts.models import User
from extensions import login_manager


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The user of a live session only: signed out, timed out or revoked sessions are None."""
    return sessions.load(user_id)


login_manager.login_view = "accounts.login"
login_manager.login_message = "Sign in to continue."
login_manager.login_message_category = "info"


@login_manager.unauthorized_handler
def unauthorized():
    """To the sign-in page, saying why a session ended where one did."""
    flash(sessions.signed_out_message() or login_manager.login_message,
          login_manager.login_message_category)
    return redirect(login_url(login_manager.login_view, next_url=request.url))

# Roles that work from the list of their organisation's procurements.
PROCUREMENT_LIST_ROLES = ("officer", "finance", "originating_officer", "chief_executive",
                          "monitoring_officer", "s151_officer", "commissioner")


def landing_endpoint(user) -> str:
    """Where a user starts after signing in: the page their role works from."""
    if user.has_role(*PROCUREMENT_LIST_ROLES):
        return "home.index"
    if user.has_role("evaluator"):
        return "evaluation.mine"
    if user.has_role("supplier"):
        return "home.supplier_home"
    if user.has_role("admin"):
        return "accounts.users"
    return "accounts.no_role"
