"""Hash-chain rules for audit records: pure functions over plain dicts."""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable

GENESIS = "0" * 64
FIELDS = ("seq", "at", "actor", "procurement_ref", "entity", "entity_id", "action",
          "before", "after")


def canonical(value) -> str:
    """One spelling of a value, so the same content always hashes the same."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str)


def record_hash(prev_hash: str, content: dict) -> str:
    body = canonical({k: content.get(k) for k in FIELDS})
    return hashlib.sha256((prev_hash + body).encode()).hexdigest()


def first_break(records: Iterable[dict], head: dict | None = None) -> str | None:
    """Why the chain is broken, naming the first record that does not match; None if intact.

    Each record is a dict with FIELDS plus "prev_hash" and "hash". `head` (seq, hash) is the
    last link written; comparing with it detects deletion of the newest records too.
    """
    prev, expected_seq = GENESIS, 1
    for rec in records:
        label = f"audit record {rec['seq']} ({rec['entity']} {rec['entity_id']} {rec['action']})"
        if rec["seq"] != expected_seq:
            return (f"{label}: expected record {expected_seq} here; a record is missing "
                    "or was inserted")
        if rec["prev_hash"] != prev:
            return f"{label}: its link to the previous record does not match"
        if record_hash(prev, rec) != rec["hash"]:
            return f"{label}: its content does not match its hash (edited)"
        prev, expected_seq = rec["hash"], expected_seq + 1
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
    return None
