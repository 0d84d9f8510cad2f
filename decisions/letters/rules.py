"""Letters' rules over plain values: a letter's fingerprint, whether an issue would issue
anything new, and from what size the letters and the decision pack are a background job."""
from __future__ import annotations

import hashlib
import json
from dataclasses import fields, is_dataclass


def data_digest(data) -> str:
    """The sha256 of a letter's data (decisions.letters.document.LetterData) as JSON.

    A letter's PDF is drawn from its data alone, so the same digest is the same letter:
    the letters page compares digests instead of drawing 1,000 PDFs again. Field and
    section order are kept (they are the letter's order); dates are ISO dates.
    """
    if not is_dataclass(data):
        raise TypeError("data_digest takes a letter's data (a dataclass)")
    # its fields as they are (plain values: JSON draws tuples as lists), not asdict's deep
    # copy, which cost more than the rest of the letters page
    plain = {f.name: getattr(data, f.name) for f in fields(data)}
    text = json.dumps(plain, default=str, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def nothing_new(planned: dict[int, str], issued: dict[int, str | None]) -> bool:
    """Whether issuing now would issue nothing new: every bid's latest letter was drawn from
    the very data its letter would be drawn from now (`planned` and `issued`: digests by
    bid). A second click on "Issue", or a second job, is then a no-op; a letter issued
    before digests were kept (None) is never taken for the same."""
    return bool(planned) and all(issued.get(bid) == digest for bid, digest in planned.items())


def is_large(bids: int, threshold: int) -> bool:
    """More than `threshold` bids (the JOB_DECISION_BIDS setting): the decision pack, the
    public preview, the letters' zip and issuing the letters run as background jobs, so no
    request of a large tender runs for long; at or below it they answer in the request."""
    return bids > threshold
