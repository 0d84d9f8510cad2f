"""What a supplier's registration must say: its identifier and telephone number, as rules.

Plain functions over plain values, no Flask or ORM: each `*_problem` returns the refusal in
the words the registration page shows, or None; `normal_*` gives the value as it is kept.

Identifiers are named by their register, with org-id.guide's scheme codes (the codes OCDS
uses): a Companies House number is 8 characters, 8 digits or a two-letter prefix (SC, NI, OC,
…) and 6 digits; a shorter all-digit number is the same number without its leading zeros.
"""
from __future__ import annotations

import re

COMPANIES_HOUSE = "GB-COH"
OTHER = "other"
SCHEMES = {
    COMPANIES_HOUSE: "Companies House number",
    "GB-CHC": "Charity Commission (England and Wales) number",
    "GB-SC": "Scottish Charity Regulator (OSCR) number",
    "GB-NIC": "Charity Commission for Northern Ireland number",
    "GB-MPR": "Mutuals Public Register number",
    OTHER: "Another identifier",
}
# Each register's numbers, once normalised (upper case, no spaces).
PATTERNS = {
    COMPANIES_HOUSE: re.compile(r"(\d{8}|[A-Z]{2}\d{6})"),
    "GB-CHC": re.compile(r"\d{6,7}(-\d{1,3})?"),
    "GB-SC": re.compile(r"SC\d{6}"),
    "GB-NIC": re.compile(r"(NIC)?\d{6}"),
    "GB-MPR": re.compile(r"[A-Z0-9]{1,12}"),
    OTHER: re.compile(r"\S.{0,59}", re.S),
}
EXAMPLES = {
    COMPANIES_HOUSE: "8 characters: 8 digits, like 01234567, or 2 letters and 6 digits, "
                     "like SC123456",
    "GB-CHC": "6 or 7 digits, like 1234567",
    "GB-SC": "SC and 6 digits, like SC012345",
    "GB-NIC": "6 digits, like 100123",
    "GB-MPR": "letters and digits only, like 12345R",
    OTHER: "60 characters or fewer",
}
MAX_IDENTIFIER = 60


def normal_identifier(scheme: str, value: str) -> str:
    value = (value or "").strip()
    if scheme == OTHER:
        return " ".join(value.split())
    value = "".join(value.split()).upper()
    if scheme == COMPANIES_HOUSE and value.isdigit() and 6 <= len(value) < 8:
        value = value.zfill(8)  # people leave off the leading zeros
    return value


def identifier_problem(scheme: str, value: str) -> str | None:
    if scheme not in SCHEMES:
        return "Select the kind of identifier your organisation has"
    value = normal_identifier(scheme, value)
    if not value:
        return f"Enter your organisation's {SCHEMES[scheme]}" if scheme != OTHER else \
            "Enter your organisation's identifier"
    if len(value) > MAX_IDENTIFIER or not PATTERNS[scheme].fullmatch(value):
        if scheme == OTHER:
            return f"Enter an identifier of {EXAMPLES[OTHER]}"
        return f"Enter a real {SCHEMES[scheme]}: {EXAMPLES[scheme]}"
    return None


def normal_phone(value: str) -> str:
    return " ".join((value or "").split())


def phone_problem(value: str) -> str | None:
    value = normal_phone(value)
    if not value:
        return "Enter a telephone number for the contact"
    digits = re.sub(r"\D", "", value)
    if not re.fullmatch(r"\+?[\d ()\-]+", value) or not 10 <= len(digits) <= 15:
        return "Enter a telephone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192"
    return None
