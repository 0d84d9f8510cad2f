"""Freezing a decision note at send: its PDF hash and a hashed snapshot of its data.

The snapshot is canonical JSON (sorted keys, no spaces, money as exact strings) of
- "note": the `NoteData` the PDF was drawn from, without the live sign-off fields
  (`signed_at`, `comments`), which are expected to change while the note is signed; and
- "inputs": the results engine's inputs for every lot (criteria and weights, bids with
  price, selection and financial outcome, consensus scores, the individual scores where
  there is no consensus, section minimums), so a change to a record that feeds the note is
  seen even where it happens not to move a figure drawn in it; and
- "scores": the SHA-256 of every individual score, those under a consensus too
  (evaluation.results.inputs.scores_digest): any changed score is a change, without 200,000
  values in the snapshot. Versions sent before it hold every score in "inputs" instead and
  are compared the way they were made (`current_snapshot(note, like=…)`).

The note is stale when the records changed after send: the procurement's data version
(procurement.data_version, bumped in the transaction of every change the note depends on)
against the counters the version was sent with, one query. The deep comparison (the
snapshot built now from the records hashed against the one frozen at send) remains for
versions sent before the counters existed and for the detail of what changed. `snapshot_of` and `sha256_*` are pure; `current_snapshot` reads the
database through the note builder and the results engine.

`note_data_from_snapshot` is the way back (pure too): the snapshot's "note" part as the
`NoteData` it was made from, for drawing what was signed (the public version) rather than
what the records say now. Two things are not in the snapshot and come back empty: the live
sign-off fields (the caller fills them from the version's `SignOff` rows), and the bytes of
an uploaded annex, which the snapshot holds as its SHA-256 only: it comes back as a
`FrozenUpload` naming that hash, for the caller to replace with the pages signed.
"""
from __future__ import annotations

import dataclasses
import hashlib
import types
import typing
from datetime import date, datetime
from decimal import Decimal
from functools import cache

from audit.chain import canonical

LIVE_SIGNER_FIELDS = ("signed_at", "comments")


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_snapshot(snapshot: dict) -> str:
    return hashlib.sha256(canonical(snapshot).encode()).hexdigest()


def _plain(value):
    """JSON values that always spell the same thing the same way."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {_key(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (bytes, bytearray)):
        return {"sha256": sha256_bytes(bytes(value))}
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")  # 1000.00 and 1000 are the same money
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def _key(k) -> str:
    if isinstance(k, tuple):
        return "|".join(str(x) for x in k)
    return str(k)


def note_part(data) -> dict:
    """NoteData as plain values, without signers' signing dates and comments."""
    out = _plain(data)
    if not out.get("section_descriptions"):
        # a note whose sections have no descriptions snapshots as it did before they existed,
        # so versions sent before them are not seen as changed
        out.pop("section_descriptions", None)
    for signer in out.get("signers", []):
        for name in LIVE_SIGNER_FIELDS:
            signer.pop(name, None)
    return out


def snapshot_of(data, lot_inputs: list, scores: str | None = None) -> dict:
    """The frozen snapshot: the note's data, the results engine's inputs and (`scores`) the
    digest of every individual score."""
    out = {"note": note_part(data), "inputs": [_plain(lot) for lot in lot_inputs]}
    if scores is not None:
        out["scores"] = scores
    return out


@dataclasses.dataclass(frozen=True)
class FrozenUpload:
    """An uploaded annex in a snapshot: only its hash was frozen, not its bytes."""

    sha256: str


ANNEX_FIELDS = ("eia", "dpia")


def note_data_from_snapshot(note: dict):
    """The `NoteData` that `note_part` made `note` from (the inverse of `note_part`).

    Money comes back as `Decimal`, dates as `date`, nested values as their dataclasses; a
    structured annex as its form (a dict), an uploaded one as a `FrozenUpload`. The signers'
    `signed_at` and `comments` are left empty. ValueError when `note` is not such a snapshot.
    """
    from decisions.note.data import NoteData

    if not isinstance(note, dict):
        raise ValueError("the snapshot has no note")
    data = _thaw(NoteData, {k: v for k, v in note.items() if k not in ANNEX_FIELDS})
    for name in ANNEX_FIELDS:
        setattr(data, name, _thaw_annex(note.get(name)))
    return data


def _thaw_annex(value):
    if value is None or value == {}:
        return None
    if not isinstance(value, dict):
        raise ValueError(f"an annex in the snapshot is not a form: {value!r}")
    if set(value) == {"sha256"}:  # `_plain` of an uploaded PDF's bytes
        return FrozenUpload(value["sha256"])
    return value


@cache
def _hints(cls) -> dict:
    return typing.get_type_hints(cls)


def _thaw(tp, value):
    if value is None:
        return None
    if dataclasses.is_dataclass(tp):
        if not isinstance(value, dict):
            raise ValueError(f"{tp.__name__} in the snapshot is not an object: {value!r}")
        hints = _hints(tp)
        kwargs = {f.name: _thaw(hints[f.name], value[f.name])
                  for f in dataclasses.fields(tp) if f.init and f.name in value}
        try:
            return tp(**kwargs)
        except TypeError as err:  # a field without a default is missing
            raise ValueError(f"{tp.__name__} in the snapshot is incomplete: {err}") from None
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        kinds = [a for a in args if a is not type(None)]
        if date in kinds and datetime in kinds:  # a date or a date and time
            return (datetime if "T" in str(value) else date).fromisoformat(value)
        return _thaw(kinds[0], value)
    if origin is list:
        return [_thaw(args[0], v) for v in value] if args else list(value)
    if origin is dict:
        return {k: _thaw(args[1], v) for k, v in value.items()} if args else dict(value)
    if tp is Decimal:
        return Decimal(str(value))
    if tp is datetime:
        return datetime.fromisoformat(value)
    if tp is date:
        return date.fromisoformat(value)
    if tp in (float, int):
        return tp(value)
    return value


def current_snapshot(note, like: dict | None = None) -> dict:
    """The snapshot of `note` built now from the records, by the recipe `like` (a frozen
    snapshot) was made with: every score digested (today's), or every score among the
    inputs (versions sent before the digest)."""
    from decisions.note.builder import build_note_data
    from evaluation.results.inputs import lot_inputs, scores_digest

    procurement = note.procurement
    data = build_note_data(procurement, note)
    if like is not None and "inputs" in like and "scores" not in like:
        return snapshot_of(data, lot_inputs(procurement, all_scores=True))
    return snapshot_of(data, lot_inputs(procurement), scores_digest(procurement))


def changed_paths(frozen, current, path: str = "", limit: int = 20) -> list[str]:
    """Where two snapshots differ (for the stale banner), at most `limit` paths."""
    out: list[str] = []

    def walk(a, b, at):
        if len(out) >= limit:
            return
        if isinstance(a, dict) and isinstance(b, dict):
            for k in sorted(set(a) | set(b)):
                walk(a.get(k), b.get(k), f"{at}.{k}" if at else k)
        elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
            for i, (x, y) in enumerate(zip(a, b)):
                walk(x, y, f"{at}[{i}]")
        elif canonical(a) != canonical(b):
            out.append(at or "(whole snapshot)")

    walk(frozen, current, path)
    return out


def sent_counters(version):
    """The data version `version` was sent with (procurement.data_version.Counters), or None
    for a version sent before the counters existed (migration 0014)."""
    from procurement.data_version import Counters

    if version.figures_version is None:
        return None
    return Counters(version.figures_version, version.narrative_version or 0,
                    version.annexes_version or 0)


def record_counters(version, procurement_id: int) -> None:
    """Freeze the procurement's data version now into `version` (at send, after the flush)."""
    from procurement.data_version import counters

    now = counters(procurement_id)
    version.figures_version, version.narrative_version, version.annexes_version = (
        now.figures, now.narrative, now.annexes)


def changed_counters(version, note=None) -> list[str] | None:
    """Which of "figures", "narrative", "annexes" changed since `version` was sent (one
    query), or None when the version has no counters (then only a deep comparison tells)."""
    from procurement.data_version import counters

    sent = sent_counters(version)
    if sent is None:
        return None
    note = note or version.note
    return sent.changed(counters(note.procurement_id))


def deeply_stale(version, note=None) -> bool:
    """The old comparison: the snapshot rebuilt from the records against the frozen one.
    Seconds on a large tender; for versions without counters, and for the detail of what
    changed."""
    note = note or version.note
    return sha256_snapshot(current_snapshot(note, version.snapshot)) != version.snapshot_sha256


def is_stale(version, note=None) -> bool:
    """Whether the data behind `version` (the note's current version) changed since send.

    Counters unchanged: not stale, for one query. Counters moved: the rebuilt snapshot
    decides, as before the counters (a figure changed and changed back leaves the note
    whole)."""
    return stale_and_current(version, note)[0]


def stale_and_current(version, note=None) -> tuple[bool, dict | None]:
    """(stale, the snapshot rebuilt now or None when the counters said enough)."""
    from procurement.data_version import counters

    note = note or version.note
    sent = sent_counters(version)
    if sent is not None and not sent.changed(counters(note.procurement_id)):
        return False, None
    current = current_snapshot(note, version.snapshot)
    return sha256_snapshot(current) != version.snapshot_sha256, current


# What a part of the snapshot is, in the words of the stale banner. The results engine's
# inputs and every figure drawn in the note are "figures"; the officer's text is "narrative
# text" (named by section); the attachments are "annexes".
FIGURE_FIELDS = ("lots", "partners", "whole_term_value", "threshold", "above_threshold",
                 "term_initial_years", "term_extensions")
ANNEX_WORDS = {"eia": "Equality Impact Assessment", "dpia": "Data Protection Impact Assessment"}
OTHER_WORDS = {
    "selection": "the selection outcomes", "signers": "who signs",
    "answers": "the answers to the note's questions",
    "notices": "the notices", "engagement_events": "the engagement events",
    "sensitive_phrases": "the text to redact",
}


def changed_parts(frozen: dict, current: dict, narrative_labels: dict | None = None
                  ) -> list[str]:
    """The parts of the note that differ between two snapshots, in words, in a fixed order:
    figures, then narrative text (naming its sections), then annexes, then anything else."""
    labels = narrative_labels or {}
    old, new = (frozen or {}).get("note", {}), (current or {}).get("note", {})

    def differs(key) -> bool:
        return canonical(old.get(key)) != canonical(new.get(key))

    parts = []
    if any(canonical((frozen or {}).get(k)) != canonical((current or {}).get(k))
           for k in ("inputs", "scores")) or any(differs(k) for k in FIGURE_FIELDS):
        parts.append("figures")
    old_text, new_text = old.get("narrative") or {}, new.get("narrative") or {}
    sections = [labels.get(k, k.replace("_", " ")) for k in sorted(set(old_text) | set(new_text))
                if (old_text.get(k) or "") != (new_text.get(k) or "")]
    sections += [labels.get(k, k.replace("_", " ")) for k in ("decision_maker", "strapline", "title")
                 if differs(k)]
    if differs("section_descriptions"):
        sections.append("the descriptions of the evaluation sections")
    if sections:
        parts.append("narrative text (" + ", ".join(sections) + ")")
    annexes = [words for key, words in ANNEX_WORDS.items() if differs(key)]
    if annexes:
        parts.append("annexes (" + ", ".join(annexes) + ")")
    parts += [words for key, words in OTHER_WORDS.items() if differs(key)]
    handled = set(FIGURE_FIELDS) | {"narrative", "decision_maker", "strapline", "title",
                                    "section_descriptions"} \
        | set(ANNEX_WORDS) | set(OTHER_WORDS)
    if any(differs(k) for k in set(old) | set(new) if k not in handled):
        parts.append("other details of the note")
    return parts


def what_changed(version, note, current: dict | None = None) -> list[str]:
    """What changed in `note` since `version` was sent, in words ("figures", "narrative
    text (Summary)", "annexes (…)"); empty when nothing did. The one place this is worked
    out, whatever detects staleness (`current`: the snapshot built now, if already built)."""
    from decisions.forms import NARRATIVE_FIELDS

    labels = {key: label for key, label, _hint in NARRATIVE_FIELDS}
    current = current if current is not None else current_snapshot(note, version.snapshot)
    return changed_parts(version.snapshot, current, labels)
