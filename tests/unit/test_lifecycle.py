"""The lifecycle's moves, refusals and locks, over plain values."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from procurement import lifecycle as lc


@pytest.mark.parametrize("state,act,after", [
    ("draft", "publish_notice", "notices_published"),
    ("notices_published", "engage", "market_engagement"),
    ("draft", "publish_tender", "tender_published"),
    ("market_engagement", "publish_tender", "tender_published"),
    ("tender_published", "clarify", "clarifications"),
    ("deadline_passed", "open_bids", "bids_opened"),
    ("bids_opened", "finalise_results", "results_final"),
    ("moderation", "finalise_results", "results_final"),
    ("results_final", "draft_note", "decision_drafting"),
    ("decision_drafting", "send_note", "sign_off"),
    ("results_final", "send_note", "sign_off"),
    ("sign_off", "complete_signoff", "award_notice"),
    ("award_notice", "new_note_version", "decision_drafting"),
    ("award_notice", "publish_award", "standstill"),
    ("draft", "receive_bids_outside", "evaluation"),
])
def test_acts_move_the_procurement(state, act, after):
    assert lc.advance(state, act) == (after, None)


def test_doing_again_what_is_recorded_keeps_the_state():
    # a second lot marked final, or a note saved again while signing is under way
    assert lc.advance("results_final", "finalise_results") == ("results_final", None)
    assert lc.advance("decision_drafting", "draft_note") == ("decision_drafting", None)
    # drafting the note while it is out for signature does not pull it back
    assert lc.advance("sign_off", "draft_note")[1].reason == "too_late"


@pytest.mark.parametrize("state,act,reason", [
    ("tender_published", "open_bids", "too_early"),   # not before the deadline has passed
    ("clarifications", "open_bids", "too_early"),
    ("bids_opened", "open_bids", "too_late"),
    ("draft", "send_note", "too_early"),
    ("award_notice", "send_note", "too_late"),        # signed: a new version first
    ("sign_off", "publish_award", "too_early"),
    ("deadline_passed", "publish_tender", "too_late"),
    ("draft", "nonsense", "unknown_act"),
    ("limbo", "open_bids", "unknown_state"),
])
def test_acts_out_of_their_state_are_refused_with_the_reason(state, act, reason):
    after, refusal = lc.advance(state, act)
    assert after == state and refusal.reason == reason and refusal.message


def test_the_refusal_says_where_it_stands_and_what_comes_next():
    _, refusal = lc.advance("tender_published", "open_bids")
    assert "Tender published" in refusal.message and "clarification" in refusal.message


def test_the_clock_passes_the_deadline_and_ends_the_standstill():
    deadline = datetime(2023, 3, 28, 12, 0)
    assert lc.by_the_clock("tender_published", datetime(2023, 3, 28, 11, 59), deadline,
                           date(2023, 3, 28), None) == "tender_published"
    assert lc.by_the_clock("clarifications", datetime(2023, 3, 28, 12, 0), deadline,
                           date(2023, 3, 28), None) == "deadline_passed"
    # no deadline recorded: time moves nothing
    assert lc.by_the_clock("tender_published", datetime(2030, 1, 1), None, date(2030, 1, 1),
                           None) == "tender_published"
    end = date(2023, 9, 4)
    assert lc.by_the_clock("standstill", datetime(2023, 9, 4, 23), None, end, end) == "standstill"
    assert lc.by_the_clock("standstill", datetime(2023, 9, 5), None, date(2023, 9, 5),
                           end) == "contract"
    # other states are not moved by the clock
    assert lc.by_the_clock("evaluation", datetime(2030, 1, 1), deadline, date(2030, 1, 1),
                           end) == "evaluation"


def test_set_up_fields_lock_once_the_tender_is_published():
    assert lc.locked_fields("draft") == frozenset()
    assert lc.locked_fields("market_engagement") == frozenset()
    assert "regime" in lc.locked_fields("tender_published")
    assert "lots" in lc.locked_fields("evaluation")
    assert lc.edit_refusal("draft", "regime") is None
    assert lc.edit_refusal("tender_published", "regime").reason == "locked"
    assert lc.edit_refusal("tender_published", "not_a_field") is None


def test_every_state_has_a_label_and_a_next_step():
    assert all(lc.label(s) != s and lc.next_step(s) for s in lc.STATES)
    assert all(lc.ACTS[a].to in lc.STATES for a in lc.ACTS)
