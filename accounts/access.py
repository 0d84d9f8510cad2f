"""Loading the signed-in user, and the page each role starts on.

Who may use which page is the one access policy's (procurement.access); this module only
tells Flask-Login how to find a user and where a person lands after signing in.
"""
from __future__ import annotations

from accounts.models import User
from extensions import db, login_manager


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id))


login_manager.login_view = "accounts.login"
login_manager.login_message = "Sign in to continue."
login_manager.login_message_category = "info"

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
