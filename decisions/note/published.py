"""The published decision note: the latest signed version, drawn from what was frozen.

The public page, the public PDF, the list of published decisions and `decision-note render
--public` of a signed note never read the live note: a signed note can be taken back to
drafting (a new version) and changed, and what is published must stay what was signed
until a newer version is signed off.

What was signed is the version's snapshot (checked against `snapshot_sha256` before it is
used) and its frozen decision pack (checked against `pdf_sha256` when it is read):
- the note: the snapshot's "note" part, as `NoteData` again, with each signer's date and
  comments from the version's sign-off rows (the snapshot leaves them out on purpose);
- a structured annex: its form, frozen in the snapshot, drawn again so that the public
  version redacts it as it redacts the note;
- an uploaded annex: the snapshot keeps only its SHA-256, so its pages are taken from the
  frozen pack, which is the note's pages, then the EIA's, then the DPIA's. The note and
  any structured annex are drawn again from the snapshot as they were at send (nobody
  signed yet) to count their pages, and each such boundary is checked against the pack's
  "Page N of M" footers: what does not add up is refused, never guessed. When both annexes
  are uploads they are copied as one run of pages: the public version carries uploads as
  they are, so where one ends and the next begins does not change it.
A record that fails a check raises `FrozenRecordError`; the callers refuse to publish.
"""
from __future__ import annotations

import dataclasses
import io
import json
import warnings
from datetime import date

from pypdf import PdfReader, PdfWriter

from audit.chain import canonical
from decisions.signoff.freeze import (ANNEX_FIELDS, FrozenUpload, note_data_from_snapshot,
                              sha256_bytes, sha256_snapshot)
from decisions.note.data import NoteData
from decisions.note.pdf import (build_pack, render_dpia, render_eia, render_note,
                                render_pack)


class FrozenRecordError(Exception):
    """The signed record of a version cannot be used: it does not match its hashes."""


def published_version(note):
    """The note's latest completed version (the one the public sees), or None."""
    signed = [v for v in (note.versions if note is not None else []) if v.state == "completed"]
    return max(signed, key=lambda v: v.version) if signed else None


def signed_note_data(version) -> NoteData:
    """The note as `version` was signed: its frozen snapshot, with the signatures recorded."""
    snapshot = version.snapshot
    if not isinstance(snapshot, dict) or not version.snapshot_sha256 \
            or sha256_snapshot(snapshot) != version.snapshot_sha256:
        raise FrozenRecordError(f"the data snapshot of version {version.version} does not "
                                "match its SHA-256")
    try:
        data = note_data_from_snapshot(json.loads(canonical(snapshot.get("note"))))
    except (ValueError, TypeError, KeyError, ArithmeticError) as err:
        raise FrozenRecordError(f"the data snapshot of version {version.version} cannot be "
                                f"read: {err}") from None
    places = {(s.position, s.role): s for s in version.signoffs}
    for signer in data.signers:
        place = places.get((signer.order, signer.role))
        if place is not None:
            signer.signed_at, signer.comments = place.signed_at, place.comments or ""
    return data


def deferred_until(data: NoteData) -> date | None:
    """Publication deferred until this date (date.max: deferred, no date set), or None."""
    if not data.answers.publication_deferred:
        return None
    return data.answers.deferral_until or date.max


def public_pack(version, data: NoteData | None = None) -> bytes:
    """The public version of what `version` signed: the note and its annexes, redacted."""
    data = data if data is not None else signed_note_data(version)
    if not any(isinstance(getattr(data, name), FrozenUpload) for name in ANNEX_FIELDS):
        return render_pack(data, public=True)
    return build_pack(render_note(data, public=True), _public_annexes(version, data))


def _reader(pdf: bytes) -> PdfReader:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return PdfReader(io.BytesIO(pdf))


def _page_count(pdf: bytes) -> int:
    return len(_reader(pdf).pages)


def _says(page, text: str) -> bool:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return text in " ".join((page.extract_text() or "").split())


def _pages(pages, start: int, end: int) -> bytes:
    writer = PdfWriter()
    for page in pages[start:end]:
        writer.add_page(page)
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        writer.write(buf)
    return buf.getvalue()


def _public_annexes(version, data: NoteData) -> list[bytes]:
    """The annexes of the public version, in order: structured ones drawn again from the
    snapshot (redacted), uploaded ones as their pages in the frozen pack (module doc)."""
    if not version.pdf or sha256_bytes(version.pdf) != version.pdf_sha256:
        raise FrozenRecordError(f"the decision pack of version {version.version} does not "
                                "match its SHA-256")
    pack = _reader(version.pdf).pages
    as_sent = dataclasses.replace(data, signers=[
        dataclasses.replace(s, signed_at=None, comments="") for s in data.signers])
    # (annex, renderer, pages as drawn at send: None for an upload), in the pack's order
    annexes = [(annex, render, None if isinstance(annex, FrozenUpload)
                else _page_count(render(annex, as_sent)))
               for annex, render in ((data.eia, render_eia), (data.dpia, render_dpia)) if annex]
    at = _page_count(render_note(as_sent))
    uploaded = len(pack) - at - sum(n for _, _, n in annexes if n is not None)

    def drawn_here(start: int, n: int) -> bool:  # pages start.. are a document of n pages
        return start + n <= len(pack) and _says(pack[start], f"Page 1 of {n}") \
            and _says(pack[start + n - 1], f"Page {n} of {n}")

    if uploaded < 1 or not drawn_here(0, at):
        raise FrozenRecordError(f"the decision pack of version {version.version} does not "
                                "match its record")
    out = []
    for annex, render, n in annexes:
        if n is None:  # an upload; a second one follows within the same run of pages
            if uploaded:
                out.append(_pages(pack, at, at + uploaded))
            at, uploaded = at + uploaded, 0
        elif drawn_here(at, n):
            out.append(render(annex, data, public=True))
            at += n
        else:
            raise FrozenRecordError(f"the decision pack of version {version.version} does "
                                    "not match its record")
    return out
