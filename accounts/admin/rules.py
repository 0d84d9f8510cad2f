"""The administrator's rules: plain functions over plain values, no Flask or ORM.

Each returns the refusal (a sentence worded as an instruction, as the form shows it) or None,
or a list of refusals; the views and forms apply them. Checks that need the database (an
email or a name already taken) are the views'.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

PREFIX = re.compile(r"^[A-Z0-9]{2,10}$")
OCDS_PREFIX = re.compile(r"^ocds-[a-z0-9]{1,30}$")
MARKING = re.compile(r"^[A-Z][A-Z -]{0,59}$")
ORGANISATION_KINDS = {"buyer": "Buyer", "partner": "Commissioning partner",
                      "supplier": "Supplier"}
BAND = re.compile(r"^(\d{1,3})\s*-\s*(\d{1,3})\s+(\S.*)$")

BAD_PREFIX = "Enter a decision-number prefix of 2 to 10 capital letters or digits, like SCP"


def prefix_problem(prefix: str, required: bool = False) -> str | None:
    """A buyer's decision-number prefix: 2-10 capital letters or digits (SCP/D/202324/007)."""
    if not prefix:
        return BAD_PREFIX if required else None
    return None if PREFIX.fullmatch(prefix) else BAD_PREFIX


def signoff_order_problem(text: str, approver_roles) -> str | None:
    """A comma-separated list of approver role codes, each known, none twice; blank: default."""
    codes = [c.strip() for c in (text or "").split(",")]
    if codes == [""]:
        return None
    if "" in codes:
        return "Enter the sign-off order as role codes separated by commas, with none left empty"
    unknown = [c for c in codes if c not in approver_roles]
    if unknown:
        return (f"{', '.join(unknown)} is not an approver role: use "
                f"{', '.join(approver_roles)}")
    twice = sorted({c for c in codes if codes.count(c) > 1})
    if twice:
        return f"{', '.join(twice)} appears more than once in the sign-off order"
    return None


def roles_problem(roles, known) -> str | None:
    unknown = sorted(set(roles) - set(known))
    return f"{', '.join(unknown)} is not a role" if unknown else None


def self_change_problem(actor_id: int, target_id: int, *, active: bool,
                        roles) -> str | None:
    """An administrator may not lock itself out: deactivate itself or drop its own admin role
    (another administrator must do it, so there is always one who can)."""
    if actor_id != target_id:
        return None
    if not active:
        return "You cannot deactivate your own account: ask another administrator"
    if "admin" not in set(roles):
        return "You cannot remove your own administrator role: ask another administrator"
    return None


def effective_date_problem(effective: date | None, today: date) -> str | None:
    if effective is None:
        return "Enter the date the new value takes effect, like 1 4 2027"
    if effective < today:
        return "The date the new value takes effect must be today or in the future"
    return None


# -- the settings: each key, what it means, and the check of its value ----------------------

@dataclass(frozen=True)
class SettingSpec:
    key: str
    label: str
    hint: str
    check: object  # (str) -> str | None


def _integer(low: int, high: int, what: str):
    def check(value: str) -> str | None:
        if not re.fullmatch(r"\d{1,6}", value):
            return f"Enter {what} as a whole number from {low} to {high}"
        if not low <= int(value) <= high:
            return f"Enter {what} as a whole number from {low} to {high}"
        return None
    return check


def _points(value: str) -> str | None:
    try:
        number = Decimal(value)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or not 0 <= number <= 100 \
            or not re.fullmatch(r"\d{1,3}(\.\d{1,2})?", value):
        return "Enter the spread as a number of points from 0 to 100, like 2 or 2.5"
    return None


def _prefix(value: str) -> str | None:
    return prefix_problem(value, required=True)


def _ocds(value: str) -> str | None:
    if not OCDS_PREFIX.fullmatch(value):
        return ("Enter the OCDS prefix: it must start with ocds- followed by lower-case "
                "letters or digits, like ocds-abc123")
    return None


FEEDBACK = re.compile(r"mailto:[^@\s]+@[^@\s]+\.[^@\s]+|https://[^\s]+")


def _feedback(value: str) -> str | None:
    if not FEEDBACK.fullmatch(value):
        return ("Enter where feedback goes: an email link like mailto:feedback@example.org "
                "or a web address starting https://")
    return None


SCORE_STEPS = ("1", "0.5", "0.25", "0.1", "0.01")


def _step(value: str) -> str | None:
    if value not in SCORE_STEPS:
        return "Enter the step as one of " + ", ".join(SCORE_STEPS)
    return None


def _marking(value: str) -> str | None:
    if not MARKING.fullmatch(value):
        return "Enter the marking in capital letters, like OFFICIAL or OFFICIAL-SENSITIVE"
    return None


def parse_risk_bands(text: str) -> tuple[list[tuple[int, int, str]], str | None]:
    """'0-20 very high, 21-40 high, ...' -> [(0, 20, 'very high'), ...], or the refusal.

    The bands must run from 0 to 100 with no gap and no overlap, each with a name."""
    bands = []
    for part in (text or "").split(","):
        match = BAND.fullmatch(part.strip())
        if not match:
            return [], (f"Enter each risk band as lowest-highest then its name, like "
                        f"0-20 very high, separated by commas ({part.strip() or 'an empty band'}"
                        f" is not)")
        low, high, name = int(match[1]), int(match[2]), match[3].strip()
        if low > high:
            return [], f"The band {low}-{high} ends before it starts"
        bands.append((low, high, name))
    expected = 0
    for low, high, _name in bands:
        if low != expected:
            return [], (f"The bands must follow on from 0 to 100 with no gap or overlap: "
                        f"a band should start at {expected}, not {low}")
        expected = high + 1
    if expected != 101:
        return [], f"The bands must end at 100, not {expected - 1}"
    names = [n.lower() for _l, _h, n in bands]
    if len(set(names)) != len(names):
        return [], "Give each risk band a different name"
    return bands, None


def _bands(value: str) -> str | None:
    return parse_risk_bands(value)[1]


def _price_to_evaluators(value: str) -> str | None:
    if value not in ("after_scoring", "always", "never"):
        return "Enter after_scoring, always or never"
    return None


def _multiple(value: str) -> str | None:
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if not 0.5 <= number <= 10:
        return "Enter the turnover multiple as a number from 0.5 to 10, like 2"
    return None


def _yes_no(value: str) -> str | None:
    return None if value in ("yes", "no") else "Enter yes or no"


SETTINGS: dict[str, SettingSpec] = {s.key: s for s in (
    SettingSpec("decision_prefix", "Decision-number prefix",
                "Used where the buying organisation has no prefix of its own, like SCP in "
                "SCP/D/202324/007", _prefix),
    SettingSpec("marking", "Protective marking of new decision notes",
                "Government Security Classifications, like OFFICIAL", _marking),
    SettingSpec("spread_flag", "Moderation spread flag",
                "Moderation flags a question when the highest and lowest scores differ by "
                "more than this many points", _points),
    SettingSpec("justification_min_length", "Shortest justification of a score",
                "In characters", _integer(0, 2000, "the shortest justification")),
    SettingSpec("score_step", "Step of the scoring scale",
                "Scores panel members and moderators enter, for criteria whose evaluation "
                "model sets no step of their own: 1 for whole points, 0.5 for whole "
                "or half points, or 0.25, 0.1, 0.01", _step),
    SettingSpec("delphi_risk_bands", "Delphi risk bands",
                "From 0 to 100, like 0-20 very high, 21-40 high, 41-60 moderate, 61-80 low, "
                "81-100 very low", _bands),
    SettingSpec("delphi_risk_bands_source", "Source of the Delphi risk bands",
                "Where the bands come from, like the credit reference agency's guide",
                lambda v: None),
    SettingSpec("turnover_multiple", "Turnover multiple",
                "The turnover asked for, as a multiple of the annual value of the lots bid "
                "for; above 2 each assessment records a justification (PCR 2015 reg. 58(9))",
                _multiple),
    SettingSpec("sq_second_marker", "Second marker of the selection questionnaire",
                "yes: a second marker confirms each mark before it counts; no: it counts as "
                "marked", _yes_no),
    SettingSpec("ocds_prefix", "OCDS prefix",
                "The prefix the Open Contracting Partnership registered for this body; "
                "every ocid starts with it", _ocds),
    SettingSpec("feedback_url", "Where feedback goes",
                "The phase banner's feedback link: mailto: and an email address, or a web "
                "address starting https://", _feedback),
    SettingSpec("upload_size_limit_mb", "Largest upload",
                "In megabytes", _integer(1, 100, "the largest upload in megabytes")),
    SettingSpec("session_idle_minutes", "Signed out after this long idle",
                "In minutes", _integer(5, 480, "the idle time in minutes")),
    SettingSpec("session_absolute_hours", "Signed out this long after signing in",
                "In hours", _integer(1, 24, "the session length in hours")),
    SettingSpec("price_to_evaluators", "A bid's price on the evaluator's scoring page",
                "after_scoring (once the evaluator's own scores for the bid are submitted), "
                "always, or never", _price_to_evaluators),
)}


def setting_problem(key: str, value: str) -> str | None:
    spec = SETTINGS.get(key)
    if spec is None:
        return f"{key} is not a setting"
    if not value:
        return "Enter the new value"
    if len(value) > 500:
        return "Enter a value of 500 characters or fewer"
    return spec.check(value)


def in_force(history, on: date):
    """The entry in force on `on` of (effective_from, order, value) entries, or None."""
    effective = [h for h in history if h[0] <= on]
    return max(effective, key=lambda h: (h[0], h[1])) if effective else None
