"""The lifecycle of a procurement (DOMAIN.md): its states, the acts that move it, and what locks.

Pure: plain values in, a new state or a refusal out. The services call `advance` when an act
is done (publishing a notice, opening the bids, final results, sending the note, completed
sign-off, the award notice), and `by_the_clock` on each request for the moves that time makes
(the tender deadline passing, the standstill ending), so no scheduled job is needed.

A state is the phase the procurement is in: "award_notice" means the decision is signed and
the award notice is what comes next; "contract" means the standstill has ended.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

STATES = ("draft", "notices_published", "market_engagement", "tender_published",
          "clarifications", "deadline_passed", "bids_opened", "selection", "evaluation",
          "moderation", "results_final", "decision_drafting", "sign_off", "award_notice",
          "standstill", "contract")
ORDER = {s: i for i, s in enumerate(STATES)}

LABELS = {
    "draft": "Set-up", "notices_published": "Notices published",
    "market_engagement": "Market engagement", "tender_published": "Tender published",
    "clarifications": "Clarifications", "deadline_passed": "Tender deadline passed",
    "bids_opened": "Bids opened", "selection": "Selection", "evaluation": "Evaluation",
    "moderation": "Moderation", "results_final": "Results final",
    "decision_drafting": "Decision note drafting", "sign_off": "Sign-off",
    "award_notice": "Award notice", "standstill": "Standstill", "contract": "Contract",
}
NEXT = {
    "draft": "Finish the set-up and publish a notice.",
    "notices_published": "Hold market engagement, or publish the tender notice.",
    "market_engagement": "Publish the tender notice.",
    "tender_published": "Answer clarification questions until the tender deadline.",
    "clarifications": "Answer clarification questions until the tender deadline.",
    "deadline_passed": "Open the bids.",
    "bids_opened": "Mark the selection questionnaires and financial standing.",
    "selection": "Finish selection, then the panel scores the bids.",
    "evaluation": "The panel scores the bids; then moderate to consensus.",
    "moderation": "Moderate every bid, then mark the results final.",
    "results_final": "Draft the decision note.",
    "decision_drafting": "Send the decision note for signature.",
    "sign_off": "The approvers sign the decision note in turn.",
    "award_notice": "Send the letters and publish the award notice.",
    "standstill": "Wait for the standstill to end before entering into the contract.",
    "contract": "The contract may be entered into.",
}


@dataclass(frozen=True)
class Refusal:
    reason: str
    message: str


@dataclass(frozen=True)
class Act:
    """An act that moves the procurement: from which states, and to which."""

    name: str
    to: str
    earliest: str  # the first state it belongs to
    latest: str  # the last state it belongs to
    words: str  # the act as a person would name it, for refusals


ACTS = {a.name: a for a in (
    Act("publish_notice", "notices_published", "draft", "market_engagement",
        "publish a prior information or engagement notice"),
    Act("engage", "market_engagement", "notices_published", "market_engagement",
        "record market engagement"),
    Act("publish_tender", "tender_published", "draft", "market_engagement",
        "publish the tender notice"),
    Act("clarify", "clarifications", "tender_published", "clarifications",
        "publish a clarification answer"),
    Act("open_bids", "bids_opened", "deadline_passed", "deadline_passed", "open the bids"),
    # Bids received outside Tender (an imported workbook) start the evaluation directly.
    Act("receive_bids_outside", "evaluation", "draft", "evaluation",
        "import bids received outside Tender"),
    Act("start_selection", "selection", "bids_opened", "selection", "start selection"),
    Act("start_evaluation", "evaluation", "bids_opened", "evaluation", "start scoring"),
    Act("start_moderation", "moderation", "evaluation", "moderation", "start moderation"),
    Act("finalise_results", "results_final", "bids_opened", "results_final",
        "mark the results final"),
    Act("draft_note", "decision_drafting", "results_final", "decision_drafting",
        "draft the decision note"),
    Act("send_note", "sign_off", "results_final", "sign_off",
        "send the decision note for signature"),
    Act("complete_signoff", "award_notice", "sign_off", "sign_off", "complete the sign-off"),
    # A signed note changed by a new version goes back to drafting.
    Act("new_note_version", "decision_drafting", "award_notice", "award_notice",
        "start a new version of the signed decision note"),
    Act("publish_award", "standstill", "award_notice", "award_notice",
        "publish the award notice"),
)}


def label(state: str) -> str:
    return LABELS.get(state, state)


def next_step(state: str) -> str:
    return NEXT.get(state, "")


def refusal(state: str, act_name: str) -> Refusal | None:
    """Why `act_name` does not belong to `state`, or None when it does."""
    act = ACTS.get(act_name)
    if act is None:
        return Refusal("unknown_act", f"{act_name} is not an act of the lifecycle")
    here = ORDER.get(state)
    if here is None:
        return Refusal("unknown_state", f"{state} is not a state of the lifecycle")
    if here < ORDER[act.earliest]:
        return Refusal("too_early", f"You cannot {act.words} yet: the procurement is at "
                                    f"“{label(state)}”. Next: {next_step(state)}")
    if here > ORDER[act.latest]:
        return Refusal("too_late", f"You cannot {act.words} now: the procurement is already "
                                   f"at “{label(state)}”.")
    return None


def advance(state: str, act_name: str) -> tuple[str, Refusal | None]:
    """(the state after the act, None), or (the state unchanged, the refusal).

    An act never moves a procurement backwards except a new version of a signed note;
    doing again what the state already records keeps the state (e.g. a second lot made final).
    """
    problem = refusal(state, act_name)
    if problem is not None:
        return state, problem
    act = ACTS[act_name]
    if ORDER[act.to] < ORDER[state] and act_name != "new_note_version":
        return state, None
    return act.to, None


def by_the_clock(state: str, now: datetime, tender_deadline: datetime | None,
                 today: date, standstill_end: date | None) -> str:
    """The state time has moved the procurement to (deadline passed, standstill ended).

    `now` and `tender_deadline` are both naive UTC; `today` and `standstill_end` UK dates.
    """
    if state in ("tender_published", "clarifications") and tender_deadline is not None \
            and now >= tender_deadline:
        return "deadline_passed"
    if state == "standstill" and standstill_end is not None and today > standstill_end:
        return "contract"
    return state


# Set-up fields the law fixes once the tender notice is published: changing them then needs
# a superseding notice (Notices). Lots' and partners' figures lock with them.
LOCKED_AFTER_TENDER = frozenset({
    "reference", "title", "description", "organisation", "regime", "relates_to",
    "cpv_codes", "region", "buyer_kind", "initial_term_years", "extension_years",
    "min_delphi", "two_person_opening", "lots", "partners", "tender_deadline",
})


def locked_fields(state: str) -> frozenset[str]:
    """The set-up fields that may no longer be changed in `state`."""
    if ORDER.get(state, 0) >= ORDER["tender_published"]:
        return LOCKED_AFTER_TENDER
    return frozenset()


def edit_refusal(state: str, field: str) -> Refusal | None:
    if field in locked_fields(state):
        return Refusal("locked", f"The {field.replace('_', ' ')} cannot be changed now that the "
                                 "tender notice is published: publish a notice that "
                                 "supersedes it instead.")
    return None
