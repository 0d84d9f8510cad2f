"""Who may do what: DOMAIN.md's permission table as plain values and one pure decision.

Every route names the grants that let someone use it (`procurement.access.ROUTES`); this module
says what each grant means and decides, for one person and one thing, whether it holds. It
imports neither Flask nor the ORM, so the whole table is tested in milliseconds.

A grant is a role in a scope:
- PUBLIC: anyone, signed in or not.
- SIGNED_IN: anyone signed in (signing out).
- OFFICER, APPROVER, FINANCE: that role, in the organisation that runs the procurement.
- PANEL: an evaluator with a seat on the lot's panel (on a procurement-wide page: on any of
  its lots).
- EVALUATOR: any evaluator, on a page that lists only its own seats.
- SUPPLIER: a supplier, on a page about its own organisation's bid or letters (where the page
  names a bid, the bid's bidder must be the supplier's organisation).
- ADMIN: the administrator: users, organisations, roles, settings, never bids or scores.
- SQ_MARKER: an evaluator the officer assigned to mark the procurement's selection
  questionnaire (procurement.selection).

Anything not granted is refused: 401 for nobody signed in (the sign-in page), 404 where the
person has nothing to do with the procurement (its existence must not leak to another
organisation), 403 otherwise.
"""
from __future__ import annotations

from dataclasses import dataclass

PUBLIC = "public"
SIGNED_IN = "signed in"
OFFICER = "procurement officer of the procurement's organisation"
APPROVER = "approver of the procurement's organisation"
FINANCE = "finance reviewer of the procurement's organisation"
PANEL = "panel member of the lot"
EVALUATOR = "evaluator (its own seats)"
SUPPLIER = "supplier (its own organisation's bids and letters)"
ADMIN = "administrator"
SQ_MARKER = "selection questionnaire marker of the procurement"

GRANTS = (PUBLIC, SIGNED_IN, OFFICER, APPROVER, FINANCE, PANEL, EVALUATOR, SUPPLIER, ADMIN,
          SQ_MARKER)

APPROVER_ROLES = ("originating_officer", "chief_executive", "monitoring_officer",
                  "s151_officer", "commissioner")
ROLE_OF = {OFFICER: ("officer",), APPROVER: APPROVER_ROLES, FINANCE: ("finance",),
           PANEL: ("evaluator",), EVALUATOR: ("evaluator",), SUPPLIER: ("supplier",),
           ADMIN: ("admin",), SQ_MARKER: ("evaluator",)}
# Grants scoped to the procurement's own organisation.
ORGANISATION_SCOPED = (OFFICER, APPROVER, FINANCE)


@dataclass(frozen=True)
class Rule:
    """Who may use a route: grants for reading (GET) and for changing (POST)."""

    read: tuple[str, ...] = ()
    write: tuple[str, ...] = ()

    def grants(self, method: str) -> tuple[str, ...]:
        return self.read if method in ("GET", "HEAD", "OPTIONS") else self.write


def allow(*grants: str) -> Rule:
    """The same grants for every method the route answers."""
    return Rule(read=grants, write=grants)


def reads(*grants: str, writes: tuple[str, ...] = ()) -> Rule:
    return Rule(read=grants, write=writes)


@dataclass(frozen=True)
class Actor:
    """The person asking, as plain values."""

    signed_in: bool = False
    roles: frozenset[str] = frozenset()
    organisation_id: int | None = None
    panel_lots: frozenset[int] = frozenset()  # lots of the target procurement they sit on
    sq_marker: bool = False  # assigned to mark the target procurement's questionnaire

    def holds(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))


@dataclass(frozen=True)
class Target:
    """What the route is about: nothing, or a procurement, maybe one lot and one bid."""

    procurement_organisation_id: int | None = None
    lot_id: int | None = None
    bid_organisation_id: int | None = None  # the supplier organisation of the bid named
    names_procurement: bool = False
    names_bid: bool = False


@dataclass(frozen=True)
class Decision:
    allowed: bool
    status: int = 200  # 200, or the refusal: 401, 403 or 404
    grant: str | None = None  # the grant that let them in
    reason: str = ""


def holds(grant: str, actor: Actor, target: Target) -> bool:
    """Whether one grant lets this actor at this target."""
    if grant == PUBLIC:
        return True
    if not actor.signed_in:
        return False
    if grant == SIGNED_IN:
        return True
    if not actor.holds(*ROLE_OF[grant]):
        return False
    if grant in ORGANISATION_SCOPED:
        return (not target.names_procurement
                or actor.organisation_id == target.procurement_organisation_id)
    if grant == PANEL:
        if not target.names_procurement:
            return False
        if target.lot_id is not None:
            return target.lot_id in actor.panel_lots
        return bool(actor.panel_lots)  # a seat on any lot of this procurement
    if grant == SUPPLIER:
        return not target.names_bid or (actor.organisation_id is not None
                                        and actor.organisation_id == target.bid_organisation_id)
    if grant == EVALUATOR:
        return not target.names_procurement
    if grant == ADMIN:
        return not target.names_procurement
    if grant == SQ_MARKER:
        return target.names_procurement and actor.sq_marker
    return False


def related(actor: Actor, target: Target) -> bool:
    """Whether the procurement is any business of theirs (else its existence is not told)."""
    if not target.names_procurement:
        return True
    if actor.organisation_id is not None and \
            actor.organisation_id == target.procurement_organisation_id:
        return True
    if actor.panel_lots or actor.sq_marker:
        return True
    return target.names_bid and actor.organisation_id is not None and \
        actor.organisation_id == target.bid_organisation_id


def decide(rule: Rule | None, method: str, actor: Actor, target: Target) -> Decision:
    if rule is None:
        return Decision(False, 403, reason="this page declares nobody who may use it")
    for grant in rule.grants(method):
        if holds(grant, actor, target):
            return Decision(True, grant=grant)
    if not actor.signed_in:
        return Decision(False, 401, reason="sign in to continue")
    if not related(actor, target):
        return Decision(False, 404, reason="no such procurement for this person")
    return Decision(False, 403, reason="your role does not allow this")
