"""Responses the decision pages share: PDFs with safe file names, and refusals with a reason."""
from __future__ import annotations

import re

from flask import Response, render_template


def safe_filename(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9 ._()+-]+", "-", name).strip() or "document"


def pdf_response(content: bytes, filename: str, download: bool = False, *,
                 private: bool = True) -> Response:
    resp = Response(content, mimetype="application/pdf")
    disposition = "attachment" if download else "inline"
    resp.headers["Content-Disposition"] = f'{disposition}; filename="{safe_filename(filename)}"'
    resp.headers["Cache-Control"] = "private, no-store" if private else "public, max-age=300"
    resp.headers["X-Content-Type-Options"] = "nosniff"
    return resp


def refuse(code: int, title: str, message: str):
    """An error page with a message saying why, and the status code."""
    return render_template("errors/error.html", title=title, message=message), code

