"""An audit record's change in words: "state: draft → sent; score: 3 → 4".

Pure: the audit page shows this one line per record, the full before and after on demand."""
from __future__ import annotations

import json

LONGEST_VALUE = 60  # characters of one value before it is cut with "…"
MOST_FIELDS = 4  # fields named in the line; the rest are counted ("and 2 more")


def value_words(value) -> str:
    """One value, short: none, yes/no, a number or text as is, anything nested as JSON."""
    if value is None or value == "":
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, dict)):
        text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    else:
        text = str(value)
    text = " ".join(text.split())
    return text if len(text) <= LONGEST_VALUE else text[:LONGEST_VALUE - 1] + "…"


def _field(name: str) -> str:
    return str(name).replace("_", " ")


def _as_fields(value) -> dict:
    if value is None:
        return {}
    return value if isinstance(value, dict) else {"value": value}


def changes(before, after) -> list[str]:
    """Each field that differs: "field: old → new"; a field only after: "field: new"; a field
    only before: "field: old → removed"."""
    old, new = _as_fields(before), _as_fields(after)
    lines = []
    for key in list(old) + [k for k in new if k not in old]:
        if key in old and key in new:
            if old[key] != new[key]:
                lines.append(f"{_field(key)}: {value_words(old[key])} → {value_words(new[key])}")
        elif key in new:
            lines.append(f"{_field(key)}: {value_words(new[key])}")
        else:
            lines.append(f"{_field(key)}: {value_words(old[key])} → removed")
    return lines


def summary(before, after) -> str:
    """The line the audit page shows for a record."""
    lines = changes(before, after)
    if not lines:
        return "no field changed" if before is not None or after is not None else "no details"
    shown = "; ".join(lines[:MOST_FIELDS])
    more = len(lines) - MOST_FIELDS
    return shown + (f"; and {more} more" if more > 0 else "")
