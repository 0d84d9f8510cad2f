"""The sealed bids' rules, as plain values (procurement.bids.opening_rules)."""
from datetime import datetime

from procurement.bids import opening_rules as rules

DEADLINE = datetime(2031, 6, 10, 11, 0)


def _open(**kw):
    args = dict(is_officer=True, state="deadline_passed", now=DEADLINE, deadline=DEADLINE,
                requested=False, opened=False)
    args.update(kw)
    return rules.open_refusal(**args)


def test_an_officer_opens_at_or_after_the_deadline():
    assert _open() is None
    assert _open(now=datetime(2031, 7, 1)) is None


def test_opening_is_refused_before_the_deadline_by_a_second():
    r = _open(now=datetime(2031, 6, 10, 10, 59, 59), state="clarifications")
    assert r.reason == "before_deadline" and "before the tender deadline" in r.message


def test_only_an_officer_opens():
    assert _open(is_officer=False).reason == "not_officer"


def test_opening_twice_is_refused():
    assert _open(opened=True, requested=True).reason == "already_opened"


def test_a_pending_request_is_not_made_again():
    assert _open(requested=True).reason == "already_requested"


def test_no_deadline_or_wrong_state_is_refused():
    assert _open(deadline=None).reason == "no_deadline"
    assert _open(state="tender_published").reason == "wrong_state"
    assert _open(state="evaluation").reason == "wrong_state"


def _confirm(**kw):
    args = dict(is_officer=True, two_person=True, requested_by_id=1, confirmer_id=2,
                opened=False)
    args.update(kw)
    return rules.confirm_refusal(**args)


def test_a_second_different_officer_confirms():
    assert _confirm() is None


def test_the_same_officer_may_not_confirm():
    r = _confirm(confirmer_id=1)
    assert r.reason == "same_officer" and "different officer" in r.message


def test_confirming_needs_a_request_two_person_an_officer_and_unopened_bids():
    assert _confirm(requested_by_id=None).reason == "not_requested"
    assert _confirm(two_person=False).reason == "not_two_person"
    assert _confirm(is_officer=False).reason == "not_officer"
    assert _confirm(opened=True).reason == "already_opened"


def test_two_person_opening_records_a_request_first():
    assert rules.two_person_needed(True, None)
    assert not rules.two_person_needed(False, None)
    assert not rules.two_person_needed(True, 7)


def test_sealed_is_a_tender_bid_not_opened():
    assert rules.is_sealed("tender", "submitted")
    assert rules.is_sealed("tender", "withdrawn")
    assert not rules.is_sealed("tender", "opened")
    assert not rules.is_sealed("workbook", "opened")
    assert not rules.is_sealed("workbook", "submitted")


def test_evaluation_reads_opened_and_outside_bids_only():
    assert rules.open_for_evaluation("workbook", "opened")
    assert rules.open_for_evaluation("tender", "opened")
    assert not rules.open_for_evaluation("tender", "submitted")
    assert not rules.open_for_evaluation("tender", "withdrawn")


def test_price_to_evaluators():
    assert rules.price_visible("", officer=True, scores_submitted=False)
    assert not rules.price_visible("", officer=False, scores_submitted=False)
    assert rules.price_visible("", officer=False, scores_submitted=True)
    assert rules.price_visible("always", officer=False, scores_submitted=False)
    assert not rules.price_visible("never", officer=False, scores_submitted=True)
    assert not rules.price_visible("nonsense", officer=False, scores_submitted=False)


def test_the_records_use_the_rules_own_state_and_source_names():
    from procurement.bids import models

    for name in ("DRAFT", "SUBMITTED", "SUPERSEDED", "WITHDRAWN", "OPENED", "SOURCE_TENDER",
                 "SOURCE_WORKBOOK"):
        assert getattr(models, name) == getattr(rules, name), name
    assert rules.is_sealed(rules.SOURCE_TENDER, rules.SUBMITTED)
    assert not rules.is_sealed(rules.SOURCE_WORKBOOK, rules.SUBMITTED)
