"""When a signed-in session has ended: generation, active flag, idle and absolute timeouts."""
from datetime import datetime, timedelta

import pytest

from accounts.session_rules import ENDED, Timeouts, session_refusal, timeouts_from

START = datetime(2024, 5, 2, 9, 0)
LIMITS = Timeouts(idle=timedelta(minutes=30), absolute=timedelta(hours=12))


def refusal(now, last_seen=None, generation=3, user_generation=3, active=True):
    return session_refusal(started=START, last_seen=last_seen or START, now=now,
                           generation=generation, user_generation=user_generation,
                           active=active, timeouts=LIMITS)


def test_a_fresh_session_is_live():
    assert refusal(START) is None
    assert refusal(START + timedelta(minutes=29, seconds=59)) is None


def test_idle_for_the_timeout_ends_it():
    message = refusal(START + timedelta(minutes=30))
    assert message and "did nothing for 30 minutes" in message


def test_activity_keeps_it_going_until_the_absolute_timeout():
    now = START + timedelta(hours=11, minutes=59)
    assert refusal(now, last_seen=now - timedelta(minutes=5)) is None
    now = START + timedelta(hours=12)
    message = refusal(now, last_seen=now - timedelta(minutes=1))
    assert message and "more than 12 hours ago" in message


@pytest.mark.parametrize("generation,user_generation", [(1, 2), (3, 4), (5, 4)])
def test_another_generation_has_ended(generation, user_generation):
    assert refusal(START, generation=generation, user_generation=user_generation) == ENDED


def test_a_deactivated_person_is_signed_out():
    assert refusal(START, active=False) == ENDED


@pytest.mark.parametrize("idle,absolute,expected", [
    ("30", "12", Timeouts(timedelta(minutes=30), timedelta(hours=12))),
    ("5", "1", Timeouts(timedelta(minutes=5), timedelta(hours=1))),
    (" 45 ", None, Timeouts(timedelta(minutes=45), timedelta(hours=12))),
    ("0", "-3", Timeouts()),  # nonsense is the default, never "no timeout"
    ("half an hour", "", Timeouts()),
    (None, None, Timeouts()),
])
def test_timeouts_come_from_the_settings_with_safe_defaults(idle, absolute, expected):
    assert timeouts_from(idle, absolute) == expected


def test_messages_say_one_minute_or_hour_in_the_singular():
    limits = Timeouts(idle=timedelta(minutes=1), absolute=timedelta(hours=1))
    assert "for 1 minute." in session_refusal(
        started=START, last_seen=START, now=START + timedelta(minutes=1), generation=1,
        user_generation=1, active=True, timeouts=limits)
    assert "more than 1 hour ago" in session_refusal(
        started=START, last_seen=START + timedelta(minutes=59, seconds=30),
        now=START + timedelta(hours=1), generation=1, user_generation=1, active=True,
        timeouts=limits)
