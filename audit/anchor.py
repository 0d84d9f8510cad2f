"""The chain's anchor outside the audit table: an append-only file of (seq, hash) lines.

`audit.services.record` queues each new record's (seq, hash) on the session. Just before the
session commits, the queued records are appended as "P" (prepared) lines and fsync'd: a
record can never be committed without its line, so verify never sees a committed record the
anchor lacks. After the commit they are appended again as "C" (committed) lines. A crash or
a failed commit between the two leaves "P" lines ahead of the database, which verify
accepts (never committed); a "C" line ahead of the database is a deleted record.

Several gunicorn workers (and machines, when AUDIT_ANCHOR_PATH is on shared storage) append
to one file: each batch is one os.write on a descriptor opened with O_APPEND, under an
exclusive POSIX lock (honoured over NFS), then fsync'd. The file is never rewritten.
"""
from __future__ import annotations

import fcntl
import logging
import os
from pathlib import Path

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from audit.chain import Anchor, anchor_line, parse_anchor

log = logging.getLogger(__name__)
PENDING = "audit_anchor_pending"  # key in Session.info: [(path, record, seq, hash)]


class AnchorError(OSError):
    """The anchor file cannot be written: the transaction is not committed."""


def append(path: str, lines: list[str]) -> None:
    """Append `lines` to the file at `path` in one write, locked, then fsync."""
    if not lines:
        return
    data = "".join(lines).encode("ascii")
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX)
        try:
            written = os.write(fd, data)
            while written < len(data):  # a short write (rare: a full disk, a signal)
                written += os.write(fd, data[written:])
            os.fsync(fd)
        finally:
            fcntl.lockf(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def read(path: str) -> Anchor:
    """The anchor as parsed; an absent file is an empty anchor."""
    try:
        with open(path, "r", encoding="ascii", errors="replace") as f:
            return parse_anchor(f.read())
    except FileNotFoundError:
        return Anchor()


def queue(session: Session, path: str, record, seq: int, digest: str) -> None:
    session.info.setdefault(PENDING, []).append((path, record, seq, digest))


def _kept(session: Session) -> list[tuple[str, int, str]]:
    """Queued records still in the transaction (not dropped by a rolled-back savepoint)."""
    out = []
    for path, rec, seq, digest in session.info.get(PENDING, ()):
        state = inspect(rec)
        if not (state.transient or state.deleted or state.was_deleted):
            out.append((path, seq, digest))
    return out


def _by_path(entries, kind: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for path, seq, digest in entries:
        out.setdefault(path, []).append(anchor_line(kind, seq, digest))
    return out


@event.listens_for(Session, "before_commit")
def _prepare(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint released: the commit comes later
        return
    entries = _kept(session)
    if not entries:
        return
    try:
        for path, lines in _by_path(entries, "P").items():
            append(path, lines)
    except OSError as exc:  # no anchor line, no commit
        raise AnchorError(f"the audit anchor {exc.filename or ''} cannot be written: "
                          f"{exc.strerror or exc}") from exc


@event.listens_for(Session, "after_commit")
def _confirm(session: Session) -> None:
    if session.in_nested_transaction():
        return
    entries = _kept(session)
    session.info.pop(PENDING, None)
    try:
        for path, lines in _by_path(entries, "C").items():
            append(path, lines)
    except OSError:  # committed: a missing "C" line only widens the window verify accepts
        log.exception("audit anchor: records %s committed but not confirmed",
                      [s for _, s, _ in entries])


@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction) -> None:
    if transaction.parent is None:  # the outermost transaction ended: committed or not
        session.info.pop(PENDING, None)
