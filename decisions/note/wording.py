"""Sentences of the decision note built from the records' words: plain functions, no Flask,
no ORM, so the PDF, the note's pages and the tests say exactly the same thing."""
from __future__ import annotations

from collections.abc import Iterable


def join_words(items: list[str]) -> str:
    """"a", "a and b", "a, b and c"."""
    if not items:
        return ""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def description_items(text: str | None) -> list[str]:
    """A section's description as the phrases it lists, one a line ("a written quality
    submission"); blank lines dropped."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def assessment_items(sections: Iterable[str], descriptions: dict[str, str]) -> list[str]:
    """What bids were assessed through: each section in model order as its description
    names it (its name when it has none), each phrase once."""
    items: dict[str, None] = {}
    for section in dict.fromkeys(sections):
        for item in description_items(descriptions.get(section)) or [section]:
            items.setdefault(item, None)
    return list(items)


def assessment_sentence(sections: Iterable[str], descriptions: dict[str, str]) -> str | None:
    """"Assessment of bids was undertaken through a, b and c." or None without sections."""
    items = assessment_items(sections, descriptions)
    if not items:
        return None
    return f"Assessment of bids was undertaken through {join_words(items)}."


def note_assessment(lots: Iterable, descriptions: dict[str, str]) -> str | None:
    """The sentence for a note's lots (each with `sections`, in column order), lot by lot."""
    return assessment_sentence((s for lot in lots for s in lot.sections), descriptions)
