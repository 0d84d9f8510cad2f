"""Sending and signing a decision note through the services, for tests that need a note
really signed off (a completed version with its frozen PDF and snapshot), not just marked so.
"""
from __future__ import annotations

from decisions.models import NoteVersion
from extensions import db
from procurement.models import Procurement

ORDER = ("originating_officer", "chief_executive", "monitoring_officer", "s151_officer",
         "commissioner")


def send_note(p: Procurement, users: dict) -> NoteVersion:
    from decisions.signoff.service import send

    version = send(p, actor=users["officer"].email, user=users["officer"])
    db.session.commit()
    return version


def sign_note(p: Procurement, users: dict, comments: dict | None = None) -> None:
    """Every approver signs the sent version in order, in the app: the note is completed."""
    from decisions.signoff.service import sign_in_app

    for position, role in enumerate(ORDER, 1):
        sign_in_app(p, users[role], position, (comments or {}).get(role, ""))
        db.session.commit()


def sign_off_note(p: Procurement, users: dict, comments: dict | None = None) -> NoteVersion:
    version = send_note(p, users)
    sign_note(p, users, comments)
    db.session.refresh(version)
    assert version.state == "completed"
    return version
