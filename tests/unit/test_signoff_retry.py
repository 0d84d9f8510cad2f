"""When Tender tries DocuSign again: final refusals, Retry-After, backoff, and the bounds."""
from datetime import datetime, timezone

import pytest

from decisions.signoff.retry import NOT_SENT, Outcome, Policy, next_step, retry_after_seconds

RULES = Policy(attempts=3, max_wait=10, backoff=1)


@pytest.mark.parametrize("status", [401, 403])
def test_refused_credentials_are_final_and_say_what_to_check(status):
    step = next_step(Outcome(status, detail="USER_AUTHENTICATION_FAILED"), 1, 0, RULES)
    assert not step.retry and f"({status}: USER_AUTHENTICATION_FAILED)" in step.message
    assert "DOCUSIGN_INTEGRATION_KEY" in step.message and step.message.endswith(NOT_SENT)


@pytest.mark.parametrize("status", [400, 404, 409, 422])
def test_other_refusals_are_final(status):
    step = next_step(Outcome(status, detail="ANCHOR_TAB_STRING_NOT_FOUND"), 1, 0, RULES)
    assert not step.retry and "refused the envelope" in step.message
    assert "ANCHOR_TAB_STRING_NOT_FOUND" in step.message


def test_429_waits_as_long_as_retry_after_asks():
    step = next_step(Outcome(429, retry_after=2), 1, 0, RULES)
    assert step.retry and step.wait == 2
    step = next_step(Outcome(429), 2, 0, RULES)  # no Retry-After: the backoff
    assert step.retry and step.wait == 2


def test_429_longer_than_the_wait_allowed_gives_up_saying_when_to_try_again():
    step = next_step(Outcome(429, retry_after=30), 1, 0, RULES)
    assert not step.retry and "try again in 30 seconds" in step.message
    step = next_step(Outcome(429, retry_after=0.2), 1, 0, RULES)
    assert step.retry and step.wait == 0.2


@pytest.mark.parametrize("outcome,problem", [(Outcome(500), "failed (500)"),
                                             (Outcome(503), "failed (503)"),
                                             (Outcome(None, detail="timed out"),
                                              "did not answer in time: timed out")])
def test_5xx_and_no_answer_back_off_then_give_up(outcome, problem):
    assert [next_step(outcome, n, 0, RULES).wait for n in (1, 2)] == [1, 2]
    last = next_step(outcome, 3, 3, RULES)
    assert not last.retry and problem in last.message and "never sent twice" in last.message


def test_the_total_wait_is_bounded():
    assert not next_step(Outcome(503), 2, 9, RULES).retry  # 9 s waited, 2 more: over 10
    assert next_step(Outcome(503), 2, 8, RULES).retry


@pytest.mark.parametrize("value,seconds", [("2", 2.0), ("0", 0.0), (" 7 ", 7.0),
                                           ("Wed, 21 Oct 2015 07:28:30 GMT", 30.0),
                                           ("Wed, 21 Oct 2015 07:27:00 GMT", 0.0),
                                           ("soon", None), ("", None), (None, None),
                                           ("nan", None), ("-5", 0.0)])
def test_retry_after_is_seconds_or_an_http_date(value, seconds):
    now = datetime(2015, 10, 21, 7, 28, tzinfo=timezone.utc)
    assert retry_after_seconds(value, now) == seconds
