"""The workbook's Procurement sheet: one `field` / `value` row per fact about the procurement."""
from __future__ import annotations

from interchange.workbook import (REGIMES, RELATES_TO, CellError, ParsedTender, choice, day,
                                 text, whole, yes_no)

SHEET = "Procurement"
OPTIONAL = ("relates_to", "extension_years", "itt_published", "tender_deadline",
            "contract_start", "min_delphi", "pin_published", "clarification_deadline",
            "electronic_submission", "award_notice_published")
REQUIRED = {"reference": "reference", "title": "title", "organisation": "organisation's name",
            "regime": "regime", "initial_term_years": "initial term in years"}
LENGTHS = {"reference": 60, "title": 300, "organisation": 200}


def read_procurement(reader, sheet) -> ParsedTender | None:
    """The procurement's facts, or None with every problem recorded on `reader`."""
    if sheet is None:
        return None
    fields: dict[str, tuple[int, object]] = {}
    for r, (name, value) in sheet.records(("field", "value")):
        key = text(name).lower()
        if not key:
            reader.err(SHEET, r, "field", "Enter the field's name, e.g. reference")
        elif key in fields:
            reader.err(SHEET, r, "field", f'Field "{key}" is also on row {fields[key][0]}: '
                       "give each field once")
        else:
            fields[key] = (r, value)
    facts = {}
    for key, label in REQUIRED.items():
        r, value = fields.get(key, (None, None))
        if r is None:
            reader.err(SHEET, None, "field", f'Enter the {label} (field "{key}" is required: '
                       f'add a row with field "{key}")')
        elif text(value) == "":
            reader.err(SHEET, r, "value", f'Enter the {label} (field "{key}" is required)')
        else:
            facts[key] = _convert(reader, key, r, value)
    for key in OPTIONAL:
        r, value = fields.get(key, (None, None))
        facts[key] = _convert(reader, key, r, value) if text(value) != "" else None
    if any(facts.get(k) is None for k in REQUIRED):
        return None
    return ParsedTender(
        reference=facts["reference"], title=facts["title"],
        organisation=facts["organisation"], regime=facts["regime"],
        initial_term_years=facts["initial_term_years"],
        relates_to=facts["relates_to"] or [], extension_years=facts["extension_years"] or [],
        itt_published=facts["itt_published"], tender_deadline=facts["tender_deadline"],
        contract_start=facts["contract_start"], min_delphi=facts["min_delphi"],
        pin_published=facts["pin_published"],
        clarification_deadline=facts["clarification_deadline"],
        electronic_submission=facts["electronic_submission"] is not False,  # default yes
        award_notice_published=facts["award_notice_published"])


def _convert(reader, key: str, r: int, value):
    try:
        return CONVERT[key](key, value)
    except CellError as exc:
        reader.err(SHEET, r, "value", str(exc))
        return None


def _text(key, value) -> str:
    result = text(value)
    if len(result) > LENGTHS[key]:
        raise CellError(f"Shorten the {key} to at most {LENGTHS[key]} characters "
                        f"(it has {len(result)})")
    return result


def _relates_to(key, value) -> list[str]:
    chosen: list[str] = []
    for part in text(value).split(","):
        if part.strip():
            option = choice(part, RELATES_TO, "relates_to")
            if option not in chosen:
                chosen.append(option)
    return chosen


def _term(key, value) -> int:
    years = whole(value, key)
    if years < 1:
        raise CellError(f"Enter an initial_term_years of at least 1 (got {years})")
    return years


def _extensions(key, value) -> list[int]:
    parts = [value] if isinstance(value, (int, float)) else text(value).split(",")
    try:
        years = [whole(p, key) for p in parts]
    except CellError:
        raise CellError("Enter the extension_years as whole numbers separated by commas, "
                        f"e.g. 1,1 (got {text(value)!r})") from None
    if any(y < 1 for y in years):
        raise CellError(f"Enter extension_years of at least 1 year each (got {text(value)!r})")
    return years


def _min_delphi(key, value) -> int:
    result = whole(value, key)
    if not 0 <= result <= 100:
        raise CellError(f"Enter a whole number from 0 to 100 for min_delphi (got {result})")
    return result


CONVERT = {
    "reference": _text, "title": _text, "organisation": _text,
    "regime": lambda key, value: choice(value, REGIMES, "regime"),
    "relates_to": _relates_to,
    "initial_term_years": _term,
    "extension_years": _extensions,
    "itt_published": lambda key, value: day(value, key),
    "tender_deadline": lambda key, value: day(value, key, allow_time=True),
    "contract_start": lambda key, value: day(value, key),
    "min_delphi": _min_delphi,
    "pin_published": lambda key, value: day(value, key),
    "clarification_deadline": lambda key, value: day(value, key, allow_time=True),
    "electronic_submission": lambda key, value: yes_no(value, key),
    "award_notice_published": lambda key, value: day(value, key),
}
