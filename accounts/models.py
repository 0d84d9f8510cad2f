"""Organisations, users and their roles, and the administrator's settings."""
from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from clock import utcnow
from extensions import db

# Role codes and how people read them (SPEC "Who uses it").
ROLES = {
    "admin": "Administrator",
    "officer": "Procurement officer",
    "evaluator": "Evaluator",
    "finance": "Finance reviewer",
    "supplier": "Supplier",
    "originating_officer": "Originating officer",
    "chief_executive": "Chief Executive",
    "monitoring_officer": "Monitoring Officer",
    "s151_officer": "Section 151 Officer",
    "commissioner": "Commissioner",
}
STAFF_ROLES = {"admin", "officer", "evaluator", "finance", "originating_officer",
               "chief_executive", "monitoring_officer", "s151_officer", "commissioner"}
APPROVER_ROLES = ("originating_officer", "chief_executive", "monitoring_officer",
                  "s151_officer", "commissioner")


class Organisation(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20), default="buyer")  # buyer, partner, supplier
    decision_prefix: Mapped[str | None] = mapped_column(String(10))
    # comma-separated approver role codes; None means the default order (APPROVER_ROLES)
    signoff_order: Mapped[str | None] = mapped_column(String(200))

    users: Mapped[list["User"]] = relationship(back_populates="organisation")

    def approver_roles(self) -> list[str]:
        if self.signoff_order:
            return [r.strip() for r in self.signoff_order.split(",") if r.strip()]
        return list(APPROVER_ROLES)


class User(UserMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(256))
    roles: Mapped[str] = mapped_column(String(300), default="")  # comma-separated role codes
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    organisation: Mapped[Organisation | None] = relationship(back_populates="users")

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    @property
    def role_set(self) -> set[str]:
        return {r for r in self.roles.split(",") if r}

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_set.intersection(roles))

    @property
    def is_staff(self) -> bool:
        return bool(self.role_set & STAFF_ROLES)

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)


class Setting(db.Model):
    """Administrator's settings (decision-number prefix, spread flag, justification length…)."""

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


DEFAULT_SETTINGS = {
    "decision_prefix": "SCP",
    "spread_flag": "2",  # moderation flags max − min above this many points
    "justification_min_length": "20",
    "marking": "OFFICIAL",
    "document_max_mb": "25",  # the largest tender document (or bid document) accepted, a file
    "ocds_prefix": "ocds-tender0",  # OCDS ocids are {prefix}-{reference}; it starts "ocds-"
    "ocds_publisher": "",  # the OCDS feed's publisher name; blank: "Tender"
}


def get_setting(key: str) -> str:
    row = db.session.get(Setting, key)
    return row.value if row else DEFAULT_SETTINGS.get(key, "")
