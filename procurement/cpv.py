"""CPV codes (Common Procurement Vocabulary, Regulation (EC) No 213/2008): `NNNNNNNN-N`.

The main vocabulary's codes are eight digits (division, group, class, category and three
digits of precision) and a ninth that checks the others. The check digit is the sum of the
eight digits weighted 3, 7, 1, 3, 7, 1, 3, 7 from the left (that is 7, 3, 1 repeating from
the right), modulo 10: 85000000 -> 8*3 + 5*7 = 59 -> 9, so 85000000-9.

The published vocabulary does not follow that rule everywhere: the EU Publications Office
acknowledges that check digits of some groups came out wrong in the 2008 revision and will
not be corrected (OP-TED/ePO discussion 589, on 03300000-2). Those 532 codes keep their
published check digit; they are listed in `data/cpv_check_digit_exceptions.csv` (taken from
the vocabulary itself: every code whose published digit differs from the rule), so a real
code such as 09310000-5 (Electricity) is accepted and 09310000-9 is not.

Pure: no Flask, no database.
"""
from __future__ import annotations

import csv
import re
from functools import lru_cache
from pathlib import Path

EXCEPTIONS = Path(__file__).with_name("data") / "cpv_check_digit_exceptions.csv"
WEIGHTS = (3, 7, 1, 3, 7, 1, 3, 7)
FORMAT = re.compile(r"^(\d{8})-(\d)$")
EXAMPLE = "85300000-2"


@lru_cache(maxsize=1)
def published_exceptions() -> dict[str, str]:
    """The eight digits -> the published check digit, where it departs from the rule."""
    with EXCEPTIONS.open(newline="", encoding="utf-8") as f:
        return {row["code"][:8]: row["code"][9] for row in csv.DictReader(f)}


def rule_digit(eight: str) -> str:
    """The check digit the rule gives for eight digits."""
    if len(eight) != 8 or not eight.isdigit():
        raise ValueError(f"A CPV code has 8 digits before its check digit, not {eight!r}")
    return str(sum(int(d) * w for d, w in zip(eight, WEIGHTS)) % 10)


def check_digit(eight: str) -> str:
    """The check digit of a code of the vocabulary: the published one where it differs."""
    return published_exceptions().get(eight) or rule_digit(eight)


def code_error(code: str) -> str | None:
    """Why `code` is not a CPV code, worded as an instruction, or None when it is one."""
    code = code.strip()
    match = FORMAT.match(code)
    if match is None:
        if re.fullmatch(r"\d{9}", code):
            return (f"Enter CPV code {code} with a hyphen before its check digit, "
                    f"like {code[:8]}-{code[8]}")
        if re.fullmatch(r"\d{8}", code):
            return (f"Enter CPV code {code} with its check digit, like "
                    f"{code}-{check_digit(code)}")
        return (f"Enter “{code}” as a CPV code: 8 digits, a hyphen and a check digit, "
                f"like {EXAMPLE}")
    eight, digit = match.groups()
    expected = check_digit(eight)
    if digit != expected:
        return (f"Check CPV code {code}: the check digit of {eight} is {expected}, "
                f"so the code is {eight}-{expected}")
    return None


def parse_codes(text: str) -> tuple[list[str], list[str]]:
    """(codes in order without repeats, problems) from text separated by commas, semicolons,
    spaces or new lines."""
    codes, problems = [], []
    for part in re.split(r"[\s,;]+", text or ""):
        if not part:
            continue
        problem = code_error(part)
        if problem:
            problems.append(problem)
        elif part not in codes:
            codes.append(part)
    return codes, problems
