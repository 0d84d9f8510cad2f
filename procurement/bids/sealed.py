"""The one filter that keeps sealed bids out of every reading (procurement.bids.opening_rules).

Every query of `Bid` for evaluation, results, letters, the decision note, exports and open
data adds `OPEN_FOR_EVALUATION` (SQL) or goes through `opened(...)` (rows already loaded,
e.g. `lot.bids`): a bid submitted in Tender is invisible there until the bids are opened; a
bid received outside Tender (an imported workbook) is as it always was.
"""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import or_

from procurement.bids import opening_rules as rules
from procurement.models import Bid

OPEN_FOR_EVALUATION = or_(Bid.source != rules.SOURCE_TENDER, Bid.state == rules.OPENED)


def is_open(bid: Bid) -> bool:
    return rules.open_for_evaluation(bid.source, bid.state)


def opened(bids: Iterable[Bid]) -> list[Bid]:
    """The bids evaluation may read, of these."""
    return [b for b in bids if is_open(b)]


def open_bid_for(bid_id: int) -> Bid:
    """The bid a URL names (procurement.access.bid_for), 404 while it is sealed: the pages
    of evaluation, moderation and letters never show that it exists."""
    from flask import abort

    from procurement.access import bid_for

    bid = bid_for(bid_id)
    if not is_open(bid):
        abort(404)
    return bid
