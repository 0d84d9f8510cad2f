"""Sealed bids' rules: who may open them and when, whether a bid is still sealed.

Pure: plain values in, a refusal (with the words a person reads) or None out. The opening
service applies them to the records; the pages show their messages.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

# BidVersion.state (Bid.state takes submitted, withdrawn and opened too); the models import
# them from here, so the rules and the records cannot drift apart
DRAFT, SUBMITTED, SUPERSEDED, WITHDRAWN, OPENED = (
    "draft", "submitted", "superseded", "withdrawn", "opened")
# Bid.source
SOURCE_TENDER, SOURCE_WORKBOOK = "tender", "workbook"


@dataclass(frozen=True)
class Refusal:
    reason: str
    message: str


def is_sealed(source: str, state: str) -> bool:
    """A bid submitted in Tender stays sealed until the bids are opened; one received outside
    Tender (an imported workbook) was opened where it was received."""
    return source == SOURCE_TENDER and state != OPENED


def open_for_evaluation(source: str, state: str) -> bool:
    """Whether evaluation, results, letters, exports and open data may read the bid: opened,
    or received outside Tender; never a sealed one, nor one withdrawn before opening."""
    return source != SOURCE_TENDER or state == OPENED


def open_refusal(*, is_officer: bool, state: str, now: datetime, deadline: datetime | None,
                 requested: bool, opened: bool) -> Refusal | None:
    """Why this person may not open (or ask to open) the bids now, or None.

    `now` and `deadline` are naive UTC, `now` the server's clock."""
    if not is_officer:
        return Refusal("not_officer", "Only a procurement officer of the buying organisation "
                                      "may open the bids.")
    if opened:
        return Refusal("already_opened", "The bids are already opened.")
    if deadline is None:
        return Refusal("no_deadline", "The procurement has no tender deadline: there are no "
                                      "bids to open.")
    if now < deadline:
        return Refusal("before_deadline", "The bids cannot be opened before the tender "
                                          "deadline has passed.")
    if requested:
        return Refusal("already_requested", "Opening is already requested: a second officer "
                                            "must confirm it.")
    if state != "deadline_passed":
        return Refusal("wrong_state", "The bids can be opened only once the tender deadline "
                                      "has passed and before they are opened.")
    return None


def confirm_refusal(*, is_officer: bool, two_person: bool, requested_by_id: int | None,
                    confirmer_id: int, opened: bool) -> Refusal | None:
    """Why this person may not confirm the opening requested, or None."""
    if not is_officer:
        return Refusal("not_officer", "Only a procurement officer of the buying organisation "
                                      "may confirm the opening.")
    if opened:
        return Refusal("already_opened", "The bids are already opened.")
    if not two_person:
        return Refusal("not_two_person", "This procurement does not ask for two-person "
                                         "opening: there is nothing to confirm.")
    if requested_by_id is None:
        return Refusal("not_requested", "Nobody has asked to open the bids yet.")
    if requested_by_id == confirmer_id:
        return Refusal("same_officer", "A second, different officer must confirm the "
                                       "opening: you asked for it yourself.")
    return None


def two_person_needed(two_person: bool, requested_by_id: int | None) -> bool:
    """Whether the first officer's act only records a request (a second one opens)."""
    return two_person and requested_by_id is None


# What an evaluator sees of a bid's price: price is scored by formula, so quality is scored
# blind to it unless the setting shows it; once the evaluator's own scores for the bid are
# submitted the price no longer sways them.
PRICE_SHOWN = ("always", "after_scoring", "never")
PRICE_DEFAULT = "after_scoring"


def price_visible(setting: str, *, officer: bool, scores_submitted: bool) -> bool:
    if officer:
        return True
    setting = setting if setting in PRICE_SHOWN else PRICE_DEFAULT
    if setting == "always":
        return True
    return setting == "after_scoring" and scores_submitted
