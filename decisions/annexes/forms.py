"""The annexes' forms: the Equality and Data Protection Impact Assessments as structured
forms with exactly the keys `decisions.annex_pdf.render_eia` / `render_dpia` read, and the
"upload a PDF instead" form with its type and size checks.

`eia_to_form` / `eia_from_form` (and the DPIA pair) move between the stored dict and the
form, so the view stays a few lines.
"""
from __future__ import annotations

import io
import re
import warnings
from datetime import date, datetime

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from pypdf import PdfReader, PdfWriter
from wtforms import FieldList, Form, FormField, RadioField, SelectMultipleField, StringField, \
    TextAreaField
from wtforms.validators import Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from decisions.annexes import pdf_safety
from decisions.annexes.pdf import (AGREEMENTS, ICO_FACTORS, PROTECTED_CHARACTERISTICS,
                                 SHARING_QUESTIONS, SPECIAL_CATEGORIES)
from decisions.forms import MARKINGS, YES_NO, clean_text, choices, date_problem, parse_parts

MAX_UPLOAD = 10 * 1024 * 1024  # 10 MB
MAX_TEXT = 20000
KINDS = {"eia": "EIA", "dpia": "DPIA"}
TITLES = {"EIA": "Equality Impact Assessment", "DPIA": "Data Protection Impact Assessment"}

# EIA: (key, label, hint) of the free-text sections, in the reference's order
EIA_SECTIONS = (
    ("aims", "1. The aims and purpose of the policy", None),
    ("affected", "2. The individuals and organisations likely to have an interest in, or be "
                 "affected by, the policy", "Lines starting with a hyphen and a space are bullets."),
    ("data", "3. Data", "The findings of any monitoring data considered on the policy's impact on "
                        "people from the protected groups."),
    ("research", "4. Research", "The findings of any research considered for the protected groups."),
    ("consultation", "5. Consultation", "Who was consulted and how; if nobody, why not."),
    ("conclusions", "6. Conclusions", "How the policy impacts or could impact on people from the "
                                      "protected groups, positively or negatively."),
    ("decisions", "7. Decisions", "If there is a negative impact, how the policy will change or why "
                                  "it continues unchanged."),
    ("monitoring", "8. Monitoring arrangements", "Piloting, and how the effects on equality and "
                                                 "diversity will be monitored."),
    ("publication", "Closing statement", "For example “This equality impact assessment will be "
                                         "published on the Commissioner's website.”"),
)
# per protected characteristic: (dict key, section number, label)
EIA_PARTS = (("data", 3, "Data"), ("research", 4, "Research"),
             ("consultation", 5, "Consultation"), ("conclusion", 6, "Conclusions"))


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def char_field(name: str, part: str) -> str:
    return f"char_{slug(name)}_{part}"


def _text(label: str, **kw) -> TextAreaField:
    return TextAreaField(label, validators=[Optional(), Length(
        max=MAX_TEXT, message=f"{label} must be {MAX_TEXT:,} characters or fewer")], **kw)


def _line(label: str, max_len: int = 300) -> StringField:
    return StringField(label, validators=[Optional(), Length(
        max=max_len, message=f"{label} must be {max_len} characters or fewer")])


def _yes_no(label: str) -> RadioField:
    # optional: an unanswered question draws with neither box ticked
    return RadioField(label, choices=choices(YES_NO), validators=[Optional()])


class EIAForm(FlaskForm):
    title = _line("Title of the policy or procedure")
    department = _line("Department")
    date_day = StringField("Day")
    date_month = StringField("Month")
    date_year = StringField("Year")

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        self.date_problems = {}
        parts = {p: (self[f"date_{p}"].data or "").strip() for p in ("day", "month", "year")}
        problem = date_problem(parts, "the date of the assessment", "The date of the assessment",
                               required=False)
        self.assessed_on = parse_parts(parts) if problem is None else None
        if problem:
            message, wrong = problem
            self.date_problems["date"] = {"message": message, "parts": wrong}
            first = next(p for p in ("day", "month", "year") if p in wrong)
            self[f"date_{first}"].errors = list(self[f"date_{first}"].errors) + [message]
        return ok and not problem


for _key, _label, _hint in EIA_SECTIONS:
    setattr(EIAForm, _key, _text(_label))
for _name in PROTECTED_CHARACTERISTICS:
    for _part, _num, _plabel in EIA_PARTS:
        setattr(EIAForm, char_field(_name, _part), _text(f"{_plabel}: {_name}"))


def _date_text(value) -> str:
    """How an annex date is stored: words, as the PDF draws text ("6 December 2022")."""
    return f"{value.day} {value:%B %Y}" if isinstance(value, date) else ""


def _parse_date_text(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value or "").strip()
    for fmt in ("%Y-%m-%d", "%d %B %Y", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def eia_to_form(form: EIAForm, eia: dict | None) -> None:
    eia = eia or {}
    form.title.data = eia.get("title", "")
    form.department.data = eia.get("department", "")
    d = _parse_date_text(eia.get("date"))
    for part in ("day", "month", "year"):
        form[f"date_{part}"].data = str(getattr(d, part)) if d else ""
    for key, _l, _h in EIA_SECTIONS:
        form[key].data = eia.get(key, "")
    chars = eia.get("characteristics") or {}
    for name in PROTECTED_CHARACTERISTICS:
        for part, _n, _l in EIA_PARTS:
            form[char_field(name, part)].data = (chars.get(name) or {}).get(part, "")


def eia_from_form(form: EIAForm, old: dict | None = None) -> dict:
    eia = {k: v for k, v in (old or {}).items() if k == "marking"}  # a key the form does not edit
    eia["title"] = clean_text(form.title.data)
    eia["department"] = clean_text(form.department.data)
    eia["date"] = _date_text(form.assessed_on)
    for key, _l, _h in EIA_SECTIONS:
        eia[key] = clean_text(form[key].data)
    eia["characteristics"] = {
        name: {part: clean_text(form[char_field(name, part)].data) for part, _n, _l in EIA_PARTS}
        for name in PROTECTED_CHARACTERISTICS}
    return eia


# --- DPIA ---------------------------------------------------------------------------------

class VersionRow(Form):
    version = _line("Version", 20)
    date = _line("Version date", 40)
    requester = _line("Requester of change", 200)
    summary = _line("Summary of change(s)", 500)


class ReferenceRow(Form):
    ref = _line("Ref", 40)
    name = _line("Document name", 300)
    version = _line("Version number", 40)


def ico_name(code: str, what: str) -> str:
    return f"ico_{code.replace('.', '_')}_{what}"


def sharing_name(code: str) -> str:
    return f"sharing_{code.replace('.', '_')}"


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class DPIAForm(FlaskForm):
    title = _line("Title of the processing")
    organisation = _line("Organisation", 200)
    marking = RadioField("Protective marking of the DPIA",
                         choices=choices([("", "As the decision note")] + MARKINGS), validators=[Optional()])
    versions = FieldList(FormField(VersionRow), min_entries=3, max_entries=10)
    references = FieldList(FormField(ReferenceRow), min_entries=2, max_entries=10)
    part2_required = _yes_no("Is a part 2 DPIA required?")
    ddpo_assessment = _text("Deputy DPO assessment")
    publication_scheme = _yes_no("Can the DPIA be uploaded to the publication scheme?")
    publication_reason = _text("Publication scheme: reasons")
    stakeholders = _text("Discussion stakeholders")
    discussion_date = _line("When the discussion took place", 200)
    aim_and_purpose = _text("Specific aim and purpose")
    personal_data = _text("What categories of personal data will be processed?")
    data_subjects = _text("Data subjects, range and prevalence")
    risk_summary = _text("Risk summary")
    special_category = MultiCheckboxField(
        "Will special category data be used?",
        choices=choices((c, c) for c in SPECIAL_CATEGORIES if c != "None"), validators=[Optional()])
    special_category_notes = _text("Special category data: notes")
    sharing_agreements = RadioField(
        "2.10.5 Is there an ISA, contract or other sharing agreement in place with all parties "
        "with whom data will be shared?", choices=choices(AGREEMENTS), validators=[Optional()])
    lb_operational = _text("Operational data (law enforcement purposes)")
    lb_strictly_necessary = _yes_no("Is the processing strictly necessary?")
    lb_condition = _line("Condition", 300)
    lb_administrative = _text("Administrative data (non-law enforcement)")
    lb_administrative_condition = _line("Condition for administrative data", 300)
    lb_substantial_public_interest = _yes_no("Is there a substantial public interest?")
    lb_purpose = _line("For the purpose", 300)
    retention_compliant = _yes_no("4.1 Does the review, retention and disposal process comply "
                                  "with policy?")
    retention_notes = _text("Review, retention and disposal: notes")
    dpo_by = _line("DPO summary by", 200)
    dpo_date = _line("DPO summary date", 40)
    dpo_text = _text("DPO summary")


for _code, _question in SHARING_QUESTIONS:
    setattr(DPIAForm, sharing_name(_code), _yes_no(f"{_code} {_question}"))
for _code, _question in ICO_FACTORS:
    setattr(DPIAForm, ico_name(_code, "answer"), _yes_no(f"{_code} {_question}"))
    setattr(DPIAForm, ico_name(_code, "details"), _text(f"{_code} If yes, further details"))


def _yn(value) -> str | None:
    return None if value is None else ("yes" if value else "no")


def _bool(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


def dpia_to_form(form: DPIAForm, dpia: dict | None) -> None:
    dpia = dpia or {}
    for key in ("title", "organisation", "ddpo_assessment", "publication_reason",
                "discussion_date", "aim_and_purpose", "personal_data", "data_subjects",
                "risk_summary", "special_category_notes"):
        form[key].data = str(dpia.get(key) or "")
    form.marking.data = dpia.get("marking") or ""
    _rows(form.versions, dpia.get("versions") or [], ("version", "date", "requester", "summary"))
    _rows(form.references, dpia.get("references") or [], ("ref", "name", "version"))
    form.part2_required.data = _yn(dpia.get("part2_required"))
    form.publication_scheme.data = _yn(dpia.get("publication_scheme"))
    form.stakeholders.data = "\n".join(dpia.get("stakeholders") or [])
    form.special_category.data = [c for c in dpia.get("special_category") or [] if c != "None"]
    sharing = dpia.get("sharing") or {}
    for code, _q in SHARING_QUESTIONS:
        form[sharing_name(code)].data = _yn(sharing.get(code))
    form.sharing_agreements.data = sharing.get("agreements")
    lb = dpia.get("lawful_basis") or {}
    for key in ("operational", "condition", "administrative", "administrative_condition",
                "purpose"):
        form[f"lb_{key}"].data = lb.get(key) or ""
    form.lb_strictly_necessary.data = _yn(lb.get("strictly_necessary"))
    form.lb_substantial_public_interest.data = _yn(lb.get("substantial_public_interest"))
    ret = dpia.get("retention") or {}
    form.retention_compliant.data = _yn(ret.get("compliant"))
    form.retention_notes.data = ret.get("notes") or ""
    factors = dpia.get("ico_factors") or {}
    for code, _q in ICO_FACTORS:
        item = factors.get(code) or {}
        form[ico_name(code, "answer")].data = _yn(item.get("answer"))
        form[ico_name(code, "details")].data = item.get("details") or ""
    dpo = dpia.get("dpo_summary") or {}
    form.dpo_by.data = dpo.get("by") or ""
    form.dpo_date.data = str(dpo.get("date") or "")
    form.dpo_text.data = dpo.get("text") or ""


def _rows(field_list: FieldList, rows: list[dict], keys: tuple[str, ...]) -> None:
    while len(field_list.entries):
        field_list.pop_entry()
    for row in rows[:field_list.max_entries]:
        field_list.append_entry({k: str(row.get(k) or "") for k in keys})
    # the stored rows, then blank rows to add more: at least min_entries, one spare
    wanted = min(max(field_list.min_entries, len(rows) + 1), field_list.max_entries)
    while len(field_list.entries) < wanted:
        field_list.append_entry()


def dpia_from_form(form: DPIAForm) -> dict:
    def rows(field_list, keys):
        out = []
        for entry in field_list.entries:
            row = {k: clean_text(entry.form[k].data) for k in keys}
            if any(row.values()):
                out.append(row)
        return out

    dpia = {key: clean_text(form[key].data) for key in (
        "title", "organisation", "ddpo_assessment", "publication_reason", "discussion_date",
        "aim_and_purpose", "personal_data", "data_subjects", "risk_summary",
        "special_category_notes")}
    if form.marking.data:
        dpia["marking"] = form.marking.data
    dpia["versions"] = rows(form.versions, ("version", "date", "requester", "summary"))
    dpia["references"] = rows(form.references, ("ref", "name", "version"))
    dpia["part2_required"] = bool(_bool(form.part2_required.data))
    dpia["publication_scheme"] = bool(_bool(form.publication_scheme.data))
    dpia["stakeholders"] = [ln.strip() for ln in (form.stakeholders.data or "").splitlines()
                            if ln.strip()]
    dpia["special_category"] = [c for c in SPECIAL_CATEGORIES
                                if c in (form.special_category.data or [])]
    dpia["sharing"] = {code: _bool(form[sharing_name(code)].data)
                       for code, _q in SHARING_QUESTIONS}
    dpia["sharing"]["agreements"] = form.sharing_agreements.data or None
    dpia["lawful_basis"] = {
        "operational": clean_text(form.lb_operational.data),
        "strictly_necessary": bool(_bool(form.lb_strictly_necessary.data)),
        "condition": clean_text(form.lb_condition.data),
        "administrative": clean_text(form.lb_administrative.data),
        "administrative_condition": clean_text(form.lb_administrative_condition.data),
        "substantial_public_interest": bool(_bool(form.lb_substantial_public_interest.data)),
        "purpose": clean_text(form.lb_purpose.data)}
    dpia["retention"] = {"compliant": bool(_bool(form.retention_compliant.data)),
                         "notes": clean_text(form.retention_notes.data)}
    dpia["ico_factors"] = {code: {"answer": _bool(form[ico_name(code, "answer")].data),
                                  "details": clean_text(form[ico_name(code, "details")].data)}
                           for code, _q in ICO_FACTORS}
    dpia["dpo_summary"] = {"by": clean_text(form.dpo_by.data),
                           "date": clean_text(form.dpo_date.data),
                           "text": clean_text(form.dpo_text.data)}
    return dpia


# --- upload ---------------------------------------------------------------------------------

class UploadForm(FlaskForm):
    pdf = FileField("Upload a PDF instead")


def pdf_problem(content: bytes) -> str | None:
    """Why an uploaded annex cannot go into the decision pack, or None when it can."""
    if not content:
        return "The selected file is empty"
    if len(content) > MAX_UPLOAD:
        return "The selected file must be smaller than 10 MB"
    if not content.startswith(b"%PDF-"):
        return "The selected file must be a PDF"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(content))
            if reader.is_encrypted:
                return "The selected PDF must not be password-protected"
            if len(reader.pages) < 1:
                return "The selected PDF has no pages"
            # what the decision pack will do with it: if this fails, the pack would too
            writer = PdfWriter()
            writer.append(reader)
            writer.write(io.BytesIO())
        return pdf_safety.problem(content)  # JavaScript, launch actions, embedded files…
    except Exception:  # pypdf raises many kinds on damaged files; Unreadable too
        return "The selected file could not be read as a PDF: it may be damaged"
