"""Every individual score is in a sent note's frozen snapshot as one digest, those under a
consensus too; a version sent before the digest is compared the way it was made."""
import json
from decimal import Decimal

import pytest
from sqlalchemy import select

from decisions.models import DecisionNote
from decisions.note.builder import build_note_data
from decisions.signoff.freeze import sha256_snapshot, snapshot_of, what_changed
from evaluation.models import Consensus, Score
from evaluation.results.inputs import lot_inputs, scores_digest
from extensions import db
from procurement.models import Bid, PanelMember
from tests.integration.signing_fixtures import small_tender


def _status(app, ref):
    out = app.test_cli_runner().invoke(args=["decision-note", "status", ref, "--format", "json"])
    assert out.exit_code == 0, out.output
    return json.loads(out.output)


def _send(app, p):
    out = app.test_cli_runner().invoke(args=["decision-note", "send", p.reference])
    assert out.exit_code == 0, out.output


@pytest.fixture()
def scored(app, users):
    """A tender whose first lot's first consensus has an individual score beneath it."""
    p = small_tender(users["officer"].organisation)
    consensus = db.session.scalars(select(Consensus).join(Bid).where(
        Bid.lot_id == p.lots[0].id).order_by(Consensus.id)).first()
    member = PanelMember(lot_id=p.lots[0].id, name="Panel Member A")
    db.session.add(member)
    db.session.flush()
    score = Score(bid_id=consensus.bid_id, criterion_id=consensus.criterion_id,
                  member_id=member.id, value=Decimal("2"), state="submitted")
    db.session.add(score)
    db.session.commit()
    return p, score


def test_a_score_under_a_consensus_changed_after_send_makes_the_note_stale(app, scored):
    p, score = scored
    _send(app, p)
    assert _status(app, p.reference)["stale"] is False
    score.value = Decimal("3")  # the engine uses the consensus: no figure drawn moves
    db.session.commit()
    assert _status(app, p.reference)["stale"] is True
    note = db.session.scalar(select(DecisionNote).where(DecisionNote.procurement_id == p.id))
    assert what_changed(note.current_version, note) == ["figures"]
    score.value = Decimal("2")  # changed back: the note is whole again
    db.session.commit()
    assert _status(app, p.reference)["stale"] is False


def test_the_snapshot_holds_a_digest_not_every_score(app, scored):
    p, score = scored
    _send(app, p)
    note = db.session.scalar(select(DecisionNote).where(DecisionNote.procurement_id == p.id))
    snapshot = note.current_version.snapshot
    assert snapshot["scores"] == scores_digest(p) and len(snapshot["scores"]) == 64
    assert all(lot["scores"] == {} for lot in snapshot["inputs"])  # all moderated


def test_the_digest_names_each_score_and_sees_pending_changes(app, scored):
    p, score = scored
    before = scores_digest(p)
    assert scores_digest(p) == before  # the same records, the same digest
    score.value = Decimal("2.5")  # not yet flushed: the digest flushes first
    assert scores_digest(p) != before
    db.session.rollback()
    assert scores_digest(p) == before
    assert scores_digest(p, lots=[]) != before  # no lots: no scores


def test_a_version_sent_before_the_digest_is_compared_as_it_was_made(app, scored):
    """Its snapshot holds every score in "inputs" and no "scores": rebuilt the new way it
    would always differ, and a change made and undone would leave it stale for good."""
    p, score = scored
    _send(app, p)
    note = db.session.scalar(select(DecisionNote).where(DecisionNote.procurement_id == p.id))
    version = note.current_version
    old = snapshot_of(build_note_data(p, note), lot_inputs(p, all_scores=True))
    assert "scores" not in old and any(lot["scores"] for lot in old["inputs"])
    version.snapshot, version.snapshot_sha256 = old, sha256_snapshot(old)
    db.session.commit()
    lot = p.lots[0]
    value = lot.annual_value
    lot.annual_value = value + 1  # the counters move ...
    db.session.commit()
    assert _status(app, p.reference)["stale"] is True
    lot.annual_value = value  # ... and the figure comes back: whole, by the old recipe
    db.session.commit()
    assert _status(app, p.reference)["stale"] is False
