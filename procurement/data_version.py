"""The data version of a procurement: counters bumped in the transaction of every change.

A sent decision note is stale when the records it was drawn from changed after it was sent.
Rebuilding the note and every input of the results engine to find out costs seconds on a
large tender, so every change the note depends on bumps a counter of its procurement instead,
in the same flush (so in the same transaction: a rolled-back change bumps nothing), and the
frozen version keeps the counters it was sent with: staleness is one query.

Three counters, so that "what changed" can be named without recomputing anything:
- figures: lots, criteria, bids, bidders, scores, consensus, section minimums, partners,
  key dates, engagement events and the procurement's own fields the note shows (and the
  cache of the results engine is keyed on it);
- narrative: the note's narrative, answers, marking, sensitive phrases, decision number;
- annexes: the EIA and DPIA.

One `before_flush` listener does it. The higher layers (evaluation, decisions) register
their models with `watch` (this module cannot import them); each registration says which
counter a row bumps, how to find its procurement, and which columns do not count (a bid's
opening time, a note's state: nothing the note draws). Core statements (`insert(...)`,
`update(...)`) bypass the ORM and so the listener: writers that use them on watched tables
call `bump` themselves (the workbook import makes a new procurement, so a row of zeros).
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Callable

from sqlalchemy import ForeignKey, Integer, String, event, inspect, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from accounts.models import Organisation
from extensions import db
from procurement.models import (Bid, Bidder, EngagementEvent, Lot, PartnerContribution,
                                Procurement, TimelineDate)

FIGURES, NARRATIVE, ANNEXES = "figures", "narrative", "annexes"
COUNTERS = (FIGURES, NARRATIVE, ANNEXES)


class DataVersion(db.Model):
    """One row per procurement (absent: every counter 0). Migration 0014."""

    __tablename__ = "data_version"
    procurement_id: Mapped[int] = mapped_column(
        ForeignKey("procurement.id", ondelete="CASCADE"), primary_key=True)
    figures: Mapped[int] = mapped_column(Integer, default=0)
    narrative: Mapped[int] = mapped_column(Integer, default=0)
    annexes: Mapped[int] = mapped_column(Integer, default=0)
    # random, set when the row is made: with the counters it names one state of the data,
    # even across databases (tests, a restore), for caches keyed on it
    token: Mapped[str] = mapped_column(String(32))


@dataclass(frozen=True)
class Counters:
    figures: int = 0
    narrative: int = 0
    annexes: int = 0

    def as_dict(self) -> dict:
        return {name: getattr(self, name) for name in COUNTERS}

    def changed(self, other: "Counters") -> list[str]:
        """The counters that differ, in COUNTERS order."""
        return [name for name in COUNTERS if getattr(self, name) != getattr(other, name)]


def stamp(procurement_id: int) -> tuple[tuple | None, bool]:
    """(figures, token), naming the figures of the procurement now, for the results cache,
    and whether it may be shared beyond this transaction: not when this transaction changed
    them (it may roll back). (None, False) when no row exists. One query."""
    row = db.session.execute(select(DataVersion.figures, DataVersion.token)  # autoflushes
                             .where(DataVersion.procurement_id == procurement_id)).first()
    if row is None:
        return None, False
    return tuple(row), procurement_id not in db.session.info.get(WROTE, ())


WROTE = "figures_bumped"  # session.info: procurements whose figures this transaction bumped


BUMPED = "data_version_bumped"  # session.info: (procurement, counter) bumped in this transaction


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _transaction_over(session: Session) -> None:
    session.info.pop(WROTE, None)
    session.info.pop(BUMPED, None)


@event.listens_for(Session, "after_soft_rollback")
def _savepoint_over(session: Session, previous_transaction) -> None:
    # a rolled-back savepoint may have taken a bump with it: bump again at the next change
    session.info.pop(BUMPED, None)


def counters(procurement_id: int) -> Counters:
    """The procurement's counters now: one query."""
    row = db.session.execute(select(DataVersion.figures, DataVersion.narrative,
                                    DataVersion.annexes)
                             .where(DataVersion.procurement_id == procurement_id)).first()
    return Counters(*row) if row else Counters()


# ---- what bumps what ----------------------------------------------------------------------

@dataclass(frozen=True)
class Watch:
    counter: str
    # the row's procurement: (kind, id) where kind is "procurement", "lot", "bid", "note"
    # or "organisation", resolved in one query per kind and flush
    owner: Callable[[object], tuple[str, int | None]]
    ignored: frozenset[str] = frozenset()
    new_counts: bool = True  # False: a new row changes nothing drawn (an empty note)


WATCHED: dict[type, Watch] = {}


def watch(model: type, counter: str, owner, ignored=(), new_counts: bool = True) -> None:
    WATCHED[model] = Watch(counter, owner, frozenset(ignored), new_counts)


def owner_via(kind: str, fk: str, relation: str | None = None, parent_fk: str | None = None):
    """The owner of a row by its foreign key, or (a new row given its parent object rather
    than its id) by the parent's own foreign key."""
    def owner(obj):
        value = getattr(obj, fk)
        if value is None and relation is not None:
            parent = getattr(obj, relation, None)
            if parent is not None:
                value = getattr(parent, "id", None)
                if value is None and parent_fk is not None:  # the parent is new too
                    return _PARENT_KIND[kind], getattr(parent, parent_fk)
        return kind, value
    return owner


_PARENT_KIND = {"lot": "procurement", "bid": "lot", "note": "procurement"}

watch(Procurement, FIGURES, lambda p: ("procurement", p.id), new_counts=False,
      ignored={"state", "created_at", "setup_finalised_at", "description", "cpv_codes",
               "region", "electronic_submission", "two_person_opening"})
for _model in (PartnerContribution, TimelineDate, EngagementEvent, Bidder):
    watch(_model, FIGURES, owner_via("procurement", "procurement_id", "procurement"),
          ignored={"organisation_id"} if _model is Bidder else ())
watch(Lot, FIGURES, owner_via("procurement", "procurement_id", "procurement"),
      ignored={"model_locked", "results_final_at"})
watch(Organisation, FIGURES, lambda o: ("organisation", o.id),
      ignored={"kind", "decision_prefix", "signoff_order"})
watch(Bid, FIGURES, owner_via("lot", "lot_id", "lot", "procurement_id"),
      ignored={"state", "source", "received_at", "opened_at"})


def _procurement_ids(session: Session, wanted: dict[str, set]) -> set[int]:
    """Resolve owners of each kind to procurement ids, one query per kind used."""
    out = {i for i in wanted.get("procurement", ()) if i is not None}
    queries = {"lot": lambda ids: select(Lot.procurement_id).where(Lot.id.in_(ids)),
               "bid": lambda ids: select(Lot.procurement_id).join(Bid, Bid.lot_id == Lot.id)
               .where(Bid.id.in_(ids)),
               "organisation": lambda ids: select(Procurement.id)
               .where(Procurement.organisation_id.in_(ids))}
    queries.update(EXTRA_KINDS)
    for kind, ids in wanted.items():
        ids = {i for i in ids if i is not None}
        if kind != "procurement" and ids:
            out.update(session.execute(queries[kind](ids)).scalars())
    return out


EXTRA_KINDS: dict[str, Callable] = {}  # e.g. "note": decisions registers its own lookup


def _changes(session: Session) -> dict[str, dict[str, set]]:
    """Per counter, the owners (by kind) of the rows this flush writes."""
    found: dict[str, dict[str, set]] = {}
    rows = ([(o, "new") for o in session.new] + [(o, "deleted") for o in session.deleted]
            + [(o, "dirty") for o in session.dirty])
    for obj in list(session.dirty):  # delete-orphan: decided later in the flush, seen here
        rows += [(child, "deleted") for child in _removed_children(obj)]
    for obj, how in rows:
        spec = WATCHED.get(type(obj))
        dirty = how == "dirty"
        if spec is None or (how == "new" and not spec.new_counts) \
                or (isinstance(obj, Procurement) and how == "deleted") or (dirty and not _columns_changed(obj, spec.ignored)):
            continue
        kind, ident = spec.owner(obj)
        found.setdefault(spec.counter, {}).setdefault(kind, set()).add(ident)
    return found


def _removed_children(obj) -> list:
    state = inspect(obj)
    out = []
    for rel in state.mapper.relationships:
        if rel.uselist and rel.mapper.class_ in WATCHED:
            out += [c for c in state.attrs[rel.key].history.deleted if c is not None]
    return out


def _columns_changed(obj, ignored: frozenset[str]) -> bool:
    state = inspect(obj)
    return any(attr.key not in ignored and attr.history.has_changes()
               for attr in state.attrs if attr.key in state.mapper.column_attrs)


_UPSERT = text(  # SQLite 3.24+ and PostgreSQL alike; atomic, so no lost increments
    "INSERT INTO data_version (procurement_id, figures, narrative, annexes, token) "
    "VALUES (:p, :figures, :narrative, :annexes, :token) ON CONFLICT (procurement_id) DO UPDATE SET "
    "figures = data_version.figures + excluded.figures, "
    "narrative = data_version.narrative + excluded.narrative, "
    "annexes = data_version.annexes + excluded.annexes")


def bump(session: Session, procurement_ids, *names: str) -> None:
    """Add 1 to the named counters of each procurement (in the session's transaction); with
    no names, make the row (zeros) if there is none."""
    rows = [{"p": p, "token": secrets.token_hex(16), **{c: int(c in names) for c in COUNTERS}}
            for p in sorted(procurement_ids)]
    if rows:
        session.execute(_UPSERT, rows)
        if isinstance(session, Session) and FIGURES in names:
            session.info.setdefault(WROTE, set()).update(procurement_ids)


@event.listens_for(Session, "before_flush")
def _bump_on_flush(session: Session, flush_context, instances) -> None:
    # The session is flushing, so these statements do not autoflush (no recursion).
    per_procurement: dict[int, set[str]] = {}
    for counter, wanted in _changes(session).items():
        for p in _procurement_ids(session, wanted):
            per_procurement.setdefault(p, set()).add(counter)
    # Once per transaction is enough: the counter then differs from any version sent before
    # it, and caches keyed on it are not used by a transaction that changed the figures.
    done = session.info.setdefault(BUMPED, set())
    by_names: dict[tuple, list[int]] = {}
    for p, names in per_procurement.items():
        names = {n for n in names if (p, n) not in done}
        done.update((p, n) for n in names)
        if names:
            by_names.setdefault(tuple(sorted(names)), []).append(p)
    for names, ids in by_names.items():
        bump(session, ids, *names)


@event.listens_for(Session, "after_flush")
def _row_for_new_procurements(session: Session, flush_context) -> None:
    # A new procurement gets its row (zeros, a fresh token) once it has an id, so that the
    # results of a procurement never changed since are cached too.
    made = [o.id for o in session.new if isinstance(o, Procurement) and o.id is not None]
    if made:
        bump(session, made)
