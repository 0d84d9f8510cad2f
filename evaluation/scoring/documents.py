"""A bid's documents after opening, for the officer and the lot's panel: downloaded, or a PDF
previewed inside the scoring page. Streamed chunk by chunk from the database, the hash checked
first; 404 while the bid is sealed; never for an evaluator conflicted with the bidder (or who
has not declared yet)."""
from __future__ import annotations

from flask import Response, abort

from evaluation import bp
from evaluation.guards import declared_map, require_member
from procurement.access import granted, lot_for
from procurement.bids import storage
from procurement.bids.models import BidDocument
from procurement.bids.opening import opened_documents
from procurement.bids.sealed import open_bid_for
from procurement.notices.filetypes import TYPES
from procurement.policy import PANEL

# The preview is framed by the app's own scoring page only; everything else keeps the
# app-wide policy (security.py: frame-ancestors 'none').
PREVIEW_CSP = "default-src 'none'; frame-ancestors 'self'; base-uri 'none'; form-action 'none'"


def _document(reference, code, bid_id, bid_document_id) -> BidDocument:
    _, lot = lot_for(reference, code)
    bid = open_bid_for(bid_id)
    doc = next((d for d in opened_documents(bid) if d.id == bid_document_id), None)
    if doc is None:
        abort(404)
    if granted() == PANEL:
        conflicted = declared_map(require_member(lot)).get(bid.bidder_id)
        if conflicted is None or conflicted:
            abort(403)  # declare first; a declared conflict bars the evaluator
    return doc


def _send(doc: BidDocument, *, inline: bool) -> Response:
    kind = TYPES.get(doc.file_type)
    mimetype = kind.content_type if kind else "application/octet-stream"
    resp = storage.send(doc.file, doc.name, mimetype, inline=inline)
    if inline:
        resp.headers["Content-Security-Policy"] = PREVIEW_CSP
        resp.headers["X-Frame-Options"] = "SAMEORIGIN"
    return resp


@bp.route("/procurements/<reference>/lots/<code>/bids/<int:bid_id>/documents/"
          "<int:bid_document_id>")
def bid_document(reference, code, bid_id, bid_document_id):
    return _send(_document(reference, code, bid_id, bid_document_id), inline=False)


@bp.route("/procurements/<reference>/lots/<code>/bids/<int:bid_id>/documents/"
          "<int:bid_document_id>/preview")
def bid_document_preview(reference, code, bid_id, bid_document_id):
    doc = _document(reference, code, bid_id, bid_document_id)
    if doc.file_type != "pdf":
        abort(404)  # only a PDF is previewed in the page
    return _send(doc, inline=True)
