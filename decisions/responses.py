"""Responses the decision pages share: PDFs with safe file names, and refusals with a reason."""
from __future__ import annotations

from flask import Response, render_template

from procurement.downloads import attachment


def pdf_response(content: bytes, filename: str, *, private: bool = True) -> Response:
    """Every PDF is downloaded, never shown inline in the app's origin (issue 10: an uploaded
    annex could carry active content), and never sniffed as anything else."""
    return attachment(content, filename, "application/pdf", public=not private)


def refuse(code: int, title: str, message: str):
    """An error page with a message saying why, and the status code."""
    return render_template("errors/error.html", title=title, message=message), code



def read_only_refusal(note):
    """The refusal page (409) when `note` is signed off and so read-only, else None."""
    from decisions.signoff.rules import edit_refusal, http_status

    refusal = edit_refusal(note.state if note is not None else "draft")
    if refusal is None:
        return None
    return refuse(http_status(refusal.reason), "The decision note is read-only",
                  refusal.message)
