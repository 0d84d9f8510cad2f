"""Finding a procurement, and who may use it."""
from __future__ import annotations

from sqlalchemy import select

from extensions import db
from procurement.models import Procurement


def find_procurement(reference: str) -> Procurement | None:
    return db.session.execute(
        select(Procurement).where(Procurement.reference == reference)).scalar_one_or_none()
