"""Files in the database, written and read in chunks.

A file arrives as a stream (an upload); it is hashed and stored chunk by chunk, so neither
storing nor serving ever holds the whole file in memory. Serving checks the stored SHA-256
first (one pass over the chunks), then streams: a file whose bytes no longer match its hash
is never sent.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import BinaryIO

from flask import Response, abort, current_app, stream_with_context
from sqlalchemy import select

from extensions import db
from procurement.bids.models import FileChunk, StoredFile
from procurement.downloads import attachment

CHUNK = 256 * 1024


class FileDamaged(Exception):
    """The stored bytes do not match the hash recorded when they were stored."""


def store(stream: BinaryIO, content_type: str) -> StoredFile:
    """Store a stream as a new file (in the caller's transaction) and return it."""
    stored = StoredFile(sha256="", size=0, content_type=content_type)
    db.session.add(stored)
    db.session.flush()
    digest, size, seq = hashlib.sha256(), 0, 0
    while True:
        data = stream.read(CHUNK)
        if not data:
            break
        digest.update(data)
        size += len(data)
        chunk = FileChunk(file_id=stored.id, seq=seq, data=data)
        db.session.add(chunk)
        db.session.flush()  # the chunk goes to the database now ...
        db.session.expunge(chunk)  # ... and is not kept in the session's memory
        seq += 1
    stored.sha256, stored.size = digest.hexdigest(), size
    return stored


def _chunk_ids(file_id: int) -> list[int]:
    return list(db.session.execute(select(FileChunk.id).where(FileChunk.file_id == file_id)
                                   .order_by(FileChunk.seq)).scalars())


def chunks(file_id: int) -> Iterator[bytes]:
    """The file's bytes, a chunk at a time (each read on its own, then let go)."""
    for chunk_id in _chunk_ids(file_id):
        data = db.session.execute(select(FileChunk.data).where(FileChunk.id == chunk_id)
                                  ).scalar_one()
        yield data


def verify(stored: StoredFile) -> bool:
    digest = hashlib.sha256()
    for data in chunks(stored.id):
        digest.update(data)
    return digest.hexdigest() == stored.sha256


def checked_chunks(stored: StoredFile) -> Iterator[bytes]:
    """The chunks of a file whose hash has just been checked; FileDamaged if it does not match."""
    if not verify(stored):
        raise FileDamaged(f"stored file {stored.id} does not match its sha256")
    return chunks(stored.id)


def send(stored: StoredFile, name: str, mimetype: str, inline: bool = False) -> Response:
    """A response streaming the file, its hash checked before a byte is sent (409 if it no
    longer matches); never cached, never sniffed, saved as `name` unless shown `inline`."""
    try:
        chunks = checked_chunks(stored)
    except FileDamaged:
        current_app.logger.error("stored file %s does not match its sha256", stored.id)
        db.session.rollback()
        abort(409)
    return attachment(stream_with_context(chunks), name, mimetype, inline=inline,
                      length=stored.size)


def read_all(stored: StoredFile) -> bytes:
    """The whole file, for small files only (a PDF of the register in a test, a preview)."""
    return b"".join(chunks(stored.id))
