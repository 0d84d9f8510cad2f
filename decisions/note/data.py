"""Everything a decision note shows, as plain values (no Flask, no ORM).

`decisions.note.pdf.render_note(data)` draws a `NoteData`; whoever builds one (from the
database, from the demo, in a test) fills every field here and nothing is computed or typed
in the PDF except what these docstrings say is derived (totals, whole-term value, anchors).

Conventions
- Money is `Decimal` (pounds); scores are floats (weighted percentages, as the results engine
  gives them). Both are formatted only when drawn, by `decisions.formatting`.
- Dates are `datetime.date` (a `datetime` is accepted for `Signer.signed_at`).
- Narrative text is plain text written by the officer: blank lines separate paragraphs,
  lines starting "- " are bullets, a paragraph that is a single line starting "## " is a
  sub-heading. It is escaped before drawing, so "<", "&" are safe.
- `sensitive_phrases` are replaced by "[REDACTED]" everywhere in the public version
  (narrative, tables, annexes) except in signatories' names.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

# "This decision relates to" marks, in the order the note draws them.
POLICING = "Policing"
CRIME = "Crime"
FIRE_RESCUE = "Fire & Rescue"
RELATES_TO_MARKS = (POLICING, CRIME, FIRE_RESCUE)

# Protective markings drawn in the header and footer of every page.
OFFICIAL = "OFFICIAL"
OFFICIAL_SENSITIVE = "OFFICIAL-SENSITIVE"

# Sign-off roles: where each signature block sits in the note.
ORIGINATING_OFFICER = "originating_officer"  # section 14, declaration
CHIEF_EXECUTIVE = "chief_executive"  # after the recommendation
MONITORING_OFFICER = "monitoring_officer"  # section 5
S151_OFFICER = "s151_officer"  # section 6
COMMISSIONER = "commissioner"  # approval block on page 1
SIGN_OFF_ROLES = (ORIGINATING_OFFICER, CHIEF_EXECUTIVE, MONITORING_OFFICER, S151_OFFICER, COMMISSIONER)

# Keys of NoteData.narrative (officer-written text). Missing keys draw as empty sections.
NARRATIVE_KEYS = (
    "summary",  # Summary on page 1
    "recommendation",  # Recommendation on page 1
    "approval_rationale",  # "Rationale for approval" (else the Commissioner's signing comments)
    "urgency",  # reasons if an urgent approval is required
    "empowered",  # who is empowered to make the decision
    "chief_executive_statement",  # default "I hereby approve the recommendation for consideration."
    "introduction",  # 1 Introduction and background
    "scope",  # scope of the new services (within section 1)
    "financial",  # financial narrative before the figures (tri-partite agreement etc.)
    "contract_award",  # evaluation panel narrative within Contract Award
    "issues",  # extra text for 2 Issues for consideration (after regime and notices)
    "selection",  # how selection / Delphi was run (before the outcome lines)
    "other_options",  # 3
    "consultation",  # 4 (after the engagement events)
    "monitoring_officer_comments",  # 5 (else the Monitoring Officer's signing comments)
    "s151_comments",  # 6 (else the S151 Officer's signing comments)
    "legal_comments",  # 7
    "equality_comments",  # 8 (default "Attached" when an EIA is attached)
    "background_papers",  # 9
    "public_access",  # 10 comments
    "personal_data",  # 11 comments
    "deferral_details",  # 12 comments
    "redaction_details",  # 13 comments
)


def signature_anchor(n: int) -> str:
    """The invisible anchor string of signer n's signature place: \\s1\\ for the first."""
    return f"\\s{n}\\"


def date_anchor(n: int) -> str:
    """The invisible anchor string of signer n's date place: \\d1\\ for the first."""
    return f"\\d{n}\\"


@dataclass
class Answers:
    """The yes/no questions of the office-use block and sections 7 and 10-13."""

    decision_making_policy: bool = True  # considered under the Decision Making Policy?
    key_decision: bool = False  # a Key Decision as the policy defines it?
    legal_advice_sought: bool = False  # 7: legal advice beyond the Monitoring Officer's?
    public_access: bool = True  # 10: public access to information?
    personal_data: bool = False  # 11: processes personal data (DPIA attached)?
    publication_deferred: bool = False  # 12: is publication of the note deferred?
    deferral_until: date | None = None  # 12: ...until this date
    redactions: bool = False  # 13: commercially / operationally sensitive text redacted?


@dataclass
class Regime:
    code: str  # e.g. "PCR2015-LTR", "PA2023-OPEN"
    label: str  # e.g. "Public Contracts Regulations 2015 (light-touch regime)"


@dataclass
class Notice:
    label: str  # e.g. "Prior Information Notice"
    published_on: date | None = None
    reference: str = ""  # e.g. the Find a Tender notice id
    kind: str = ""  # machine kind, e.g. "PIN", "CN", "UK4" (not drawn)


@dataclass
class EngagementEvent:
    on: date
    kind: str  # e.g. "Stakeholder engagement event", "Market engagement event"
    attendees: str = ""  # e.g. "14 providers" or a list of organisations
    notes: str = ""


@dataclass
class ResultRow:
    """One bid in a lot's evaluation table (from evaluation.results.BidResult)."""

    bidder: str
    sections: dict[str, float | None]  # section name -> weighted score (percentage points)
    total: float | None
    rank: int | None = None
    status: str = "ranked"  # "ranked", "excluded" or "incomplete"
    reason: str | None = None  # why not ranked
    tied: bool = False


@dataclass
class Lot:
    code: str  # "A"
    title: str  # "DA Victim Services"
    annual_value: Decimal
    bids_received: int
    sections: list[str]  # evaluation section names, in column order
    results: list[ResultRow] = field(default_factory=list)  # by rank, unranked last
    winner: str | None = None  # winning bidder's name, None when nobody ranked


@dataclass
class Partner:
    name: str
    annual_contribution: Decimal


@dataclass
class SelectionOutcome:
    """Selection questionnaire and financial (Delphi) outcome for one bidder."""

    bidder: str
    passed: bool
    reason: str = ""  # why not, when not passed (or the mitigation, when passed with one)
    lots: list[str] = field(default_factory=list)  # lot codes bid for
    delphi_score: int | None = None


@dataclass
class Signer:
    role: str  # one of SIGN_OFF_ROLES (others are drawn in an extra block at the end)
    label: str  # as drawn: "Staffordshire Commissioner", "Chief Executive", "Section 151 Officer"
    name: str = ""
    order: int = 0  # routing order; anchors are numbered 1.. in this order
    signed_at: date | datetime | None = None
    comments: str = ""


@dataclass
class NoteData:
    reference: str  # procurement reference, e.g. "SCO-DA-2023"
    title: str  # the decision's title
    organisation: str  # commissioning organisation, e.g. "Staffordshire Commissioner's Office"
    decision_maker: str  # who decides, e.g. "Staffordshire Commissioner"
    relates_to: list[str]  # subset of RELATES_TO_MARKS
    marking: str = OFFICIAL  # OFFICIAL or OFFICIAL_SENSITIVE
    strapline: str = ""  # under the organisation name, e.g. "Police | Fire and Rescue | Crime"
    decision_number: str | None = None  # e.g. "SCP/D/202324/007"; None until assigned
    date_received: date | None = None
    date_required_by: date | None = None
    answers: Answers = field(default_factory=Answers)
    narrative: dict[str, str] = field(default_factory=dict)  # keys: NARRATIVE_KEYS
    regime: Regime | None = None
    above_threshold: bool = True
    threshold: Decimal | None = None  # the regime's threshold compared against
    whole_term_value: Decimal | None = None  # None: total annual value x term years
    notices: list[Notice] = field(default_factory=list)
    engagement_events: list[EngagementEvent] = field(default_factory=list)
    itt_published: date | None = None
    tender_deadline: date | None = None
    contract_start: date | None = None
    term_initial_years: int = 1
    term_extensions: list[int] = field(default_factory=list)  # [1, 1] for "3 + 1 + 1"
    lots: list[Lot] = field(default_factory=list)
    # how the evaluation model describes its sections, for "Assessment of bids was
    # undertaken through …" (decisions.note.wording); a section without one: its name
    section_descriptions: dict[str, str] = field(default_factory=dict)
    partners: list[Partner] = field(default_factory=list)
    selection: list[SelectionOutcome] = field(default_factory=list)
    signers: list[Signer] = field(default_factory=list)
    sensitive_phrases: list[str] = field(default_factory=list)
    # Annexes: a structured form (dict, see decisions.annex_pdf) or an uploaded PDF (bytes).
    eia: dict | bytes | None = None
    dpia: dict | bytes | None = None

    @property
    def total_annual_value(self) -> Decimal:
        return sum((lot.annual_value for lot in self.lots), Decimal(0))

    @property
    def term_years(self) -> int:
        return self.term_initial_years + sum(self.term_extensions)

    @property
    def assessment(self) -> str | None:
        """"Assessment of bids was undertaken through …", the sections as the model names them."""
        from decisions.note.wording import note_assessment

        return note_assessment(self.lots, self.section_descriptions)

    @property
    def whole_term(self) -> Decimal:
        """Whole-term value including extensions (given, else annual total x years)."""
        if self.whole_term_value is not None:
            return self.whole_term_value
        return self.total_annual_value * self.term_years

    def signers_in_order(self) -> list[Signer]:
        """Signers in routing order (stable for equal orders)."""
        return sorted(self.signers, key=lambda s: s.order)

    def anchors(self) -> list[tuple[Signer, str, str]]:
        """(signer, signature anchor, date anchor) in routing order: \\s1\\ / \\d1\\ first."""
        return [(s, signature_anchor(i), date_anchor(i)) for i, s in enumerate(self.signers_in_order(), 1)]

    def signer(self, role: str) -> Signer | None:
        return next((s for s in self.signers if s.role == role), None)
