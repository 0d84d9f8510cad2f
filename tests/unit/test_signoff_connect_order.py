"""The sign-off order through DocuSign Connect: `connect_order_refusal` (no app)."""
import pytest

from decisions.signoff import rules as r


def recorded_signoffs(*signed):
    """Five places; those in `signed` have signed."""
    return [r.RecordedSignOff(position=i, role=f"role{i}", user_id=i, signed_by=None, signed=i in signed)
            for i in range(1, 6)]


@pytest.mark.parametrize("signed, positions", [
    ((), [1]), ((1,), [2]), ((1, 2, 3, 4), [5]),
    ((), [1, 2, 3, 4, 5]), ((), [5, 3, 1, 4, 2]),  # any order given: taken in routing order
    ((1, 2), [3, 4]), ((1, 2), [5, 4, 3]),
    ((1,), [1]), ((1, 2, 3, 4, 5), [3]),  # a place already signed is a repeat
    ((1, 2), []),
])
def test_signatures_that_keep_the_order_are_allowed(signed, positions):
    assert r.connect_order_refusal(recorded_signoffs(*signed), positions) is None


@pytest.mark.parametrize("signed, positions, gap", [
    ((), [2], 1), ((), [5], 1), ((1,), [3], 2), ((1, 2), [4, 5], 3),
    ((), [1, 2, 4, 5], 3),  # a summary with signer 3 not completed
    ((1, 3), [4], 2),  # a gap left by earlier data is not signed past
])
def test_a_signer_whose_turn_has_not_come_is_refused(signed, positions, gap):
    refusal = r.connect_order_refusal(recorded_signoffs(*signed), positions)
    assert refusal is not None and refusal.reason == r.OUT_OF_ORDER
    assert f"place {gap})" in refusal.message


def test_a_place_not_in_the_order_is_refused():
    refusal = r.connect_order_refusal(recorded_signoffs(), [9])
    assert refusal is not None and refusal.reason == r.NOT_APPROVER


def test_the_rule_agrees_with_the_apps_next_place():
    for signed in range(6):
        s = recorded_signoffs(*range(1, signed + 1))
        nxt = r.next_signoff(s)
        for position in range(1, 6):
            ok = r.connect_order_refusal(s, [position]) is None
            assert ok == (position <= signed or (nxt is not None and nxt.position == position))
