"""Hash-chain rules for audit records: pure functions over plain dicts and text.

Each record's hash covers its content and the previous record's hash. Records written since
migration 0005 are keyed (HMAC-SHA256 with AUDIT_HMAC_KEY, which is never in the database), so
the chain cannot be recomputed without the key; older records keep their plain SHA-256
(`hash_alg` "sha256") and still verify. The newest links are also anchored outside the audit
table (see `Anchor`), so deleting the newest records, or recomputing the chain even with the
key, is found. docs/audit.md says what this proves and what it cannot.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

GENESIS = "0" * 64
FIELDS = ("seq", "at", "actor", "procurement_ref", "entity", "entity_id", "action",
          "before", "after")
PLAIN = "sha256"          # records written before migration 0005: anyone can recompute them
KEYED = "hmac-sha256"     # records written since: only with the key
ALGS = (PLAIN, KEYED)

# An anchor line: "P <seq> <hash>" written and fsync'd before the transaction commits (the
# record is prepared), "C <seq> <hash>" after it committed. Anything else on a line (a line
# torn by a crash mid-write) is skipped; the pattern cannot match inside a hash.
ANCHOR_LINE = re.compile(r"([PC]) (\d{1,18}) ([0-9a-f]{64})\n")


def canonical(value) -> str:
    """One spelling of a value, so the same content always hashes the same."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str)


def record_hash(prev_hash: str, content: dict, key: bytes | None = None) -> str:
    """The record's hash: plain SHA-256 without a key (the records before 0005), HMAC-SHA256
    with one. Raises ValueError (or UnicodeError) on content that cannot be hashed."""
    body = canonical({k: content.get(k) for k in FIELDS})
    if key is None:
        return hashlib.sha256((prev_hash + body).encode()).hexdigest()
    return hmac.new(key, (prev_hash + body).encode("utf-8", "surrogatepass"),
                    hashlib.sha256).hexdigest()


def anchor_line(kind: str, seq: int, digest: str) -> str:
    assert kind in ("P", "C")
    return f"{kind} {seq} {digest}\n"


@dataclass
class Anchor:
    """What the anchor file says: per seq, the hashes prepared and the hashes committed."""

    prepared: dict[int, set[str]] = field(default_factory=dict)
    committed: dict[int, set[str]] = field(default_factory=dict)
    skipped: int = 0  # unreadable fragments (a line torn by a crash)

    @property
    def first(self) -> int | None:
        """The first anchored seq: every record from it on must be in the anchor."""
        return min(self.prepared) if self.prepared else None

    @property
    def empty(self) -> bool:
        return not self.prepared and not self.committed


def parse_anchor(text: str) -> Anchor:
    anchor = Anchor()
    end = 0
    for m in ANCHOR_LINE.finditer(text):
        if m.start() != end:
            anchor.skipped += 1
        end = m.end()
        kind, seq, digest = m.group(1), int(m.group(2)), m.group(3)
        (anchor.prepared if kind == "P" else anchor.committed).setdefault(seq, set()).add(digest)
    if text[end:].strip():
        anchor.skipped += 1
    return anchor


def _label(rec: dict) -> str:
    if rec.get("entity") is None:
        return f"audit record {rec.get('seq')}"
    return (f"audit record {rec.get('seq')} ({rec.get('entity')} {rec.get('entity_id')} "
            f"{rec.get('action')})")


def first_break(records: Iterable[dict], head: dict | None = None, *, key: bytes | None = None,
                anchor: Anchor | None = None) -> str | None:
    """Why the chain is broken, naming the first record that does not match; None if intact.

    Each record is a dict with FIELDS plus "prev_hash", "hash" and "alg" (PLAIN if absent),
    or with "unreadable" (why its stored content could not be read). `head` (seq, hash) is
    the last link written in the database; `anchor` what the anchor file holds. An anchor
    ahead of the database is accepted only by records prepared and never committed (lines
    "P" without "C": a transaction rolled back, or a crash before the commit).
    """
    prev, expected_seq, keyed_seen, last_rec = GENESIS, 1, False, None
    first_anchored = anchor.first if anchor is not None else None
    for rec in records:
        label = _label(rec)
        if rec.get("unreadable"):
            return f"{label}: its content cannot be read ({rec['unreadable']}): edited"
        if rec["seq"] != expected_seq:
            return (f"{label}: expected record {expected_seq} here; a record is missing "
                    "or was inserted")
        if rec["prev_hash"] != prev:
            return f"{label}: its link to the previous record does not match"
        alg = rec.get("alg") or PLAIN
        if alg not in ALGS:
            return f"{label}: its hash algorithm {alg!r} is not one Tender writes (edited)"
        if alg == PLAIN and (keyed_seen or (first_anchored is not None
                                            and rec["seq"] >= first_anchored)):
            return (f"{label}: its hash was turned into an unkeyed SHA-256 after keyed "
                    "records began (edited, and the chain recomputed)")
        if alg == KEYED and key is None:
            return f"{label}: it is keyed (HMAC-SHA256) but no AUDIT_HMAC_KEY is set"
        try:
            expected = record_hash(prev, rec, key if alg == KEYED else None)
        except (TypeError, ValueError, RecursionError):  # UnicodeError is a ValueError
            expected = None
        if expected is None or expected != rec["hash"]:
            return f"{label}: its content does not match its hash (edited)"
        if anchor is not None:
            problem = _anchor_problem(label, rec, alg, first_anchored, anchor)
            if problem:
                return problem
        keyed_seen = keyed_seen or alg == KEYED
        prev, expected_seq, last_rec = rec["hash"], expected_seq + 1, rec
    last = expected_seq - 1
    if head is not None:
        if head["seq"] > last:
            return (f"audit record {last + 1}: missing; the chain ends at record {last} but "
                    f"{head['seq']} were written (the newest records were deleted)")
        if head["seq"] < last:
            return (f"audit record {head['seq'] + 1}: inserted; only {head['seq']} records "
                    f"were written but the chain runs to record {last}")
        if head["hash"] != prev:
            return (f"audit record {last}: does not match the chain head (the newest records "
                    "were replaced)")
    if anchor is not None:
        beyond = sorted(s for s in anchor.committed if s > last)
        if beyond:
            return (f"audit record {beyond[0]}: missing; the chain ends at record {last} but "
                    f"the anchor shows record {beyond[-1]} committed (the newest records were "
                    "deleted)")
        if last_rec is not None and (last_rec.get("alg") or PLAIN) == KEYED \
                and first_anchored is None:
            return (f"audit record {last}: not in the anchor, which holds no record at all "
                    "(the anchor file was removed, emptied or replaced)")
    return None


def _anchor_problem(label: str, rec: dict, alg: str, first_anchored: int | None,
                    anchor: Anchor) -> str | None:
    seq, digest = rec["seq"], rec["hash"]
    committed = anchor.committed.get(seq)
    if committed and committed != {digest}:
        return (f"{label}: does not match the anchor (edited or inserted, and the chain "
                "recomputed)")
    if first_anchored is not None and seq >= first_anchored:
        if digest not in anchor.prepared.get(seq, ()):
            return (f"{label}: not in the anchor (inserted, or edited and the chain "
                    "recomputed)")
    elif alg == KEYED and first_anchored is not None:
        return (f"{label}: keyed but older than the first anchored record {first_anchored} "
                "(the anchor file was replaced)")
    return None
