"""Today's date for the decision pages, letters and the public guard, in one place.

Everything that asks "is it after the deferral date?", "when were the letters sent?" or
"which financial year is the decision number in?" calls `clock.today()` through the module
(never `from decisions.clock import today`), so tests monkeypatch `decisions.clock.today`.
"""
from __future__ import annotations

from datetime import date


def today() -> date:
    return date.today()
