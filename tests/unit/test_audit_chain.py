"""The audit chain's pure rules: keyed hashes, the version mark, and the anchor."""
import pytest

from audit.chain import (GENESIS, KEYED, PLAIN, anchor_line, first_break, parse_anchor,
                         record_hash)

KEY = b"k" * 32


def chain(n, key=KEY, start=1, prev=GENESIS, alg=None):
    recs = []
    for i in range(start, start + n):
        r = {"seq": i, "at": "2024-01-01T00:00:00", "actor": "a", "procurement_ref": None,
             "entity": "e", "entity_id": str(i), "action": "x", "before": None,
             "after": {"v": str(i)}, "prev_hash": prev,
             "alg": alg or (KEYED if key else PLAIN)}
        r["hash"] = prev = record_hash(prev, r, key)
        recs.append(r)
    return recs


def anchor_of(recs, committed=True):
    lines = [anchor_line("P", r["seq"], r["hash"]) for r in recs]
    if committed:
        lines += [anchor_line("C", r["seq"], r["hash"]) for r in recs]
    return parse_anchor("".join(lines))


def head(recs):
    return {"seq": recs[-1]["seq"], "hash": recs[-1]["hash"]} if recs else None


def test_the_keyed_hash_needs_the_key():
    r = chain(1)[0]
    assert record_hash(GENESIS, r, KEY) == r["hash"]
    assert record_hash(GENESIS, r, b"another key") != r["hash"]
    assert record_hash(GENESIS, r) != r["hash"]  # plain SHA-256 is not the keyed hash


def test_an_intact_keyed_and_anchored_chain_verifies():
    recs = chain(4)
    assert first_break(recs, head(recs), key=KEY, anchor=anchor_of(recs)) is None


def test_a_chain_recomputed_without_the_key_is_named_at_its_first_record():
    recs = chain(3)
    plain = chain(3, key=None, alg=KEYED)  # same content, plain hashes, still marked keyed
    problem = first_break(plain, head(plain), key=KEY, anchor=anchor_of(recs))
    assert problem.startswith("audit record 1 ") and "edited" in problem


def test_a_chain_recomputed_with_the_key_differs_from_the_anchor():
    recs = chain(4)
    edited = [{**recs[1], "actor": "mallory"}] + recs[2:]
    forged = recs[:1] + _rechain(edited, recs[0]["hash"])
    assert first_break(forged, head(forged), key=KEY) is None  # the chain alone is fooled
    problem = first_break(forged, head(forged), key=KEY, anchor=anchor_of(recs))
    assert problem.startswith("audit record 2 ") and "anchor" in problem


def _rechain(recs, prev):
    out = []
    for r in recs:
        r = {**r, "prev_hash": prev}
        r["hash"] = prev = record_hash(prev, r, KEY)
        out.append(r)
    return out


def test_deleting_the_newest_records_and_the_head_is_found_by_the_anchor():
    recs = chain(5)
    problem = first_break(recs[:3], head(recs[:3]), key=KEY, anchor=anchor_of(recs))
    assert problem.startswith("audit record 4: missing") and "deleted" in problem
    assert first_break([], None, key=KEY, anchor=anchor_of(recs)).startswith(
        "audit record 1: missing")


def test_an_anchor_ahead_by_records_never_committed_is_accepted():
    """A rolled-back transaction (or a crash before the commit) leaves "P" lines only."""
    recs = chain(3)
    rolled_back = chain(1, start=4, prev=recs[-1]["hash"])
    anchor = parse_anchor("".join([anchor_line("P", r["seq"], r["hash"]) for r in recs]
                                  + [anchor_line("C", r["seq"], r["hash"]) for r in recs]
                                  + [anchor_line("P", 4, rolled_back[0]["hash"])]))
    assert first_break(recs, head(recs), key=KEY, anchor=anchor) is None
    # then seq 4 is written again, for real, with another hash: two "P" 4, one "C" 4
    again = chain(1, start=4, prev=recs[-1]["hash"])
    again[0]["after"] = {"v": "again"}
    again = _rechain(again, recs[-1]["hash"])
    text = "".join([anchor_line("P", r["seq"], r["hash"]) for r in recs + again]
                   + [anchor_line("C", r["seq"], r["hash"]) for r in recs + again]
                   + [anchor_line("P", 4, rolled_back[0]["hash"])])
    both = recs + again
    assert first_break(both, head(both), key=KEY, anchor=parse_anchor(text)) is None


def test_a_commit_whose_confirmation_was_lost_still_verifies():
    recs = chain(3)
    anchor = parse_anchor("".join([anchor_line("P", r["seq"], r["hash"]) for r in recs]
                                  + [anchor_line("C", r["seq"], r["hash"]) for r in recs[:2]]))
    assert first_break(recs, head(recs), key=KEY, anchor=anchor) is None


def test_a_record_committed_twice_with_different_hashes_is_named():
    recs = chain(2)
    forged = anchor_line("C", 2, "f" * 64)
    text = "".join(anchor_line(k, r["seq"], r["hash"]) for k in "PC" for r in recs) + forged
    problem = first_break(recs, head(recs), key=KEY, anchor=parse_anchor(text))
    assert problem.startswith("audit record 2 ") and "anchor" in problem


def test_a_keyed_chain_with_an_empty_anchor_is_found():
    recs = chain(2)
    problem = first_break(recs, head(recs), key=KEY, anchor=parse_anchor(""))
    assert problem.startswith("audit record 2: not in the anchor") and "removed" in problem


def test_a_legacy_plain_chain_verifies_unanchored_then_keyed_records_follow():
    legacy = chain(3, key=None)
    assert first_break(legacy, head(legacy), key=KEY, anchor=parse_anchor("")) is None
    keyed = chain(2, start=4, prev=legacy[-1]["hash"])
    both = legacy + keyed
    assert first_break(both, head(both), key=KEY, anchor=anchor_of(keyed)) is None


def test_a_record_turned_back_into_plain_sha256_is_named():
    legacy = chain(2, key=None)
    keyed = chain(2, start=3, prev=legacy[-1]["hash"])
    downgraded = legacy + [{**keyed[0], "alg": PLAIN, "hash": record_hash(
        keyed[0]["prev_hash"], keyed[0])}]
    problem = first_break(downgraded, None, key=KEY, anchor=anchor_of(keyed))
    assert problem.startswith("audit record 3 ") and "unkeyed" in problem
    # without any anchor, a plain record after a keyed one is refused too
    mixed = chain(1) + chain(1, key=None, start=2, prev=chain(1)[0]["hash"])
    problem = first_break(mixed, None, key=KEY, anchor=None)
    assert problem.startswith("audit record 2 ") and "unkeyed" in problem


def test_an_unknown_algorithm_and_a_missing_key_are_named():
    recs = chain(1)
    assert "not one Tender writes" in first_break([{**recs[0], "alg": "md5"}], key=KEY)
    assert "no AUDIT_HMAC_KEY" in first_break(recs, key=None)


def test_unreadable_and_unhashable_records_are_named_not_raised():
    recs = chain(2)
    problem = first_break([recs[0], {"seq": 2, "unreadable": "its time cannot be parsed"}],
                          key=KEY)
    assert problem == "audit record 2: its content cannot be read (its time cannot be parsed): edited"
    surrogate = {**recs[1], "after": {"v": "\ud800"}}
    assert first_break([recs[0], surrogate], key=KEY).startswith(
        "audit record 2 ")
    legacy = chain(1, key=None)
    assert "edited" in first_break([{**legacy[0], "after": {"v": "\ud800"}}])
    deep = [{**legacy[0], "after": _nested(5000)}]
    assert "edited" in first_break(deep)


def _nested(depth):
    value = []
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize("text,prepared,skipped", [
    ("P 1 " + "a" * 64 + "\n", {1}, 0),
    # a line torn by a crash mid-write, then the next write: the next line still counts
    ("P 1 " + "a" * 20 + "P 2 " + "b" * 64 + "\n", {2}, 1),
    ("P 1 " + "a" * 64 + "P 2 " + "b" * 64 + "\n", {2}, 1),  # torn just before its newline
    ("P 1 " + "a" * 64 + "\nP 2 " + "b" * 10, {1}, 1),  # torn at the end
    ("garbage\nC 3 " + "c" * 64 + "\n", set(), 1),
])
def test_anchor_lines_are_read_past_torn_fragments(text, prepared, skipped):
    anchor = parse_anchor(text)
    assert set(anchor.prepared) == prepared and anchor.skipped == skipped
