"""Sign-off rules: order, who may sign next, completion and the send guard (no app)."""
from decisions.signoff import rules as r

ROLES = ["originating_officer", "chief_executive", "monitoring_officer", "s151_officer",
         "commissioner"]
LABELS = {"originating_officer": "Originating officer", "chief_executive": "Chief Executive",
          "monitoring_officer": "Monitoring Officer", "s151_officer": "Section 151 Officer",
          "commissioner": "Commissioner"}
BUYER = 7


def person(i):
    return r.Holder(i, f"Holder {i}", f"p{i}@example.org")


def holders():
    return {role: [person(i)] for i, role in enumerate(ROLES, 1)}


def recorded_signoffs(signed=0, **over):
    """Five places assigned to users 1..5; the first `signed` have signed."""
    out = []
    for i, role in enumerate(ROLES, 1):
        out.append(r.RecordedSignOff(position=i, role=role, user_id=i,
                          signed_by=i if i <= signed else None, signed=i <= signed))
    return out


def who(i, *roles, org=BUYER):
    return r.Signer(i, frozenset(roles or [ROLES[i - 1]]), org)


def refusal(slots_, position, person_, state="sent", stale=False):
    return r.sign_refusal(slots_, position, person_, BUYER, state=state, stale=stale)


# ---- plan ----------------------------------------------------------------------------------

def test_plan_follows_the_organisations_order_with_the_first_holder_of_each_role():
    places = r.plan(ROLES, holders(), LABELS)
    assert [p.role for p in places] == ROLES
    assert [p.position for p in places] == [1, 2, 3, 4, 5]
    assert [p.recipient_id for p in places] == ["1", "2", "3", "4", "5"]
    assert places[1].name == "Holder 2" and places[1].email == "p2@example.org"
    assert places[1].user_id == 2


def test_plan_uses_a_configured_order():
    order = ["commissioner", "originating_officer", "s151_officer"]
    places = r.plan(order, holders(), LABELS)
    assert [(p.position, p.role) for p in places] == [
        (1, "commissioner"), (2, "originating_officer"), (3, "s151_officer")]


def test_a_role_nobody_holds_gets_its_label_and_no_user():
    h = holders()
    h["chief_executive"] = []
    place = r.plan(ROLES, h, LABELS)[1]
    assert (place.name, place.email, place.user_id) == ("Chief Executive", "", None)


def test_plan_prefers_a_different_person_for_each_place():
    h = holders()
    h["monitoring_officer"] = [person(2), person(9)]  # the CE also holds MO; 9 is a deputy
    places = r.plan(ROLES, h, LABELS)
    assert places[2].user_id == 9
    assert r.plan_refusal(places, LABELS) is None


def test_one_person_in_two_places_is_refused():
    h = holders()
    h["monitoring_officer"] = [person(2)]
    places = r.plan(ROLES, h, LABELS)
    refusal_ = r.plan_refusal(places, LABELS)
    assert refusal_ and "Holder 2" in refusal_.message
    assert "Chief Executive" in refusal_.message and "Monitoring Officer" in refusal_.message


# ---- who signs next ------------------------------------------------------------------------

def test_the_first_place_signs_first():
    assert r.next_signoff(recorded_signoffs()).position == 1
    assert refusal(recorded_signoffs(), 1, who(1)) is None


def test_the_next_approver_may_sign_after_the_previous_one():
    assert r.next_signoff(recorded_signoffs(2)).position == 3
    assert refusal(recorded_signoffs(2), 3, who(3)) is None


def test_nobody_signs_out_of_order():
    got = refusal(recorded_signoffs(), 2, who(2))
    assert got.reason == r.OUT_OF_ORDER and r.http_status(got.reason) == 403
    assert refusal(recorded_signoffs(1), 5, who(5)).reason == r.OUT_OF_ORDER


def test_nobody_signs_for_another_role():
    got = refusal(recorded_signoffs(), 1, who(3))  # the Monitoring Officer in the originating officer's place
    assert got.reason == r.WRONG_ROLE and r.http_status(got.reason) == 403


def test_holding_the_role_is_not_enough_when_a_person_is_assigned():
    deputy = r.Signer(42, frozenset({"originating_officer"}), BUYER)
    assert refusal(recorded_signoffs(), 1, deputy).reason == r.WRONG_ROLE


def test_an_unassigned_place_may_be_signed_by_any_holder_of_its_role():
    open_slots = recorded_signoffs()
    open_slots[0] = r.RecordedSignOff(1, "originating_officer", None, None, False)
    assert refusal(open_slots, 1, r.Signer(42, frozenset({"originating_officer"}), BUYER)) \
        is None
    assert refusal(open_slots, 1, who(2)).reason == r.WRONG_ROLE


def test_nobody_signs_twice():
    got = refusal(recorded_signoffs(1), 1, who(1))
    assert got.reason == r.ALREADY_SIGNED and r.http_status(got.reason) == 409


def test_a_person_who_signed_one_place_does_not_sign_another():
    s = recorded_signoffs(1)
    s[1] = r.RecordedSignOff(2, "chief_executive", None, None, False)  # unassigned CE place
    both = r.Signer(1, frozenset({"originating_officer", "chief_executive"}), BUYER)
    assert refusal(s, 2, both).reason == r.ALREADY_SIGNED


def test_another_organisations_approver_is_refused():
    got = refusal(recorded_signoffs(), 1, who(1, org=99))
    assert got.reason == r.NOT_APPROVER and r.http_status(got.reason) == 403
    assert refusal(recorded_signoffs(), 1, who(1, org=None)).reason == r.NOT_APPROVER


def test_an_unknown_place_is_refused():
    assert refusal(recorded_signoffs(), 9, who(1)).reason == r.NOT_APPROVER


def test_a_stale_note_is_not_signed():
    got = refusal(recorded_signoffs(4), 5, who(5), stale=True)
    assert got.reason == r.STALE and r.http_status(got.reason) == 409


def test_a_completed_or_superseded_version_is_not_signed():
    for state in ("completed", "superseded", "draft"):
        assert refusal(recorded_signoffs(), 1, who(1), state=state).reason == r.NOT_OPEN


def test_places_for_lists_only_the_persons_own_places():
    assert [s.position for s in r.signoffs_for(recorded_signoffs(), who(3), BUYER)] == [3]
    assert r.signoffs_for(recorded_signoffs(), who(3, org=99), BUYER) == []


# ---- completion ----------------------------------------------------------------------------

def test_completion_needs_every_signature():
    assert not r.is_complete(recorded_signoffs(4)) and r.is_complete(recorded_signoffs(5))
    assert r.completion_refusal(recorded_signoffs(4), state="sent", stale=False).reason == r.INCOMPLETE
    assert r.completion_refusal(recorded_signoffs(5), state="sent", stale=False) is None


def test_completion_is_refused_while_stale():
    got = r.completion_refusal(recorded_signoffs(5), state="sent", stale=True)
    assert got.reason == r.STALE and r.http_status(got.reason) == 409


def test_completion_of_a_version_not_open():
    assert r.completion_refusal(recorded_signoffs(5), state="superseded", stale=False).reason == r.NOT_OPEN
    assert not r.is_complete([])


# ---- the send guard ------------------------------------------------------------------------

def lot(code, final=False, bids=(("ranked", True),)):
    return r.LotReadiness(code, final, tuple(bids))


def test_send_when_every_lots_results_are_final():
    assert r.send_refusal([lot("A", True, ()), lot("B", True)], "draft") is None


def test_send_refused_while_a_lot_is_not_final_naming_it():
    got = r.send_refusal([lot("A", True), lot("B", False, [("ranked", False)])], "draft")
    assert got.reason == r.NOT_READY and "lot B" in got.message


def test_imported_lot_with_every_bid_moderated_or_excluded_may_be_sent():
    bids = [("ranked", True), ("ranked", True), ("excluded", False)]
    assert r.send_refusal([lot("A", False, bids)], "sent") is None


def test_an_incomplete_bid_or_an_empty_lot_blocks_sending():
    assert r.send_refusal([lot("A", False, [("ranked", True), ("incomplete", False)])],
                          "draft").reason == r.NOT_READY
    assert r.send_refusal([lot("A", False, [])], "draft").reason == r.NOT_READY
    assert r.send_refusal([], "draft").reason == r.NOT_READY


def test_a_completed_note_is_not_sent_again():
    assert r.send_refusal([lot("A", True)], "completed").reason == r.NOT_OPEN


def test_a_note_is_not_sent_while_a_required_narrative_section_is_empty():
    from decisions.signoff.rules import narrative_refusal
    both = narrative_refusal({})
    assert both and "Summary and Recommendation" in both.message
    one = narrative_refusal({"summary": "Award.", "recommendation": "   "})
    assert one and "Recommendation" in one.message and "Summary" not in one.message
    assert narrative_refusal({"summary": "Award.", "recommendation": "Approve."}) is None
