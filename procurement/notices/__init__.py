"""Notices, tender documents and clarifications: the records and rules of publishing.

The base layer's part of issue 12: the `Notice`, `TenderDocument`, `Clarification` and
`Interest` rows (`models.py`), the pure rules (`rules.py`: the kinds each regime has and
what publishing one needs; `filetypes.py`: a document's type by its bytes; `periods.py`: the
minimum tender period), the officer's tender documents and clarification pages and the
supplier's questions (`documents.py`, `clarifications.py`), and the queries the public pages
share (`queries.py`). Building a notice from the records, publishing it, its PDF and the OCDS
release need the results and the signed decision note, so they live above, in `publication/`.
"""
