"""Notices and clarifications as rules: the kinds each regime has, what publishing one needs,
when questions may be asked, and when a late change should make the officer think again.

Pure: plain values in, refusals (sentences saying why and what to do) out. The publication
service gathers the facts from the records (`PublishFacts`) and refuses with every reason
this returns; the lifecycle's own refusal (an act outside its state) is added by the caller.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

PLANNING, TENDER, AWARD, CONTRACT, TERMINATION = (
    "planning", "tender", "award", "contract", "termination")


@dataclass(frozen=True)
class Kind:
    """A kind of notice: its code (`notice draft REF KIND`), name, and what it does."""

    code: str
    name: str
    stage: str  # planning, tender, award, contract or termination
    act: str | None  # the lifecycle act publishing it does (procurement.lifecycle.ACTS)
    document_type: str  # OCDS documentType of the notice
    notice_type: str | None  # Find a Tender's noticeType (the Act's notices)
    tag: str  # OCDS release tag
    update_tag: str  # the tag of a notice that supersedes one of this kind


PCR2015_KINDS = (
    Kind("PIN", "Prior information notice", PLANNING, "publish_notice",
         "plannedProcurementNotice", None, "planning", "planningUpdate"),
    Kind("contract-notice", "Contract notice", TENDER, "publish_tender", "tenderNotice", None,
         "tender", "tenderAmendment"),
    Kind("award-notice", "Contract award notice", AWARD, "publish_award", "awardNotice", None,
         "award", "awardUpdate"),
)
# The Act's notices a single procurement publishes. UK1 (pipeline) is about a buyer's whole
# pipeline, not one procurement; UK5 (transparency) only precedes a direct award, which no
# regime here is; the rest (UK8 payments onwards, but UK12) come after the contract.
PA2023_KINDS = (
    Kind("UK2", "Preliminary market engagement notice", PLANNING, "publish_notice",
         "marketEngagementNotice", "UK2", "planning", "planningUpdate"),
    Kind("UK3", "Planned procurement notice", PLANNING, "publish_notice",
         "plannedProcurementNotice", "UK3", "planning", "planningUpdate"),
    Kind("UK4", "Tender notice", TENDER, "publish_tender", "tenderNotice", "UK4", "tender",
         "tenderAmendment"),
    Kind("UK6", "Contract award notice", AWARD, "publish_award", "awardNotice", "UK6", "award",
         "awardUpdate"),
    Kind("UK7", "Contract details notice", CONTRACT, None, "contractNotice", "UK7", "contract",
         "contractUpdate"),
    Kind("UK12", "Procurement termination notice", TERMINATION, None,
         "tenderCancellationNotice", "UK12", "tenderCancellation", "tenderCancellation"),
)
KINDS_BY_FAMILY = {"PCR2015": {k.code: k for k in PCR2015_KINDS},
                   "PA2023": {k.code: k for k in PA2023_KINDS}}
LEGAL_BASIS = {
    "PCR2015": {"scheme": "CELEX", "id": "32014L0024",
                "description": "The Public Contracts Regulations 2015 (Directive 2014/24/EU)"},
    "PA2023": {"scheme": "UKPGA", "id": "2023/54", "description": "Procurement Act 2023"},
}
# A published answer or changed document this close to the deadline may need it extended.
LATE_CHANGE_DAYS = 6
LATE_CHANGE_BASIS = {
    "PCR2015": "PCR 2015 reg. 47(3)(a): additional information asked for in good time must be "
               "supplied at least 6 days before the deadline, or the deadline extended",
    "PCR2015-LTR": "PCR 2015 reg. 76: the time allowed must stay reasonable (6 days as "
                   "reg. 47(3)(a) says for the other procedures)",
    "PA2023": "Procurement Act 2023 s.31 and s.54: when the tender documents change, consider "
              "whether the tendering period should be extended",
}


def family(regime: str) -> str:
    return (regime or "").split("-", 1)[0].upper()


def kinds_for(regime: str) -> dict[str, Kind]:
    return KINDS_BY_FAMILY.get(family(regime), {})


def kind_of(regime: str, code: str) -> Kind | None:
    return kinds_for(regime).get(code)


def is_light_touch(regime: str) -> bool:
    return (regime or "").upper().endswith("-LTR")


def opens_competition(kind: Kind, call_for_competition: bool) -> bool:
    """A contract notice or UK4, or a light-touch PIN that is the call for competition."""
    return kind.stage == TENDER or (kind.code == "PIN" and call_for_competition)


def act_of(kind: Kind, call_for_competition: bool) -> str | None:
    return "publish_tender" if opens_competition(kind, call_for_competition) else kind.act


@dataclass(frozen=True)
class PublishedNotice:
    id: int
    kind: str
    superseded: bool  # a published notice supersedes it


def draft_refusal(regime: str, kind: str, supersedes: PublishedNotice | None,
                  supersedes_id: int | None, call_for_competition: bool) -> str | None:
    """Why a draft of `kind` cannot be started, or None."""
    k = kind_of(regime, kind)
    if k is None:
        names = ", ".join(kinds_for(regime)) or "none"
        return (f"{kind} is not a notice of the {regime} regime: its notices are {names}")
    if call_for_competition and not (k.code == "PIN" and is_light_touch(regime)):
        return ("Only a prior information notice under the light-touch regime can be the call "
                "for competition (PCR 2015 reg. 75(1)(b))")
    if supersedes_id is not None:
        if supersedes is None:
            return f"Notice {supersedes_id} is not a published notice of this procurement"
        if supersedes.kind != kind:
            return (f"Notice {supersedes_id} is a {supersedes.kind}: a correction is a notice of "
                    "the same kind")
        if supersedes.superseded:
            return (f"Notice {supersedes_id} is already superseded: supersede the notice that "
                    "replaced it")
    return None


@dataclass(frozen=True)
class LotFacts:
    code: str
    criteria: int  # how many award criteria
    weight_total: float
    results_final: bool


@dataclass(frozen=True)
class PublishFacts:
    """What publishing a notice depends on, read from the records."""

    regime: str
    kind: str
    now: datetime  # naive UTC
    call_for_competition: bool = False
    supersedes: PublishedNotice | None = None
    supersedes_id: int | None = None
    published: tuple[PublishedNotice, ...] = ()  # this procurement's published notices
    lots: tuple[LotFacts, ...] = ()
    deadline: datetime | None = None  # tender deadline, naive UTC
    deadline_local: datetime | None = None  # as recorded (UK wall clock)
    earliest: datetime | None = None  # the minimum period's earliest deadline (UK wall clock)
    earliest_basis: str = ""
    summaries_issued: bool = False  # every bid has its letter (the Act's assessment summary)
    state: str = "draft"
    problems: tuple[str, ...] = field(default_factory=tuple)  # found while gathering


def _has(published: tuple[PublishedNotice, ...], *stages_or_kinds: str) -> bool:
    return any(n.kind in stages_or_kinds for n in published)


def publish_refusals(f: PublishFacts) -> list[str]:
    """Every reason the notice cannot be published now (empty: it may be)."""
    k = kind_of(f.regime, f.kind)
    if k is None:
        return [f"{f.kind} is not a notice of the {f.regime} regime"]
    out = list(f.problems)
    kinds = kinds_for(f.regime)
    stage_kinds = {s: {c for c, x in kinds.items() if x.stage == s} for s in
                   (PLANNING, TENDER, AWARD, CONTRACT, TERMINATION)}
    if f.supersedes_id is None:
        if _has(f.published, f.kind):
            out.append(f"A {k.name.lower()} is already published: publish a correction as a new "
                       "notice that supersedes it (--supersedes ID)")
    else:
        refusal = draft_refusal(f.regime, f.kind, f.supersedes, f.supersedes_id,
                                f.call_for_competition)
        if refusal:
            out.append(refusal)
    if k.stage != TERMINATION and _has(f.published, *stage_kinds[TERMINATION]):
        out.append("The procurement is terminated (a termination notice is published): no "
                   "other notice can follow it")
    if opens_competition(k, f.call_for_competition):
        out += _tender_refusals(f, k)
    elif k.stage == AWARD:
        out += _award_refusals(f, k)
    elif k.stage == CONTRACT:
        if not _has(f.published, *stage_kinds[AWARD]):
            out.append("Publish the contract award notice (UK6) before the contract details "
                       "notice")
        if f.state != "contract":
            out.append("The contract details notice follows the contract: the standstill must "
                       "have ended and the contract been entered into")
    elif k.stage == TERMINATION:
        if not (_has(f.published, *stage_kinds[TENDER]) or _has(f.published, *stage_kinds[PLANNING])):
            out.append("Nothing to terminate: no tender or planned procurement notice is "
                       "published")
        if _has(f.published, *stage_kinds[AWARD]):
            out.append("The contract award notice is published: the procurement can no longer "
                       "be terminated by a termination notice")
    return out


def _tender_refusals(f: PublishFacts, k: Kind) -> list[str]:
    out = []
    if not f.lots:
        out.append(f"A {k.name.lower()} needs at least one lot: add the lots first")
    for lot in f.lots:
        if lot.criteria == 0:
            out.append(f"Lot {lot.code} has no award criteria: add them in the evaluation model")
        elif abs(lot.weight_total - 100) > 0.001:
            out.append(f"Lot {lot.code}'s award criteria weigh {lot.weight_total:g} in all, not "
                       "100")
    if f.deadline is None:
        out.append("Record the tender deadline first")
    else:
        if f.deadline <= f.now:
            out.append("The tender deadline is not in the future: set a later deadline")
        if f.earliest is not None and f.deadline_local is not None \
                and f.deadline_local < f.earliest:
            out.append(f"The tender deadline is shorter than the minimum period: the earliest "
                       f"lawful deadline is {f.earliest:%-d %B %Y} ({f.earliest_basis})")
    return out


def _award_refusals(f: PublishFacts, k: Kind) -> list[str]:
    out = []
    if not f.lots:
        out.append("An award notice needs the lots and their results")
    if f.deadline is not None and f.deadline > f.now:
        out.append("The tender deadline has not passed yet")
    unfinal = [lot.code for lot in f.lots if not lot.results_final]
    if unfinal:
        out.append("The results are not final for lot " + ", ".join(unfinal)
                   + ": mark them final first")
    if family(f.regime) == "PA2023" and not f.summaries_issued:
        out.append("Issue the assessment summaries to every bidder before the contract award "
                   "notice (Procurement Act 2023 s.50): send the letters first")
    return out


# -- clarifications ------------------------------------------------------------------------

QUESTION_MAX = 5000
ANSWER_MAX = 20000


def question_refusal(question: str) -> str | None:
    text = (question or "").strip()
    if not text:
        return "Enter your question"
    if len(text) > QUESTION_MAX:
        return f"Shorten your question to {QUESTION_MAX:,} characters or fewer (it has {len(text):,})"
    return None


def asking_refusal(open_for_competition: bool, terminated: bool, closes: datetime | None,
                   now: datetime) -> str | None:
    """Why a supplier cannot ask a question now (`closes`: naive UTC), or None."""
    if not open_for_competition:
        return "This procurement is not open for questions: its tender notice is not published"
    if terminated:
        return "This procurement is terminated: it takes no more questions"
    if closes is not None and now >= closes:
        return "The deadline for clarification questions has passed"
    return None


def answer_refusal(public_question: str, answer: str) -> str | None:
    if not (public_question or "").strip():
        return "Enter the question as it will be published"
    if len(public_question) > QUESTION_MAX:
        return f"Shorten the published question to {QUESTION_MAX:,} characters or fewer"
    if not (answer or "").strip():
        return "Enter the answer"
    if len(answer) > ANSWER_MAX:
        return f"Shorten the answer to {ANSWER_MAX:,} characters or fewer"
    return None


def late_change_warning(regime: str, deadline: datetime | None, now: datetime) -> str | None:
    """A warning when a published answer or changed document comes fewer than 6 days before
    the tender deadline (both naive UTC), or None."""
    if deadline is None or deadline <= now or deadline - now >= timedelta(days=LATE_CHANGE_DAYS):
        return None
    basis = LATE_CHANGE_BASIS.get(regime.upper() if is_light_touch(regime) else family(regime),
                                  LATE_CHANGE_BASIS["PCR2015"])
    return (f"The tender deadline is {time_left(deadline, now)} away, fewer than "
            f"{LATE_CHANGE_DAYS} days: consider extending it so that suppliers can take this "
            f"into account ({basis}).")


def time_left(deadline: datetime, now: datetime) -> str:
    """“12 days, 3 hours”, “5 hours, 20 minutes”, “closed”."""
    if deadline <= now:
        return "closed"
    left = deadline - now
    days, rest = left.days, left.seconds
    hours, minutes = rest // 3600, (rest % 3600) // 60

    def unit(n, word):
        return f"{n} {word}{'' if n == 1 else 's'}"

    if days:
        return unit(days, "day") + (f", {unit(hours, 'hour')}" if hours else "")
    if hours:
        return unit(hours, "hour") + (f", {unit(minutes, 'minute')}" if minutes else "")
    return unit(max(minutes, 1), "minute")
