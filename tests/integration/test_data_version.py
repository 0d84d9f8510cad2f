"""The data version (procurement.data_version): every change the decision note depends on
bumps the right counter in its own transaction; a page view, a rollback and what the note
does not draw bump nothing; a sent note is stale by its counters, for one query."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import event, select

from decisions.models import Annex, DecisionNote
from decisions.signoff import freeze
from evaluation.models import Consensus, Criterion, Score, SectionMinimum
from extensions import db
from procurement.data_version import Counters, counters
from procurement.models import (Bid, EngagementEvent, Lot, PanelMember, PartnerContribution,
                                TimelineDate)
from tests.conftest import csrf_token
from tests.integration.signing_fixtures import client_for, small_tender


@pytest.fixture()
def sent(app, users):
    p = small_tender(users["officer"].organisation)
    out = app.test_cli_runner().invoke(args=["decision-note", "send", p.reference])
    assert out.exit_code == 0, out.output
    db.session.expire_all()
    return p


def now(p) -> Counters:
    db.session.expire_all()
    return counters(p.id)


def version_of(p):
    db.session.expire_all()
    return db.session.execute(select(DecisionNote).filter_by(procurement_id=p.id)
                              ).scalar_one().current_version


def _lot(p, code="A") -> Lot:
    return next(lot for lot in p.lots if lot.code == code)


def _criterion(p) -> Criterion:
    return next(c for c in _lot(p).criteria if c.code == "Q1")


def _bid(p) -> Bid:
    return sorted(_lot(p).bids, key=lambda b: b.bidder.name)[0]


def _consensus(p) -> Consensus:
    return db.session.execute(select(Consensus).where(Consensus.bid_id == _bid(p).id,
                                                      Consensus.criterion_id
                                                      == _criterion(p).id)).scalar_one()


def _score(p):
    member = PanelMember(name="Evaluator One")
    _lot(p).panel.append(member)
    db.session.add(Score(bid=_bid(p), criterion=_criterion(p), member=member,
                         value=Decimal("3")))


def _note(p) -> DecisionNote:
    return db.session.execute(select(DecisionNote).filter_by(procurement_id=p.id)).scalar_one()


FIGURE_CHANGES = {
    "consensus value": lambda p: setattr(_consensus(p), "value", Decimal("5")),
    "criterion weight": lambda p: setattr(_criterion(p), "weight", Decimal("61")),
    "criterion step": lambda p: setattr(_criterion(p), "score_step", Decimal("1")),
    "new criterion": lambda p: _lot(p).criteria.append(Criterion(
        code="Q2", section="Quality", title="Social value", weight=Decimal("1"), kind="scored",
        max_score=Decimal("5"), position=3)),
    "deleted criterion": lambda p: db.session.delete(_criterion(p)),
    "section minimum": lambda p: db.session.add(SectionMinimum(
        lot=_lot(p), section="Quality", min_percent=Decimal("50"))),
    "individual score": _score,
    "bid price": lambda p: setattr(_bid(p), "price", Decimal("1")),
    "bid financial outcome": lambda p: setattr(_bid(p), "financial", "fail"),
    "lot value": lambda p: setattr(_lot(p), "annual_value", Decimal("1.00")),
    "lot removed": lambda p: db.session.delete(_lot(p, "B")),
    "partner": lambda p: db.session.add(PartnerContribution(
        procurement=p, name="Fire Authority", annual_contribution=Decimal("10"), position=3)),
    "engagement event": lambda p: db.session.add(EngagementEvent(
        procurement=p, on_date=date(2024, 1, 5), kind="Market engagement event")),
    "key date": lambda p: db.session.add(TimelineDate(
        procurement=p, kind="contract_start", at=datetime(2025, 4, 1))),
    "procurement title": lambda p: setattr(p, "title", "Another title"),
    "minimum Delphi score": lambda p: setattr(p, "min_delphi", 50),
    "bidder name": lambda p: setattr(_bid(p).bidder, "name", "Alpha Renamed Ltd"),
    "buyer's name": lambda p: setattr(p.organisation, "name", "Renamed Commissioner"),
}


@pytest.mark.parametrize("change", FIGURE_CHANGES)
def test_a_change_to_the_figures_bumps_figures_and_makes_the_note_stale(sent, change):
    before = now(sent)
    assert not freeze.is_stale(version_of(sent))
    FIGURE_CHANGES[change](sent)
    db.session.commit()
    after = now(sent)
    assert after == Counters(before.figures + 1, before.narrative, before.annexes)
    assert freeze.changed_counters(version_of(sent)) == ["figures"]


UNDRAWN = {  # written, but nothing of it is in the note
    "bid opened": lambda p: setattr(_bid(p), "opened_at", datetime(2024, 5, 2)),
    "procurement state": lambda p: setattr(p, "state", "awarded"),
    "procurement description": lambda p: setattr(p, "description", "Longer words."),
    "consensus rationale": lambda p: setattr(_consensus(p), "rationale", "Reworded."),
    "note state": lambda p: setattr(_note(p), "state", "sent"),
    "panel member": lambda p: _lot(p).panel.append(PanelMember(name="Someone")),
}


@pytest.mark.parametrize("change", UNDRAWN)
def test_what_the_note_does_not_draw_bumps_nothing(sent, change):
    before = now(sent)
    UNDRAWN[change](sent)
    db.session.commit()
    assert now(sent) == before and not freeze.is_stale(version_of(sent))


def test_a_rolled_back_change_bumps_nothing(sent):
    before = now(sent)
    _consensus(sent).value = Decimal("1")
    db.session.flush()
    db.session.rollback()
    assert now(sent) == before


def test_a_figure_changed_and_changed_back_leaves_the_note_whole(sent):
    c = _consensus(sent)
    old = c.value
    c.value = Decimal("5")
    db.session.commit()
    assert freeze.is_stale(version_of(sent))
    _consensus(sent).value = old
    db.session.commit()
    # the counters moved, so the snapshot decides: the same data as sent
    assert freeze.changed_counters(version_of(sent)) == ["figures"]
    assert not freeze.is_stale(version_of(sent))


def test_the_version_keeps_the_counters_it_was_sent_with(sent):
    version = version_of(sent)
    assert freeze.sent_counters(version) == now(sent)
    assert version.figures_version is not None


def test_saving_the_narrative_through_the_page_bumps_narrative(app, users, sent):
    officer = client_for(app, users["officer"].email)
    page = f"/procurements/{sent.reference}/decision-note"
    before = now(sent)
    note = _note(sent)
    data = {"csrf_token": csrf_token(officer, page), "marking": note.marking,
            "sensitive_phrases": ""}
    from decisions.forms import NARRATIVE_FIELDS, QUESTIONS
    for key, _label, _hint in NARRATIVE_FIELDS:
        data[f"n_{key}"] = note.narrative.get(key, "")
    for key, _q, _m, default in QUESTIONS:
        data[f"a_{key}"] = "yes" if note.answers.get(key, default) else "no"
    for prefix in ("deferral", "received"):
        for part in ("day", "month", "year"):
            data[f"{prefix}_{part}"] = ""
    data["n_summary"] = "A different summary."
    assert officer.post(page, data=data).status_code == 302
    assert now(sent) == Counters(before.figures, before.narrative + 1, before.annexes)
    assert freeze.changed_counters(version_of(sent)) == ["narrative"]
    assert freeze.is_stale(version_of(sent))


def test_describing_a_section_through_the_page_bumps_narrative_and_says_so(app, users, sent):
    officer = client_for(app, users["officer"].email)
    page = f"/procurements/{sent.reference}/decision-note/sections"
    before = now(sent)
    assert officer.post(page, data={"csrf_token": csrf_token(officer, page),
                                    "description-0": "a written quality submission"}
                        ).status_code == 303
    assert now(sent) == Counters(before.figures, before.narrative + 1, before.annexes)
    version = version_of(sent)
    assert freeze.changed_counters(version) == ["narrative"] and freeze.is_stale(version)
    assert freeze.what_changed(version, _note(sent)) == [
        "narrative text (the descriptions of the evaluation sections)"]


def test_an_annex_bumps_annexes(sent):
    before = now(sent)
    note = _note(sent)
    note.annexes.append(Annex(kind="EIA", form={"title": "EIA"}))
    db.session.commit()
    assert now(sent) == Counters(before.figures, before.narrative, before.annexes + 1)
    annex = db.session.execute(select(Annex)).scalar_one()
    annex.form = {"title": "EIA, revised"}
    db.session.commit()
    note = _note(sent)
    note.annexes.remove(note.annexes[0])  # delete-orphan, as the annex page deletes it
    db.session.commit()
    assert now(sent).annexes == before.annexes + 3
    assert now(sent).figures == before.figures


PAGES = ["/procurements/{ref}", "/procurements/{ref}/decision-note",
         "/procurements/{ref}/decision-note/sign-off", "/evaluation/{ref}",
         "/evaluation/{ref}/lots/A/results", "/evaluation/{ref}/lots/A/moderation",
         "/procurements/{ref}/decision-note/note.pdf"]


def test_page_views_bump_nothing_and_the_note_stays_whole(app, users, sent):
    before = now(sent)
    for role in ("officer", "commissioner"):
        c = client_for(app, users[role].email)
        for page in PAGES:
            assert c.get(page.format(ref=sent.reference)).status_code in (200, 403), page
    assert now(sent) == before
    assert not freeze.is_stale(version_of(sent))


def test_a_sent_note_is_checked_for_staleness_in_one_query(app, users, sent):
    version = version_of(sent)
    note = version.note
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert freeze.is_stale(version, note) is False
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(statements) == 1 and "data_version" in statements[0]
