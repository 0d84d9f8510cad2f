"""Notices as rules: the kinds each regime has, what publishing needs, clarifications, and
the warning when a change comes close to the deadline."""
from datetime import datetime, timedelta

import pytest

from procurement.notices import rules
from procurement.notices.rules import LotFacts, PublishedNotice, PublishFacts

NOW = datetime(2031, 3, 3, 10, 0)
LOTS = (LotFacts("A", 2, 100.0, False), LotFacts("B", 1, 100.0, False))
FINAL = tuple(LotFacts(lot.code, lot.criteria, lot.weight_total, True) for lot in LOTS)


def tender(**kw) -> PublishFacts:
    base = dict(regime="PCR2015-OPEN", kind="contract-notice", now=NOW, lots=LOTS,
                deadline=NOW + timedelta(days=40), deadline_local=NOW + timedelta(days=40),
                earliest=NOW + timedelta(days=30), earliest_basis="PCR 2015 reg. 27")
    return PublishFacts(**{**base, **kw})


def test_each_regime_has_its_kinds_and_no_other():
    assert list(rules.kinds_for("PCR2015-LTR")) == ["PIN", "contract-notice", "award-notice"]
    assert {"UK2", "UK3", "UK4", "UK6", "UK7", "UK12"} <= set(rules.kinds_for("PA2023-OPEN"))
    assert rules.draft_refusal("PCR2015-OPEN", "UK4", None, None, False).startswith(
        "UK4 is not a notice of the PCR2015-OPEN regime")
    assert rules.draft_refusal("PA2023-CFP", "contract-notice", None, None, False)
    assert rules.draft_refusal("PA2023-CFP", "UK4", None, None, False) is None


def test_only_a_light_touch_pin_can_be_the_call_for_competition():
    assert rules.draft_refusal("PCR2015-LTR", "PIN", None, None, True) is None
    assert "light-touch" in rules.draft_refusal("PCR2015-OPEN", "PIN", None, None, True)
    assert rules.draft_refusal("PCR2015-LTR", "contract-notice", None, None, True)
    kind = rules.kind_of("PCR2015-LTR", "PIN")
    assert rules.act_of(kind, True) == "publish_tender" and rules.act_of(kind, False) == \
        "publish_notice"


def test_a_correction_supersedes_a_published_notice_of_its_kind_once():
    pin = PublishedNotice(4, "PIN", superseded=False)
    assert rules.draft_refusal("PCR2015-LTR", "PIN", pin, 4, False) is None
    assert "not a published notice" in rules.draft_refusal("PCR2015-LTR", "PIN", None, 9, False)
    assert "same kind" in rules.draft_refusal("PCR2015-LTR", "contract-notice", pin, 4, False)
    assert "already superseded" in rules.draft_refusal(
        "PCR2015-LTR", "PIN", PublishedNotice(4, "PIN", True), 4, False)


def test_a_tender_notice_that_meets_every_rule_may_be_published():
    assert rules.publish_refusals(tender()) == []


@pytest.mark.parametrize("change,says", [
    ({"lots": ()}, "needs at least one lot"),
    ({"lots": (LotFacts("A", 0, 0.0, False),)}, "Lot A has no award criteria"),
    ({"lots": (LotFacts("A", 2, 99.0, False),)}, "weigh 99 in all, not 100"),
    ({"deadline": None, "deadline_local": None}, "Record the tender deadline"),
    ({"deadline": NOW, "deadline_local": NOW}, "not in the future"),
    ({"deadline": NOW + timedelta(days=20), "deadline_local": NOW + timedelta(days=20)},
     "shorter than the minimum period: the earliest lawful deadline is 2 April 2031"),
    ({"published": (PublishedNotice(1, "contract-notice", False),)}, "already published"),
])
def test_a_tender_notice_is_refused_with_the_reason(change, says):
    refusals = rules.publish_refusals(tender(**change))
    assert any(says in r for r in refusals), refusals


def test_the_light_touch_regime_sets_no_number_of_days():
    assert rules.publish_refusals(tender(regime="PCR2015-LTR", earliest=None,
                                         deadline=NOW + timedelta(days=3),
                                         deadline_local=NOW + timedelta(days=3))) == []


def test_a_correction_of_a_published_notice_is_not_a_second_notice():
    cn = PublishedNotice(1, "contract-notice", False)
    assert rules.publish_refusals(tender(published=(cn,), supersedes=cn, supersedes_id=1)) == []


def award(**kw) -> PublishFacts:
    base = dict(regime="PA2023-OPEN", kind="UK6", now=NOW, lots=FINAL,
                deadline=NOW - timedelta(days=30), summaries_issued=True, state="award_notice")
    return PublishFacts(**{**base, **kw})


def test_an_award_notice_needs_the_deadline_passed_final_results_and_under_the_act_summaries():
    assert rules.publish_refusals(award()) == []
    assert any("has not passed" in r for r in rules.publish_refusals(
        award(deadline=NOW + timedelta(hours=1))))
    assert any("not final for lot A, B" in r for r in rules.publish_refusals(award(lots=LOTS)))
    assert any("s.50" in r for r in rules.publish_refusals(award(summaries_issued=False)))
    # the regulations have no assessment summaries
    assert rules.publish_refusals(award(regime="PCR2015-LTR", kind="award-notice",
                                        summaries_issued=False)) == []
    # a tender run elsewhere: no deadline recorded here, no tender notice needed
    assert rules.publish_refusals(award(deadline=None)) == []


def test_contract_details_follow_the_award_and_the_contract():
    uk6 = PublishedNotice(1, "UK6", False)
    ok = PublishFacts(regime="PA2023-OPEN", kind="UK7", now=NOW, published=(uk6,),
                      state="contract")
    assert rules.publish_refusals(ok) == []
    early = PublishFacts(regime="PA2023-OPEN", kind="UK7", now=NOW, state="standstill",
                         published=(uk6,))
    assert any("standstill must have ended" in r for r in rules.publish_refusals(early))
    assert any("before the contract details" in r for r in rules.publish_refusals(
        PublishFacts(regime="PA2023-OPEN", kind="UK7", now=NOW, state="contract")))


def test_termination_needs_a_tender_and_no_award_and_ends_everything():
    uk4 = PublishedNotice(1, "UK4", False)
    assert rules.publish_refusals(PublishFacts(regime="PA2023-OPEN", kind="UK12", now=NOW,
                                               published=(uk4,))) == []
    assert any("Nothing to terminate" in r for r in rules.publish_refusals(
        PublishFacts(regime="PA2023-OPEN", kind="UK12", now=NOW)))
    after = (uk4, PublishedNotice(2, "UK12", False))
    assert any("terminated" in r for r in rules.publish_refusals(award(published=after)))


def test_questions_close_at_their_deadline_and_only_open_competitions_take_them():
    assert rules.asking_refusal(True, False, NOW + timedelta(minutes=1), NOW) is None
    assert "passed" in rules.asking_refusal(True, False, NOW, NOW)
    assert "not open" in rules.asking_refusal(False, False, None, NOW)
    assert "terminated" in rules.asking_refusal(True, True, None, NOW)
    assert rules.question_refusal("  ") == "Enter your question"
    assert "5,000" in rules.question_refusal("x" * 5001)
    assert rules.answer_refusal("Q?", "") == "Enter the answer"


def test_a_late_change_warns_with_the_regimes_rule():
    soon = NOW + timedelta(days=5, hours=23)
    warning = rules.late_change_warning("PCR2015-OPEN", soon, NOW)
    assert "5 days, 23 hours away, fewer than 6 days" in warning and "reg. 47(3)(a)" in warning
    assert "s.31" in rules.late_change_warning("PA2023-OPEN", soon, NOW)
    assert "reg. 76" in rules.late_change_warning("PCR2015-LTR", soon, NOW)
    assert rules.late_change_warning("PCR2015-OPEN", NOW + timedelta(days=6), NOW) is None
    assert rules.late_change_warning("PCR2015-OPEN", NOW - timedelta(days=1), NOW) is None
    assert rules.late_change_warning("PCR2015-OPEN", None, NOW) is None


def test_time_left_in_words():
    assert rules.time_left(NOW + timedelta(days=12, hours=3), NOW) == "12 days, 3 hours"
    assert rules.time_left(NOW + timedelta(days=1), NOW) == "1 day"
    assert rules.time_left(NOW + timedelta(hours=5, minutes=20), NOW) == "5 hours, 20 minutes"
    assert rules.time_left(NOW + timedelta(seconds=20), NOW) == "1 minute"
    assert rules.time_left(NOW, NOW) == "closed"
