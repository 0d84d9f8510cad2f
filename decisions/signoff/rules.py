"""Sign-off rules: who signs, in what order, and when a note may be sent or completed.

Plain values in, plain values out (no Flask, no ORM), so every rule is unit-tested fast.
The services in `decisions.signoff.service` read the records into these values, ask, and act.

Rules
- The sign-off order is the buying organisation's approver roles (default: originating
  officer, Chief Executive, Monitoring Officer, S151 Officer, Commissioner). Each place is
  held by the first active user of the buying organisation with that role when the note is
  sent; with nobody in the role, the place carries the role's label and any user of the
  buying organisation holding the role may sign it.
- In the app only the next unsigned place may be signed, only by its assigned user (or, with
  none assigned, by a holder of its role), and only once; a person who has signed one place
  of a version does not sign another (independent approvals, even where someone holds two
  approver roles).
- Through DocuSign Connect the same order holds: a signature reported for a place whose turn
  has not come (an earlier place is unsigned) is refused, and the signatures an envelope
  summary reports are recorded in routing order, all or none.
- Nothing is signed or completed once the data the note was built from has changed (stale),
  or once the note is completed or superseded.
- A completed note is read-only: its narrative, answers, number and annexes are not changed,
  and it is not sent again, until the officer starts a new version (only of a completed
  note), which returns it to drafting; the signed version stays completed (and published)
  until a newer one is completed. Staleness is only a question for a version awaiting
  signature, or for the completed note as it stands: once a new version is started, the
  signed version is not stale (the draft is meant to differ from it).
- A note may be sent when every lot's results are final (`Lot.results_final_at`), or, for a
  lot imported from a workbook, when every bid is moderated or excluded and none is
  incomplete (and the lot has at least one bid).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import NamedTuple

# Why something is refused: the routes map these to HTTP statuses.
NOT_APPROVER = "not_approver"  # not an approver of this note at all
WRONG_ROLE = "wrong_role"  # this place is someone else's
OUT_OF_ORDER = "out_of_order"  # an earlier place is unsigned
ALREADY_SIGNED = "already_signed"  # this place is signed, or this person signed another
STALE = "stale"  # data changed after send
NOT_OPEN = "not_open"  # not sent, completed, or superseded
INCOMPLETE = "incomplete"  # completion with a place unsigned
NOT_READY = "not_ready"  # send before results are final
READ_ONLY = "read_only"  # a change to a completed (signed-off) note
FORBIDDEN = frozenset({NOT_APPROVER, WRONG_ROLE, OUT_OF_ORDER})  # 403; the others are 409


def http_status(reason: str) -> int:
    return 403 if reason in FORBIDDEN else 409


class Refusal(NamedTuple):
    reason: str
    message: str


@dataclass(frozen=True)
class Holder:
    """A user who may hold a place: id, name, email."""

    user_id: int
    name: str
    email: str


@dataclass(frozen=True)
class PlannedSignOff:
    """One planned place in the sign-off order (before send)."""

    position: int  # 1-based routing order
    role: str
    name: str
    email: str
    user_id: int | None

    @property
    def recipient_id(self) -> str:
        return str(self.position)


@dataclass(frozen=True)
class RecordedSignOff:
    """One place of a sent version, as recorded."""

    position: int
    role: str
    user_id: int | None
    signed_by: int | None  # user id that signed it in the app, if any
    signed: bool


@dataclass(frozen=True)
class Signer:
    """The person asking to sign."""

    user_id: int
    roles: frozenset[str]
    organisation_id: int | None


@dataclass(frozen=True)
class LotReadiness:
    code: str
    results_final: bool
    bids: tuple[tuple[str, bool], ...]  # (status, moderated) per bid


def plan(roles: list[str], holders: dict[str, list[Holder]],
         labels: dict[str, str]) -> list[PlannedSignOff]:
    """The sign-off places in order: for each role the first holder not already placed
    (else the first holder), or, with nobody in the role, the role's label."""
    places, placed = [], set()
    for position, role in enumerate(roles, 1):
        people = holders.get(role) or []
        if people:
            p = next((q for q in people if q.user_id not in placed), people[0])
            placed.add(p.user_id)
            places.append(PlannedSignOff(position, role, p.name, p.email, p.user_id))
        else:
            places.append(PlannedSignOff(position, role, labels.get(role, role), "", None))
    return places


def plan_refusal(places: list[PlannedSignOff], labels: dict[str, str]) -> Refusal | None:
    """Refuses an order in which one person would have to sign two places."""
    seen: dict[int, PlannedSignOff] = {}
    for place in places:
        if place.user_id is None:
            continue
        if place.user_id in seen:
            first = seen[place.user_id]
            return Refusal(NOT_READY, f"{place.name} would sign both as "
                           f"{labels.get(first.role, first.role)} and as "
                           f"{labels.get(place.role, place.role)}: a different person must hold "
                           "each approver role")
        seen[place.user_id] = place
    return None


def next_signoff(slots: list[RecordedSignOff]) -> RecordedSignOff | None:
    """The first unsigned place in routing order; None when all have signed."""
    return next((s for s in sorted(slots, key=lambda s: s.position) if not s.signed), None)


def connect_order_refusal(slots: list[RecordedSignOff], positions) -> Refusal | None:
    """None when DocuSign's report that places `positions` signed keeps the sign-off order:
    taken in routing order, each place not yet signed is the next one (`next_signoff`). Places
    already signed are left out (a repeat changes nothing); otherwise why not."""
    known = {s.position for s in slots}
    signed = {s.position for s in slots if s.signed}
    pending = list(slots)
    for position in sorted(set(positions) - signed):
        if position not in known:
            return Refusal(NOT_APPROVER, "There is no such place in the sign-off order")
        nxt = next_signoff(pending)
        if nxt.position != position:
            return Refusal(OUT_OF_ORDER, f"PlannedSignOff {position} cannot be signed before an earlier "
                           f"approver (place {nxt.position}) has signed")
        pending = [replace(s, signed=True) if s.position == position else s for s in pending]
    return None


def is_complete(slots: list[RecordedSignOff]) -> bool:
    return bool(slots) and all(s.signed for s in slots)


def may_hold(slot: RecordedSignOff, who: Signer) -> bool:
    """Whether this person may sign this place (ignoring order)."""
    if slot.user_id is not None:
        return who.user_id == slot.user_id
    return slot.role in who.roles


def sign_refusal(slots: list[RecordedSignOff], position: int, who: Signer, buyer_id: int | None, *,
                 state: str, stale: bool) -> Refusal | None:
    """None when `who` may sign place `position` now; otherwise why not."""
    if who.organisation_id is None or who.organisation_id != buyer_id:
        return Refusal(NOT_APPROVER, "Only approvers of the buying organisation sign this note")
    if state != "sent":
        return Refusal(NOT_OPEN, "This version of the note is not open for signature")
    slot = next((s for s in slots if s.position == position), None)
    if slot is None:
        return Refusal(NOT_APPROVER, "There is no such place in the sign-off order")
    if not may_hold(slot, who):
        return Refusal(WRONG_ROLE, "This place in the sign-off order is for someone else")
    if slot.signed:
        return Refusal(ALREADY_SIGNED, "This place has already been signed")
    if any(s.signed_by == who.user_id for s in slots):
        return Refusal(ALREADY_SIGNED, "You have already signed this note")
    nxt = next_signoff(slots)
    if nxt is None or nxt.position != position:
        return Refusal(OUT_OF_ORDER, "An earlier approver has not signed yet")
    if stale:
        return Refusal(STALE, "The data the note was built from changed after it was sent; "
                              "send it again")
    return None


def signoffs_for(slots: list[RecordedSignOff], who: Signer, buyer_id: int | None) -> list[RecordedSignOff]:
    """The places this person could ever sign (to show them their turn)."""
    if who.organisation_id is None or who.organisation_id != buyer_id:
        return []
    return [s for s in slots if may_hold(s, who)]


def completion_refusal(slots: list[RecordedSignOff], *, state: str, stale: bool) -> Refusal | None:
    if state != "sent":
        return Refusal(NOT_OPEN, "This version of the note is not open for completion")
    if not is_complete(slots):
        return Refusal(INCOMPLETE, "Not every approver has signed")
    if stale:
        return Refusal(STALE, "The data the note was built from changed after it was sent; "
                              "completion is refused")
    return None


def lot_ready(lot: LotReadiness) -> bool:
    if lot.results_final:
        return True
    if not lot.bids:
        return False
    return all(status != "incomplete" and (moderated or status == "excluded")
               for status, moderated in lot.bids)


def send_refusal(lots: list[LotReadiness], note_state: str) -> Refusal | None:
    if note_state == "completed":
        return Refusal(NOT_OPEN, "The note has been signed off; it cannot be sent again "
                                 "unless a new version is started")
    if not lots:
        return Refusal(NOT_READY, "The procurement has no lots")
    waiting = [lot.code for lot in lots if not lot_ready(lot)]
    if waiting:
        return Refusal(NOT_READY, "Results are not final for lot " + ", ".join(waiting)
                       + ": finalise them (or moderate every bid) before sending the note")
    return None


# The narrative a note cannot be sent without (the others fall back to the signers' comments
# or a standard sentence, or may rightly be empty). Drafts may be incomplete.
REQUIRED_NARRATIVE = (("summary", "Summary"), ("recommendation", "Recommendation"))


def narrative_refusal(narrative: dict | None) -> Refusal | None:
    """None when every required narrative section has text; else which are empty."""
    empty = [label for key, label in REQUIRED_NARRATIVE
             if not str((narrative or {}).get(key) or "").strip()]
    if not empty:
        return None
    sections = " and ".join(empty)
    return Refusal(NOT_READY, f"Write the {sections} before sending the note for signature: "
                              f"{'they are' if len(empty) > 1 else 'it is'} empty")


def edit_refusal(note_state: str) -> Refusal | None:
    """None when the note (narrative, answers, number, annexes) may be changed; else why not."""
    if note_state == "completed":
        return Refusal(READ_ONLY, "The decision note has been signed off, so it is read-only. "
                                  "To change it, start a new version: it is then sent and "
                                  "signed again.")
    return None


def new_version_refusal(note_state: str) -> Refusal | None:
    """None when a new version of the note may be started (the note is signed off)."""
    if note_state != "completed":
        return Refusal(NOT_OPEN, "A new version is started only from a signed-off decision "
                                 "note; this one is not signed off, so change it as it is")
    return None


def checks_staleness(version_state: str, note_state: str) -> bool:
    """Whether the current version can be stale: awaiting signature, or signed and still the
    note as it stands (not superseded, nor a signed version behind a started new version)."""
    return version_state == "sent" or (version_state == "completed"
                                       and note_state == "completed")
