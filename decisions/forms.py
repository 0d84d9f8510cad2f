"""The decision note's edit form: narrative, yes/no answers, dates, marking, sensitive text.

The form reads from and writes to a `DecisionNote` (`load_note` / `note_changes`), so the view
only validates, applies the changes and writes one audit record with before and after.
"""
from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from wtforms import RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from decisions.note.data import NARRATIVE_KEYS, OFFICIAL, OFFICIAL_SENSITIVE

MAX_TEXT = 20000

# (key, label, hint) for every narrative field, in the order the note draws them. The two
# keys not in NARRATIVE_KEYS (decision_maker, strapline) are read by the note builder.
NARRATIVE_FIELDS = (
    ("decision_maker", "Decision maker",
     "Who decides, as the note's headings name them, for example Staffordshire Commissioner. "
     "Leave blank to use the organisation's name."),
    ("strapline", "Strapline", "Drawn under the organisation's name, for example "
                               "Police | Fire and Rescue | Crime."),
    ("summary", "Summary", "Page 1. Blank lines separate paragraphs; lines starting with a "
                           "hyphen and a space are bullets."),
    ("recommendation", "Recommendation", "Page 1, under the summary."),
    ("approval_rationale", "Rationale for approval",
     "Leave blank to use the decision maker's comments when they sign."),
    ("urgency", "Reasons if an urgent approval is required", "Leave blank if it is not urgent."),
    ("empowered", "Who is empowered to make the decision",
     "For example Staffordshire Police, Fire and Crime Commissioner."),
    ("chief_executive_statement", "Chief Executive statement",
     "Leave blank for “I hereby approve the recommendation for consideration.”"),
    ("introduction", "1. Introduction and background",
     "A line on its own starting with ## is a sub-heading."),
    ("scope", "Scope of the new services", "Drawn within section 1."),
    ("financial", "Financial narrative",
     "Drawn before the figures. The value of each lot, the partners' contributions, the term "
     "and the whole-term value come from the procurement's records: do not type them here."),
    ("contract_award", "Contract award", "How the evaluation panel worked. The results tables "
                                         "come from the evaluation."),
    ("issues", "2. Issues for consideration",
     "Drawn after the regime, the threshold and the notices, which come from the records."),
    ("selection", "Selection and financial standing",
     "How selection and the Delphi check were run. The outcome for each bidder comes from "
     "the records."),
    ("other_options", "3. What other options have been considered?", None),
    ("consultation", "4. Consultation and engagement undertaken",
     "Drawn after the engagement events recorded for the procurement."),
    ("monitoring_officer_comments", "5. Monitoring Officer comments",
     "Leave blank to use the Monitoring Officer's comments when they sign."),
    ("s151_comments", "6. Section 151 Officer comments",
     "Leave blank to use the Section 151 Officer's comments when they sign."),
    ("legal_comments", "7. Legal comments", None),
    ("equality_comments", "8. Equality comments",
     "Leave blank for “Attached” when an Equality Impact Assessment is attached."),
    ("background_papers", "9. Background and supporting papers", None),
    ("public_access", "10. Public access to information: comments", None),
    ("personal_data", "11. Processing of personal data: comments", None),
    ("deferral_details", "12. Deferral of publication: comments",
     "For example “Until after the publication of the contract award notice.”"),
    ("redaction_details", "13. Redactions: comments", None),
)
assert {k for k, _, _ in NARRATIVE_FIELDS} >= set(NARRATIVE_KEYS), "a narrative key has no field"

# (answers key, question, error when unanswered, default)
QUESTIONS = (
    ("decision_policy",
     "Has the decision been considered under the guidance of the Decision Making Policy?",
     "Select yes if the decision has been considered under the Decision Making Policy", True),
    ("key_decision", "Is the decision a Key Decision as the Decision Making Policy defines it?",
     "Select yes if the decision is a Key Decision", False),
    ("legal_advice",
     "7. Has legal advice (outside of that provided by the Monitoring Officer) been sought?",
     "Select yes if legal advice has been sought", False),
    ("public_access", "10. Public access to information?",
     "Select yes if there is public access to the information", True),
    ("personal_data", "11. Does this decision involve the processing of personal data?",
     "Select yes if the decision involves processing personal data", False),
    ("deferral", "12. Is the publication of this note to be deferred?",
     "Select yes if publication of the note is to be deferred", False),
    ("redaction",
     "13. Does this note contain commercially or operationally sensitive information to be "
     "redacted?", "Select yes if the note contains sensitive information to be redacted", False),
)
YES_NO = [("yes", "Yes"), ("no", "No")]
MARKINGS = [(OFFICIAL, "OFFICIAL"), (OFFICIAL_SENSITIVE, "OFFICIAL-SENSITIVE")]


def choices(pairs) -> list[SelectChoice]:
    """WTForms 3.3 wants SelectChoice objects, not (value, label) tuples."""
    return [SelectChoice(value, label) for value, label in pairs]


def narrative_field_name(key: str) -> str:
    return f"n_{key}"


def answer_field_name(key: str) -> str:
    return f"a_{key}"


class ActionForm(FlaskForm):
    """A button that posts: nothing but the CSRF token."""


class NoteForm(FlaskForm):
    marking = RadioField("Protective marking", choices=choices(MARKINGS),
                         validators=[InputRequired("Select the protective marking")])
    sensitive_phrases = TextAreaField(
        "Commercially sensitive text",
        validators=[Optional(), Length(max=MAX_TEXT, message="Sensitive text must be "
                                                             f"{MAX_TEXT:,} characters or fewer")])
    # GOV.UK date inputs: day, month and year boxes, checked together in validate()
    deferral_day = StringField("Day")
    deferral_month = StringField("Month")
    deferral_year = StringField("Year")
    received_day = StringField("Day")
    received_month = StringField("Month")
    received_year = StringField("Year")

    # the dates the boxes make, filled in validate()
    deferral_until: date | None = None
    date_received: date | None = None

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        self.date_problems: dict[str, dict] = {}
        deferred = self[answer_field_name("deferral")].data == "yes"
        self.deferral_until = self._date("deferral", "the date publication is deferred until",
                                         "The deferral date", required=deferred)
        self.date_received = self._date("received", "the date received", "The date received",
                                        required=False)
        return ok and not self.date_problems

    def _date(self, prefix: str, enter: str, subject: str, required: bool) -> date | None:
        parts = {p: (self[f"{prefix}_{p}"].data or "").strip() for p in ("day", "month", "year")}
        problem = date_problem(parts, enter, subject, required)
        if problem is None:
            return parse_parts(parts)
        message, wrong = problem
        self.date_problems[prefix] = {"message": message, "parts": wrong}
        # the message goes on the first wrong box, so the error summary links to it
        first = next(p for p in ("day", "month", "year") if p in wrong)
        field = self[f"{prefix}_{first}"]
        field.errors = list(field.errors) + [message]
        return None


def date_problem(parts: dict[str, str], enter: str, subject: str, required: bool):
    """(message, set of wrong parts) for a GOV.UK date input, or None when it is fine.

    `enter` completes "Enter …" when the date is missing; `subject` names it in the other
    messages ("The deferral date must include a month").
    """
    filled = {p for p, v in parts.items() if v}
    if not filled:
        return (f"Enter {enter}", {"day", "month", "year"}) if required else None
    missing = [p for p in ("day", "month", "year") if p not in filled]
    if missing:
        return f"{subject} must include a {' and a '.join(missing)}", set(missing)
    real = f"Enter a real date for {subject[0].lower()}{subject[1:]}"
    if not all(v.isdigit() for v in parts.values()):
        return f"{real}, using numbers only, for example 2 10 2023", set(parts)
    if len(parts["year"]) != 4:
        return f"{real}: the year must include 4 numbers", {"year"}
    if parse_parts(parts) is None:
        return f"{real}, for example 2 10 2023", {"day", "month", "year"}
    return None


def parse_parts(parts: dict[str, str]) -> date | None:
    try:
        return date(int(parts["year"]), int(parts["month"]), int(parts["day"]))
    except (KeyError, TypeError, ValueError):
        return None


def _build_fields() -> None:
    for key, label, _hint in NARRATIVE_FIELDS:
        setattr(NoteForm, narrative_field_name(key), TextAreaField(
            label, validators=[Optional(), Length(
                max=MAX_TEXT, message=f"{label} must be {MAX_TEXT:,} characters or fewer")]))
    for key, question, message, _default in QUESTIONS:
        setattr(NoteForm, answer_field_name(key), RadioField(
            question, choices=choices(YES_NO), validators=[InputRequired(message)]))


_build_fields()


def load_note(form: NoteForm, note) -> None:
    """Fill an unsubmitted form from the note."""
    narrative, answers = note.narrative or {}, note.answers or {}
    for key, _label, _hint in NARRATIVE_FIELDS:
        form[narrative_field_name(key)].data = narrative.get(key, "")
    for key, _q, _m, default in QUESTIONS:
        form[answer_field_name(key)].data = "yes" if answers.get(key, default) else "no"
    form.marking.data = note.marking or OFFICIAL
    form.sensitive_phrases.data = "\n".join(note.sensitive_phrases or [])
    until = answers.get("deferral_until")
    _put_date(form, "deferral", date.fromisoformat(until) if until else None)
    _put_date(form, "received", note.date_received)


def _put_date(form: NoteForm, prefix: str, d: date | None) -> None:
    for part in ("day", "month", "year"):
        form[f"{prefix}_{part}"].data = str(getattr(d, part)) if d else ""


def phrases_from_text(text: str | None) -> list[str]:
    """One phrase a line, trimmed, blanks and repeats dropped, order kept."""
    return list(dict.fromkeys(ln.strip() for ln in (text or "").splitlines() if ln.strip()))


def clean_text(value: str | None) -> str:
    # browsers send CRLF; keep what is drawn the same whichever browser sent it
    return (value or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def submitted_values(form: NoteForm) -> dict:
    """What the validated form says, shaped like the note's fields."""
    narrative = {}
    for key, _label, _hint in NARRATIVE_FIELDS:
        text = clean_text(form[narrative_field_name(key)].data)
        if text:
            narrative[key] = text
    answers = {key: form[answer_field_name(key)].data == "yes" for key, *_ in QUESTIONS}
    answers["deferral_until"] = (form.deferral_until.isoformat()
                                 if answers["deferral"] and form.deferral_until else None)
    return {"narrative": narrative, "answers": answers, "marking": form.marking.data,
            "sensitive_phrases": phrases_from_text(form.sensitive_phrases.data),
            "date_received": form.date_received}


def note_changes(note, values: dict) -> tuple[dict, dict]:
    """(before, after) of only what changes, as plain values for the audit record."""
    before, after = {}, {}
    old_narr, new_narr = note.narrative or {}, values["narrative"]
    # keys the form does not edit (none today) are kept as they are
    for key in sorted(set(old_narr) | set(new_narr)):
        if key not in {k for k, _, _ in NARRATIVE_FIELDS}:
            continue
        if (old_narr.get(key) or "") != (new_narr.get(key) or ""):
            before.setdefault("narrative", {})[key] = old_narr.get(key)
            after.setdefault("narrative", {})[key] = new_narr.get(key)
    old_ans = note.answers or {}
    defaults = {key: default for key, _q, _m, default in QUESTIONS} | {"deferral_until": None}
    for key, value in values["answers"].items():
        old = old_ans.get(key, defaults.get(key))
        if old != value:
            before.setdefault("answers", {})[key] = old
            after.setdefault("answers", {})[key] = value
    if (note.marking or OFFICIAL) != values["marking"]:
        before["marking"], after["marking"] = note.marking, values["marking"]
    if list(note.sensitive_phrases or []) != values["sensitive_phrases"]:
        before["sensitive_phrases"] = list(note.sensitive_phrases or [])
        after["sensitive_phrases"] = values["sensitive_phrases"]
    if note.date_received != values["date_received"]:
        before["date_received"], after["date_received"] = note.date_received, values["date_received"]
    return before, after


def apply_values(note, values: dict) -> None:
    """Write the values to the note (new dicts and lists, so the JSON columns see a change)."""
    kept = {k: v for k, v in (note.narrative or {}).items()
            if k not in {key for key, _, _ in NARRATIVE_FIELDS}}
    note.narrative = {**kept, **values["narrative"]}
    note.answers = {**(note.answers or {}), **values["answers"]}
    note.marking = values["marking"]
    note.sensitive_phrases = list(values["sensitive_phrases"])
    note.date_received = values["date_received"]
