"""An evaluator's seat on a lot's panel and what it has declared (who may open a page is the
access policy's: procurement.access)."""
from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from evaluation.models import ConflictDeclaration
from extensions import db
from procurement.models import Lot, PanelMember


def require_member(lot: Lot) -> PanelMember:
    """The current evaluator's seat on this lot's panel (the policy let only members in)."""
    member = db.session.execute(select(PanelMember).where(
        PanelMember.lot_id == lot.id, PanelMember.user_id == current_user.id)
    ).scalar_one_or_none()
    if member is None:
        abort(403)
    return member


def declared_map(member: PanelMember) -> dict[int, bool]:
    """bidder id -> conflicted, for what the member has declared."""
    return dict(db.session.execute(select(ConflictDeclaration.bidder_id,
                                          ConflictDeclaration.conflicted)
                                   .where(ConflictDeclaration.member_id == member.id)).all())
