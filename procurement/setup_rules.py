"""Set-up checks that block finalising a procurement (SPEC §1, "Procurement set-up").

The partners' annual contributions must add up to the lots' total annual value, to the
penny. Problems are sentences for the officer, naming the figure that is off and by how
much, because "totals do not match" alone sends people hunting through a spreadsheet.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from procurement.formatting import money

PENNY = Decimal("0.01")


def _pennies(value: Decimal | int | str) -> Decimal:
    return Decimal(str(value)).quantize(PENNY, rounding=ROUND_HALF_UP)


def _values(kind: str, values: dict[str, Decimal | None], problems: list[str]) -> Decimal:
    """Sum the usable amounts, reporting missing and negative ones by name."""
    total = Decimal("0")
    for name, value in values.items():
        if value is None:
            problems.append(f"{kind} {name} has no annual value.")
            continue
        value = _pennies(value)
        if value < 0:
            problems.append(f"{kind} {name} has a negative annual value ({money(value)}).")
        total += value
    return total


def check_totals(
    lot_values: dict[str, Decimal | None], partner_contributions: dict[str, Decimal | None]
) -> list[str]:
    """Problems with the annual figures, or [] when they are consistent.

    Lots are keyed by code, partners by name. With no partners there is nothing to
    reconcile (the Partners sheet is optional), so only the lots are checked.
    """
    problems: list[str] = []
    if not lot_values:
        problems.append("There are no lots, so there is no total annual value.")
    lots_total = _values("Lot", lot_values, problems)
    if not partner_contributions:
        return problems
    partners_total = _values("Partner", partner_contributions, problems)
    difference = partners_total - lots_total
    if difference:
        direction = "less" if difference < 0 else "more"
        problems.append(
            f"Partner contributions total {money(partners_total)}, which is {money(abs(difference))} "
            f"{direction} than the lots' total of {money(lots_total)}."
        )
    return problems
