"""Organisations, users and their roles, and the administrator's settings."""
from __future__ import annotations

from datetime import date, datetime

from flask import has_request_context, request
from flask_login import UserMixin
from sqlalchemy import (Boolean, Date, DateTime, Float, ForeignKey, Integer, String, Text, event,
                        false, inspect, select, true)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

import clock
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
    # A supplier's registration (accounts.registration); buyers and partners leave them empty.
    identifier_scheme: Mapped[str | None] = mapped_column(String(20))  # e.g. GB-COH
    identifier: Mapped[str | None] = mapped_column(String(60))  # e.g. the company number
    address: Mapped[str | None] = mapped_column(Text)
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    sme: Mapped[bool | None] = mapped_column(Boolean)
    vcse: Mapped[bool | None] = mapped_column(Boolean)
    # False while a registration waits for its emailed link to be followed
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())

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
    # Registered or invited, waiting for the emailed link (inactive until then); the time the
    # link was followed. Users made by an administrator or `accounts create-user` are neither.
    pending: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    email_confirmed_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Bumped whenever the password, roles or active flag change, or on "sign out everywhere":
    # every session begun at an older generation has ended (accounts.sessions).
    session_generation: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

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


def bump_session_generation(user: User) -> None:
    """End every session of this person (in the same commit as the change that calls it)."""
    if inspect(user).has_identity:  # in SQL, so two workers bumping at once both count
        user.session_generation = User.session_generation + 1
    else:
        user.session_generation = (user.session_generation or 0) + 1


def _ends_sessions(attribute):
    @event.listens_for(attribute, "set", active_history=True)
    def changed(target, value, oldvalue, initiator):
        if inspect(target).has_identity and value != oldvalue:
            bump_session_generation(target)


for _attribute in (User.password_hash, User.roles, User.active):
    _ends_sessions(_attribute)


class UserSession(db.Model):
    """A signed-in session: the server's half of the session cookie, so it can be ended.

    The cookie carries a random token; only its SHA-256 is kept here. Signing out deletes the
    row; a change of password, roles or active flag (or "sign out everywhere") bumps the
    person's generation, which ends every row begun before it.
    """

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    generation: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime)  # UTC
    last_seen_at: Mapped[datetime] = mapped_column(DateTime)  # UTC, updated once a minute

    user: Mapped[User] = relationship()


class ThrottleCounter(db.Model):
    """One fixed-window counter of the sign-in throttle (accounts.throttle_storage)."""

    __tablename__ = "throttle_counter"

    bucket: Mapped[str] = mapped_column(String(512), primary_key=True)
    hits: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[float] = mapped_column(Float, index=True)  # seconds since the epoch


class Setting(db.Model):
    """Administrator's settings (decision-number prefix, spread flag, justification length…)."""

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


DEFAULT_SETTINGS = {
    "decision_prefix": "SCP",
    "spread_flag": "2",  # moderation flags max − min above this many points
    "justification_min_length": "20",
    "price_to_evaluators": "after_scoring",  # procurement.bids.opening_rules.price_visible
    "score_step": "0.5",  # scores entered in Tender: whole or half points
    "marking": "OFFICIAL",
    "document_max_mb": "25",  # the largest tender document (or bid document) accepted, a file
    "ocds_prefix": "ocds-tender0",  # OCDS ocids are {prefix}-{reference}; it starts "ocds-"
    "feedback_url": "mailto:tender-feedback@example.org",  # the phase banner's feedback link
    "ocds_publisher": "",  # the OCDS feed's publisher name; blank: "Tender"
    "session_idle_minutes": "30",  # signed out after this long without a request
    "session_absolute_hours": "12",  # and this long after signing in, however active
    "upload_size_limit_mb": "20",
    "delphi_risk_bands": "0-20 very high, 21-40 high, 41-60 moderate, 61-80 low, 81-100 very low",
    # Where the bands come from. The default is Tender's own (five equal bands), not a credit
    # reference agency's: set the bands and this source from the agency's report guide.
    "delphi_risk_bands_source": ("Tender's default: five equal bands of 20 points, not a "
                                 "credit reference agency's published bands"),
    "turnover_multiple": "2",  # turnover required = this x the lots' annual value (reg. 58(9))
    "sq_second_marker": "no",  # "yes": a second marker confirms each SQ mark before it counts
}


class SettingValue(db.Model):
    """A setting's value from a date: the administrator's history of every setting.

    The value in force on a day is the one with the latest `effective_from` on or before it
    (the later entry of the same date wins). Nothing is overwritten or deleted: the history
    is the record of what applied when (accounts.admin)."""

    __tablename__ = "setting_value"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), index=True)
    value: Mapped[str] = mapped_column(Text)
    effective_from: Mapped[date] = mapped_column(Date)
    changed_by: Mapped[str] = mapped_column(String(254))
    changed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


def settings_in_force(keys, on: date | None = None) -> dict[str, str]:
    """The values in force on `on` (today) of these keys, where one is set: the latest
    effective entry of `setting_value`, else the older `setting` row. No defaults here."""
    keys = tuple(keys)
    every = _every_setting_in_force(on or clock.today())
    return {key: every[key] for key in keys if key in every}


_REQUEST_SETTINGS = "tender.settings_in_force"  # request.environ: {date: every setting then}


def _every_setting_in_force(on: date) -> dict[str, str]:
    """Every setting in force on `on`: two queries of a small table, once per request (a
    signed-in page asks for session timeouts, the phase banner, the scoring step, ...);
    forgotten when this session writes a setting (`_settings_written`)."""
    kept = request.environ.setdefault(_REQUEST_SETTINGS, {}) if has_request_context() else {}
    if on not in kept:
        found = dict(db.session.execute(select(Setting.key, Setting.value)).all())
        rows = db.session.execute(select(SettingValue.key, SettingValue.value).where(
            SettingValue.effective_from <= on)
            .order_by(SettingValue.effective_from, SettingValue.id)).all()
        for key, value in rows:  # oldest first: the last one of each key is in force
            found[key] = value
        kept[on] = found
    return kept[on]


def _settings_written(_mapper, _connection, _row) -> None:
    """A setting written in this request: what it reads next comes from the database. Mapper
    events of the two setting tables only, so no other flush pays for the check."""
    if has_request_context():
        request.environ.pop(_REQUEST_SETTINGS, None)


for _model in (Setting, SettingValue):
    for _change in ("after_insert", "after_update", "after_delete"):
        event.listen(_model, _change, _settings_written)


def get_setting(key: str) -> str:
    """The value in force today; DEFAULT_SETTINGS where none was ever set."""
    value = settings_in_force((key,)).get(key)
    return value if value is not None else DEFAULT_SETTINGS.get(key, "")
