"""The set-up's forms (Flask-WTF: CSRF on every one). Each checks its values with the pure
rules in `rules.py` and `procurement/cpv.py`, puts a message worded as an instruction on the
field it is about (the error summary links to it) and leaves the clean values in `clean`.
Checks that need the database (a reference or lot code already taken) are the services'.
"""
from __future__ import annotations

import re

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget

from procurement import timeline
from procurement import cpv
from procurement.models import BUYER_KINDS, DATE_LABELS, REGIMES, RELATES_TO
from procurement.setup import rules

TITLE_MAX, NAME_MAX, KIND_MAX, CODE_MAX, REGION_MAX, CPV_MAX = 300, 200, 100, 20, 100, 300
TEXT_MAX = 10000
YES_NO = [("yes", "Yes"), ("no", "No")]
LOT_CODE = r"^[A-Za-z0-9][A-Za-z0-9-]*$"
TIMED_KINDS = ("tender_deadline", "clarification_deadline")


def choices(pairs) -> list[SelectChoice]:
    """WTForms 3.3 wants SelectChoice objects, not (value, label) tuples."""
    return [SelectChoice(value, label) for value, label in pairs]


class ActionForm(FlaskForm):
    """A button that posts (remove, finalise): nothing but the CSRF token."""


class _Checked(FlaskForm):
    """A form whose validate() runs the rules and keeps the clean values."""

    clean: dict

    def problem(self, name: str, message: str | None) -> None:
        if message:
            field = self[name]
            field.errors = list(field.errors) + [message]

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        self.clean = {}
        self.check()
        return ok and not any(f.errors for f in self if f.type != "CSRFTokenField")

    def check(self) -> None:  # pragma: no cover - each form has its own
        raise NotImplementedError


def _text(field, label: str, limit: int, required: bool = True) -> str:
    value = (field.data or "").replace("\r\n", "\n").strip()
    if required and not value:
        field.errors = list(field.errors) + [f"Enter {label}"]
    elif len(value) > limit:
        field.errors = list(field.errors) + [
            f"Enter {label} of {limit:,} characters or fewer"]
    return value


class DetailsForm(_Checked):
    """What the procurement is: creating it (with its reference) and changing it."""

    reference = StringField("Reference")
    title = StringField("Title")
    description = TextAreaField("Description")
    relates_to = SelectMultipleField("What does it relate to?", choices=choices(
        (r, r) for r in RELATES_TO), option_widget=CheckboxInput(), widget=ListWidget(),
        validate_choice=False)
    regime = RadioField("Procurement regime", choices=choices(REGIMES.items()),
                        validate_choice=False)
    cpv_codes = StringField("CPV codes")
    region = StringField("Region")
    buyer_kind = RadioField("Kind of buyer", choices=choices(BUYER_KINDS.items()),
                            validate_choice=False)
    initial_term_years = StringField("Initial term in years")
    extension_years = StringField("Extension options in years")
    min_delphi = StringField("Minimum Commercial Delphi score")
    two_person_opening = RadioField("Must two people open the bids together?",
                                    choices=choices(YES_NO), validate_choice=False)

    def __init__(self, *args, creating: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.creating = creating

    def check(self) -> None:
        c = self.clean
        if self.creating:
            c["reference"] = (self.reference.data or "").strip()
            self.problem("reference", rules.reference_error(c["reference"]))
        c["title"] = _text(self.title, "the title", TITLE_MAX)
        c["description"] = _text(self.description, "a description", TEXT_MAX, required=False)
        marks = [m for m in (self.relates_to.data or []) if m in RELATES_TO]
        if len(marks) != len(self.relates_to.data or []):
            self.problem("relates_to", "Select Policing, Crime or Fire & Rescue")
        elif not marks:
            self.problem("relates_to", "Select what the procurement relates to: Policing, "
                                       "Crime or Fire & Rescue")
        c["relates_to"] = ", ".join(m for m in RELATES_TO if m in marks)
        c["regime"] = self.regime.data or ""
        if c["regime"] not in REGIMES:
            self.problem("regime", "Select the procurement regime")
        codes, problems = cpv.parse_codes(self.cpv_codes.data or "")
        for p in problems[:1]:
            self.problem("cpv_codes", p)
        c["cpv_codes"] = ", ".join(codes)
        if len(c["cpv_codes"]) > CPV_MAX:
            self.problem("cpv_codes", f"Enter at most {CPV_MAX // 12} CPV codes")
        c["region"] = _text(self.region, "the region", REGION_MAX, required=False)
        c["buyer_kind"] = self.buyer_kind.data or ""
        if c["buyer_kind"] not in BUYER_KINDS:
            self.problem("buyer_kind", "Select the kind of buyer: it decides which threshold "
                                       "applies")
        c["initial_term_years"], e = rules.parse_whole(
            self.initial_term_years.data, "the initial term in years", 1, rules.MAX_TERM_YEARS)
        self.problem("initial_term_years", e)
        years, e = rules.parse_extensions(self.extension_years.data)
        self.problem("extension_years", e)
        c["extension_years"] = ",".join(str(y) for y in years)
        c["min_delphi"], e = rules.parse_whole(
            self.min_delphi.data, "the minimum Delphi score", 0, 100, required=False)
        self.problem("min_delphi", e)
        if self.two_person_opening.data not in ("yes", "no"):
            self.problem("two_person_opening", "Select yes if two people must open the bids "
                                               "together")
        c["two_person_opening"] = self.two_person_opening.data == "yes"

    def load(self, p) -> None:
        """Fill an unsubmitted form from the procurement."""
        self.reference.data = p.reference
        self.title.data, self.description.data = p.title, p.description
        self.relates_to.data = p.relates_to_list
        self.regime.data, self.cpv_codes.data, self.region.data = p.regime, p.cpv_codes, p.region
        self.buyer_kind.data = p.buyer_kind
        self.initial_term_years.data = str(p.initial_term_years)
        self.extension_years.data = ", ".join(str(y) for y in p.extensions)
        self.min_delphi.data = "" if p.min_delphi is None else str(p.min_delphi)
        self.two_person_opening.data = "yes" if p.two_person_opening else "no"


class LotForm(_Checked):
    code = StringField("Lot code")
    title = StringField("Title")
    annual_value = StringField("Annual value")

    def check(self) -> None:
        c = self.clean
        c["code"] = _text(self.code, "the lot code, like A or 1", CODE_MAX)
        if c["code"] and len(c["code"]) <= CODE_MAX and not re.match(LOT_CODE, c["code"]):
            self.problem("code", "Enter a lot code using only letters, numbers and hyphens, "
                                 "like A or LOT-1")
        c["title"] = _text(self.title, "the lot's title", TITLE_MAX)
        c["annual_value"], e = rules.parse_money(self.annual_value.data, "the annual value")
        self.problem("annual_value", e)


class PartnerForm(_Checked):
    name = StringField("Partner")
    annual_contribution = StringField("Annual contribution")

    def check(self) -> None:
        c = self.clean
        c["name"] = _text(self.name, "the partner's name", NAME_MAX)
        c["annual_contribution"], e = rules.parse_money(self.annual_contribution.data,
                                                        "the annual contribution")
        self.problem("annual_contribution", e)


class EventForm(_Checked):
    on_day = StringField("Day")
    on_month = StringField("Month")
    on_year = StringField("Year")
    kind = StringField("Kind of event")
    attendees = TextAreaField("Attendees")
    notes = TextAreaField("Notes")

    def check(self) -> None:
        c = self.clean
        c["on_date"], message, self.wrong_parts = rules.date_error(
            {p: self[f"on_{p}"].data for p in ("day", "month", "year")}, "the date of the event")
        if message:
            first = next(p for p in ("day", "month", "year") if p in self.wrong_parts)
            self.problem(f"on_{first}", message)
        c["kind"] = _text(self.kind, "the kind of event, like Market engagement event",
                          KIND_MAX)
        c["attendees"] = _text(self.attendees, "the attendees", TEXT_MAX, required=False)
        c["notes"] = _text(self.notes, "the notes", TEXT_MAX, required=False)

    def load(self, e) -> None:
        self.on_day.data, self.on_month.data, self.on_year.data = (
            str(e.on_date.day), str(e.on_date.month), str(e.on_date.year))
        self.kind.data, self.attendees.data, self.notes.data = e.kind, e.attendees, e.notes


class DateForm(_Checked):
    """One key date: day, month and year, and a time for the deadlines. Empty boxes remove it."""

    at_day = StringField("Day")
    at_month = StringField("Month")
    at_year = StringField("Year")
    at_time = StringField("Time")

    def __init__(self, *args, kind: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.timed = kind in TIMED_KINDS

    def check(self) -> None:
        label = DATE_LABELS.get(self.kind, self.kind).lower()
        parts = {p: self[f"at_{p}"].data for p in ("day", "month", "year")}
        day, message, self.wrong_parts = rules.date_error(parts, f"the {label} date",
                                                          required=False)
        if message:
            first = next(p for p in ("day", "month", "year") if p in self.wrong_parts)
            self.problem(f"at_{first}", message)
        at, e = rules.time_error(self.at_time.data if self.timed else "", f"the {label} time")
        self.problem("at_time", e)
        if day is None and not message and at is not None:
            self.problem("at_day", f"Enter the {label} date as well as its time")
        if day is not None and at is not None and \
                not timeline.uk_wall_clock_exists(rules.wall_clock(day, at)):
            self.problem("at_time", f"Enter a {label} time that exists in UK time: the clocks "
                                    "go forward an hour that night")
        self.clean = {"day": day, "time": at}

    def load(self, d) -> None:
        if d is None:
            return
        shown = d.value  # the date, or the UK wall-clock time (stored in UTC)
        self.at_day.data, self.at_month.data, self.at_year.data = (
            str(shown.day), str(shown.month), str(shown.year))
        self.at_time.data = shown.strftime("%H:%M") if d.with_time else ""
