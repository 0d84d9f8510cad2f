"""The password policy, after the NCSC's password guidance: long, not common, and nothing else.

- at least 12 characters (a phrase of three random words is long enough and easy to remember);
- not on the deny-list of common passwords (`data/common-passwords.txt.gz`: the 20,000 most
  common passwords, lower case, as Django ships them), nor one of them with digits or
  punctuation added at either end, nor one of them repeated;
- not the person's email address, the part before the @, or their name, nor a word of this
  service (`tender`, `procurement`) with digits or punctuation added;
- not one character repeated;
- no composition rules (no "one upper case letter, one digit and one symbol"): they make
  passwords harder to remember without making them harder to guess.

Plain functions over plain values, no Flask or ORM: `problems` returns the refusals, in the
words the change-password page and `accounts create-user` show.
"""
from __future__ import annotations

import gzip
import string
from functools import lru_cache
from pathlib import Path

MIN_LENGTH = 12
MAX_LENGTH = 256  # long enough for any phrase; bounds the work of hashing
DENY_LIST = Path(__file__).resolve().parent / "data" / "common-passwords.txt.gz"
SERVICE_WORDS = frozenset({"tender", "procurement", "password"})
_EDGES = string.digits + string.punctuation + string.whitespace

TOO_SHORT = f"Password must be {MIN_LENGTH} characters or more"
TOO_LONG = f"Password must be {MAX_LENGTH} characters or fewer"
TOO_COMMON = ("Password is too easy to guess: it is one of the most common passwords. "
              "Try three or more random words")
TOO_PERSONAL = "Password must not be your email address or name"
TOO_SIMPLE = "Password must not be one character repeated"


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    with gzip.open(DENY_LIST, "rt", encoding="utf-8") as f:
        return frozenset(line.strip().lower() for line in f if line.strip())


def _core(text: str) -> str:
    """The password without the digits and punctuation people add at either end."""
    return text.strip(_EDGES)


def _repeats_of(text: str) -> str | None:
    """'qwertyqwerty' -> 'qwerty': the unit a password repeats, if it is one repeated."""
    for size in range(1, len(text) // 2 + 1):
        if len(text) % size == 0 and text[:size] * (len(text) // size) == text:
            return text[:size]
    return None


def is_common(password: str) -> bool:
    lowered = password.lower()
    squeezed = "".join(lowered.split())  # spaces between words hide nothing
    candidates = {lowered, _core(lowered), squeezed, _core(squeezed)}
    for text in (lowered, squeezed):
        unit = _repeats_of(text)
        if unit:
            candidates |= {unit, _core(unit)}
    common = common_passwords()
    return any(c in common or c in SERVICE_WORDS for c in candidates if c)


def problems(password: str, *, email: str = "", name: str = "") -> list[str]:
    """Why this password may not be used; an empty list when it may."""
    password = password or ""
    if len(password) < MIN_LENGTH:
        return [TOO_SHORT]
    if len(password) > MAX_LENGTH:
        return [TOO_LONG]
    if len(set(password)) == 1:
        return [TOO_SIMPLE]
    lowered = password.strip().lower()
    personal = {email.strip().lower(), email.strip().lower().partition("@")[0],
                name.strip().lower(), "".join(name.lower().split())} - {""}
    if lowered in personal or _core(lowered) in personal:
        return [TOO_PERSONAL]
    if is_common(password):
        return [TOO_COMMON]
    return []
