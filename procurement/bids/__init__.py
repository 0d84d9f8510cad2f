"""Sealed electronic bids: a supplier's versions of its bid for a lot, their documents (kept
in the database, streamed), the deadline checked in the transaction that stores a version,
and the opening of the bids after the deadline.
"""
