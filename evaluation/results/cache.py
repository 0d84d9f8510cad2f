"""The results of lots, computed once per request and kept against the data version.

Two levels, neither of which can serve figures that are out of date:
- per request (the request's environ): a page that shows results twice (the procurement
  page and its sign-off panel, the note and its readiness check) runs the engine once;
- per process, an LRU keyed on (procurement, lot, figures counter, the counter row's random
  token) (procurement.data_version): every change to the figures bumps the counter in its
  own transaction, so a key names one state of the records; every gunicorn worker keeps its
  own, and the database stays the only source of truth (a worker that has not seen a
  version computes it).
Nothing is kept or served while the current transaction has changed the figures (it may
roll back, and its counter moves once per transaction, not at every flush). A procurement without a row (made
before migration 0014 and never changed since) is not cached.

Results are shared objects: callers read them and never change them.
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Callable

from flask import has_request_context, request

from evaluation.results import engine
from evaluation.results.values import CriterionIn, LotIn, LotResult
from procurement.data_version import stamp

MAX_LOTS = 2048  # a 50-lot tender is 50 entries of a few kB
_LRU: OrderedDict[tuple, tuple[LotResult, list[CriterionIn]]] = OrderedDict()
_REQUEST_KEY = "tender.lot_results"


def _request_cache() -> dict:
    if not has_request_context():
        return {}
    return request.environ.setdefault(_REQUEST_KEY, {})


Stamp = tuple  # (stamp of the data version or None, shareable beyond the transaction)


def lookup(procurement_id: int, lot_ids: list[int]) -> tuple[Stamp, dict]:
    """(the stamp now, {lot id: (result, criteria)} of those already computed)."""
    now = stamp(procurement_id)
    _request_cache()[("stamp", procurement_id)] = now  # for `fragment`, drawn from these
    version, shared = now
    if version is None or not shared:
        return now, {}
    levels = [_request_cache(), _LRU]
    found = {}
    for lot_id in lot_ids:
        key = (procurement_id, lot_id, version)
        hit = next((level[key] for level in levels if key in level), None)
        if hit is not None:
            found[lot_id] = hit
            _keep(levels, key, hit)
    return now, found


def _keep(levels, key, value) -> None:
    for level in levels:
        level[key] = value
    if levels[-1] is _LRU:
        _LRU.move_to_end(key)
        while len(_LRU) > MAX_LOTS:
            _LRU.popitem(last=False)


def store(procurement_id: int, now: Stamp, lot_id: int,
          value: tuple[LotResult, list[CriterionIn]]) -> None:
    version, shared = now
    if version is None or not shared:
        return
    _keep([_request_cache(), _LRU], (procurement_id, lot_id, version), value)


def computed(procurement_id: int, now: tuple | None, lot_id: int,
             lot_in: LotIn) -> tuple[LotResult, list[CriterionIn]]:
    value = (engine.compute_lot(lot_in), lot_in.criteria)
    store(procurement_id, now, lot_id, value)
    return value


_FRAGMENTS: OrderedDict[tuple, str] = OrderedDict()
MAX_FRAGMENTS = 512  # a results page's tables of a 20-bid, 30-criterion lot: about 90 kB


def fragment(procurement_id: int, lot_id: int, name: str, render: Callable[[], str]) -> str:
    """HTML drawn from a lot's results alone (`render()`, e.g. its results tables), kept per
    process against the same key as the results: a repeat view costs no query and no
    template. The key is the stamp the results of this request were looked up with (one
    query fewer, and the HTML named by the version it was drawn from); a stamp read now
    without them. Not kept while this transaction changed the figures."""
    now = _request_cache().get(("stamp", procurement_id)) or stamp(procurement_id)
    version, shared = now
    if version is None or not shared:
        return render()
    key = (procurement_id, lot_id, version, name)
    html = _FRAGMENTS.get(key)
    if html is None:
        html = _FRAGMENTS[key] = render()
        while len(_FRAGMENTS) > MAX_FRAGMENTS:
            _FRAGMENTS.popitem(last=False)
    _FRAGMENTS.move_to_end(key)
    return html


def clear() -> None:
    _LRU.clear()
    _FRAGMENTS.clear()
