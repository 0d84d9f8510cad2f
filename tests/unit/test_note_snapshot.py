"""The frozen snapshot's way back (decisions.signoff.freeze.note_data_from_snapshot) and the
read-only rules of a signed-off note (decisions.signoff), without the app."""
from __future__ import annotations

import dataclasses
import io
import json
from datetime import date, datetime
from decimal import Decimal

import pytest
from pypdf import PdfReader

from audit.chain import canonical
from decisions.signoff import rules as r
from decisions.signoff.freeze import FrozenUpload, note_data_from_snapshot, note_part, sha256_bytes
from decisions.note.data import NoteData
from demo.note_sample import demo_note_data
from decisions.note.pdf import render_pack


def text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def frozen(data: NoteData) -> dict:
    """The "note" part as it is stored: canonical JSON, read back."""
    return json.loads(canonical(note_part(data)))


def signed(data: NoteData) -> NoteData:
    """The demo note with every signer's date and comments, as it is once signed off."""
    return dataclasses.replace(data, signers=[
        dataclasses.replace(s, signed_at=datetime(2023, 9, 1, 9 + i), comments=f"Comment {i}")
        for i, s in enumerate(data.signers)])


def with_signatures_of(thawed: NoteData, original: NoteData) -> NoteData:
    for mine, theirs in zip(thawed.signers, original.signers):
        mine.signed_at, mine.comments = theirs.signed_at, theirs.comments
    return thawed


def test_round_trip_renders_the_same_public_version():
    original = signed(demo_note_data())
    back = with_signatures_of(note_data_from_snapshot(frozen(original)), original)
    assert text(render_pack(back, public=True)) == text(render_pack(original, public=True))
    assert text(render_pack(back)) == text(render_pack(original))


def test_round_trip_restores_the_types():
    original = demo_note_data()
    back = note_data_from_snapshot(frozen(original))
    assert isinstance(back, NoteData) and back.lots[0].annual_value == Decimal("2875221")
    assert isinstance(back.lots[0].annual_value, Decimal)
    assert back.partners[0].annual_contribution == Decimal("1859195.76")
    assert back.threshold == Decimal("663540") and back.date_received == date(2023, 8, 16)
    assert back.answers == original.answers and back.regime == original.regime
    assert back.lots == original.lots and back.selection == original.selection
    assert back.notices == original.notices and back.engagement_events == original.engagement_events
    assert back.narrative == original.narrative and back.term_extensions == [1, 1]
    # the live sign-off fields are not frozen: they come back empty, the rest of each signer
    assert [(s.role, s.label, s.name, s.order) for s in back.signers] == \
        [(s.role, s.label, s.name, s.order) for s in original.signers]
    assert all(s.signed_at is None and s.comments == "" for s in back.signers)
    # the annexes' forms, as plain values (as they are stored)
    assert back.eia == json.loads(canonical(original.eia))


def test_an_uploaded_annex_comes_back_as_its_hash():
    upload = b"%PDF-1.4 an uploaded DPIA"
    back = note_data_from_snapshot(frozen(dataclasses.replace(demo_note_data(), dpia=upload,
                                                              eia=None)))
    assert back.dpia == FrozenUpload(sha256_bytes(upload)) and back.eia is None


@pytest.mark.parametrize("bad", [None, [], {"title": "no reference"},
                                 {**frozen(demo_note_data()), "date_received": "not a date"}])
def test_what_is_not_a_note_snapshot_is_refused(bad):
    with pytest.raises((ValueError, TypeError)):
        note_data_from_snapshot(bad)


def test_a_completed_note_is_read_only():
    for state in ("draft", "sent"):
        assert r.edit_refusal(state) is None
    refusal = r.edit_refusal("completed")
    assert refusal.reason == r.READ_ONLY and r.http_status(refusal.reason) == 409
    assert "new version" in refusal.message


def test_a_new_version_only_of_a_completed_note():
    assert r.new_version_refusal("completed") is None
    for state in ("draft", "sent"):
        refusal = r.new_version_refusal(state)
        assert refusal.reason == r.NOT_OPEN and r.http_status(refusal.reason) == 409


def test_staleness_is_asked_of_an_open_or_standing_version_only():
    assert r.checks_staleness("sent", "sent")
    assert r.checks_staleness("completed", "completed")
    assert not r.checks_staleness("completed", "draft")  # a new version is being drafted
    assert not r.checks_staleness("superseded", "sent")


def test_section_descriptions_are_frozen_and_come_back():
    original = demo_note_data()
    assert frozen(original)["section_descriptions"] == original.section_descriptions
    back = note_data_from_snapshot(frozen(original))
    assert back.section_descriptions == original.section_descriptions
    assert back.assessment == original.assessment and "an Interview process" in back.assessment


def test_a_note_without_section_descriptions_snapshots_as_before_they_existed():
    plain = dataclasses.replace(demo_note_data(), section_descriptions={})
    assert "section_descriptions" not in frozen(plain)  # versions sent earlier stay whole
    back = note_data_from_snapshot(frozen(plain))
    assert back.section_descriptions == {}
    assert back.assessment == "Assessment of bids was undertaken through Value for Money and Presentation."
