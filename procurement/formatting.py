"""How figures are written in the decision note, letters and tables (tender-workbook.md)."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def money(amount: Decimal | int | float | str | None) -> str:
    """£ with thousands separators, pence only when not zero: £3,375,221 or £1,859,195.76."""
    if amount is None:
        return ""
    value = Decimal(str(amount)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    sign = "-" if value < 0 else ""
    value = abs(value)
    if value == value.to_integral_value():
        return f"{sign}£{int(value):,}"
    return f"{sign}£{value:,.2f}"


def score(value: float | Decimal | None) -> str:
    """Scores and percentages with two decimals: 97.00, 10.50."""
    if value is None:
        return ""
    return str(Decimal(repr(float(value))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def raw_score(value: float | Decimal | str | None) -> str:
    """A score as an evaluator writes it: 5, 3.5, 2.25 (no trailing zeros; hundredths at most)."""
    if value is None:
        return ""
    d = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    text = f"{d:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def term(initial_years: int, extensions: list[int]) -> str:
    """A term as the note writes it: "3 + 1 + 1 years"."""
    parts = [str(initial_years)] + [str(e) for e in extensions]
    total = initial_years + sum(extensions)
    return f"{' + '.join(parts)} year{'s' if total != 1 else ''}"


def when(value) -> str:
    """A key date as a person reads it: "3 March 2023", or "3 March 2023 at 12:00" in UK time
    for a date-time (an aware one is shown in Europe/London, GMT or BST as the day had)."""
    if value is None:
        return ""
    if hasattr(value, "hour"):
        if value.tzinfo is not None:
            from zoneinfo import ZoneInfo

            value = value.astimezone(ZoneInfo("Europe/London"))
        return f"{value.day} {value:%B %Y} at {value:%H:%M}"
    return f"{value.day} {value:%B %Y}"
