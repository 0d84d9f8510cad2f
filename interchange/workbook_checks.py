"""Checks of the workbook across its sheets, and the Scores and Consensus sheets.

Scores can run to hundreds of thousands of rows, so their loop does its own cell handling
with dict lookups against the sheets already read instead of the general helpers.
"""
from __future__ import annotations

from decimal import Decimal

from interchange.workbook import CellError, score_number, text

WEIGHT_TOLERANCE = Decimal("0.001")


def _plain(value: Decimal) -> str:
    """99.5000 -> "99.5", 100 -> "100": figures in messages as people type them."""
    return format(value.normalize(), "f")


def check_scores(reader, sheet, name: str, lots, criteria, bids):
    """Rows of the Scores or Consensus sheet as tuples, every problem recorded on `reader`.

    Scores rows: (lot, bidder, criterion, evaluator, score, comment);
    Consensus rows: (lot, bidder, criterion, score, rationale).
    """
    if sheet is None:
        return None
    individual = name == "Scores"
    columns = (("lot", "bidder", "criterion", "evaluator", "score", "comment") if individual
               else ("lot", "bidder", "criterion", "score", "rationale"))
    lot_codes = lots[0] if lots else None
    by_lot = criteria[0] if criteria else None
    bid_keys = bids[0] if bids else None
    err = reader.err
    seen: dict[tuple, int] = {}
    rows = []
    for r, values in sheet.records(columns):
        if individual:
            lot, bidder, code, evaluator, score, note = values
            evaluator = evaluator.strip() if type(evaluator) is str else text(evaluator)
        else:
            (lot, bidder, code, score, note), evaluator = values, None
        lot = lot.strip() if type(lot) is str else text(lot)
        bidder = bidder.strip() if type(bidder) is str else text(bidder)
        code = code.strip() if type(code) is str else text(code)
        known = True  # lot, bidder and criterion all found, so the criterion can be looked up
        if not lot:
            err(name, r, "lot", "Enter the lot's code")
            known = False
        elif lot_codes is not None and lot not in lot_codes:
            err(name, r, "lot", f'Lot "{lot}" is not on the Lots sheet')
            known = False
        if not bidder:
            err(name, r, "bidder", "Enter the bidder's name")
            known = False
        elif known and bid_keys is not None and (lot, bidder) not in bid_keys:
            err(name, r, "bidder", f'{bidder} has no bid for lot {lot} on the Bids sheet')
        top = None
        if not code:
            err(name, r, "criterion", "Enter the criterion's code")
        elif known and by_lot is not None:
            criterion = by_lot.get(lot, {}).get(code)
            if criterion is None:
                err(name, r, "criterion", f'Lot {lot} has no criterion "{code}" on the '
                    "Criteria sheet")
            elif criterion.kind == "price":
                err(name, r, "criterion", f"{code} is a price criterion, scored by formula "
                    f"from the bids' prices: remove this row from the {name} sheet")
            else:
                top = criterion.max_score
        if individual and not evaluator:
            err(name, r, "evaluator", "Enter the evaluator's name")
        elif individual and len(evaluator) > 200:
            err(name, r, "evaluator", "Shorten the evaluator's name to at most 200 characters")
        value = _score(reader, name, r, score, top, code)
        key = (lot, bidder, code, evaluator)
        first = seen.get(key)
        if first is not None:
            what = f"{evaluator}'s score" if individual else "the consensus score"
            err(name, r, "evaluator" if individual else "criterion",
                f"Duplicate row: row {first} already has {what} for {bidder}, lot {lot}, "
                f"criterion {code}: keep one row")
        else:
            seen[key] = r
        note = note.strip() if type(note) is str else text(note)
        rows.append((lot, bidder, code, evaluator, value, note) if individual
                    else (lot, bidder, code, value, note))
    return rows


def _score(reader, name: str, r: int, score, top: Decimal | None, code: str):
    if type(score) is int:  # the common case, without the general conversion's cost
        value = Decimal(score)
    elif score is None or text(score) == "":
        reader.err(name, r, "score", "Enter the score")
        return None
    else:
        try:
            value = score_number(score, "the score")
        except CellError as exc:
            reader.err(name, r, "score", str(exc))
            return None
    if value < 0 or (top is not None and value > top):
        limit = f"from 0 to {_plain(top)}, the max_score of {code}" if top is not None \
            else "of 0 or more"
        reader.err(name, r, "score", f"Enter a score {limit} (got {_plain(value)})")
        return None
    return value


def check_lots(reader, lots, criteria) -> None:
    """Every lot has criteria, and each lot's weights add up to 100."""
    if not lots or not criteria:
        return
    by_lot, _where, complete = criteria
    for code, row in lots[1].items():
        if code not in by_lot:
            reader.err("Lots", row, "code", f"Lot {code} has no criteria: add them to the "
                       "Criteria sheet")
    for lot, by_code in by_lot.items():
        if not complete.get(lot, True):
            continue  # a weight that could not be read is already reported
        total = sum((c.weight for c in by_code.values()), Decimal(0))
        off = total - 100
        if abs(off) > WEIGHT_TOLERANCE:
            reader.err("Criteria", None, "weight", (
                f"The weights of lot {lot} add up to {_plain(total)}, which is "
                f"{_plain(abs(off))} {'short of' if off < 0 else 'over'} 100: make them "
                "add up to 100"))


def check_partners(reader, partners, lots) -> None:
    """Partners' contributions add up to the lots' annual values, to the penny."""
    if not partners or not partners[0] or not partners[1] or not lots or not lots[2]:
        return  # absent, empty, or a value already reported as unreadable
    from procurement.setup_rules import check_totals  # pulls in packages: only when needed

    contributions = {}
    for partner in partners[0]:
        if partner.name in contributions:
            return  # the duplicate is already reported; a total would mislead
        contributions[partner.name] = partner.annual_contribution
    values = {code: lot.annual_value for code, lot in lots[0].items()}
    for problem in check_totals(values, contributions):
        reader.err("Partners", None, "annual_contribution", problem)
