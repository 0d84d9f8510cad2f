"""Every file Tender hands out as a download, through one response: each carries the same
headers (a safe file name, never sniffed as another type, never cached unless public)."""
from __future__ import annotations

from flask import Response

from procurement.notices.filetypes import safe_filename


def attachment(body, filename: str, mimetype: str, *, inline: bool = False,
               public: bool = False, length: int | None = None) -> Response:
    """`body` (bytes, or chunks to stream) saved as `filename`, or shown `inline`."""
    resp = Response(body, mimetype=mimetype)
    disposition = "inline" if inline else "attachment"
    resp.headers["Content-Disposition"] = f'{disposition}; filename="{safe_filename(filename)}"'
    if length is not None:
        resp.headers["Content-Length"] = str(length)
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["Cache-Control"] = "public, max-age=300" if public else "private, no-store"
    return resp
