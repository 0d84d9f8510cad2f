"""The access policy's decision, over plain values (no app): DOMAIN.md's table, cell by cell."""
from __future__ import annotations

import pytest

from procurement.policy import (ADMIN, APPROVER, EVALUATOR, FINANCE, OFFICER, PANEL, PUBLIC,
                                SIGNED_IN, SUPPLIER, Actor, Target, allow, decide, reads)

BUYER, OTHER, SUPPLIER_ORG, PARTNER = 1, 2, 3, 4
LOT_A, LOT_B = 10, 11
ON_PROCUREMENT = Target(procurement_organisation_id=BUYER, names_procurement=True)
ON_LOT_A = Target(procurement_organisation_id=BUYER, lot_id=LOT_A, names_procurement=True)
NOTHING = Target()


def person(*roles, org=BUYER, lots=()):
    return Actor(signed_in=True, roles=frozenset(roles), organisation_id=org,
                 panel_lots=frozenset(lots))


ANONYMOUS = Actor()


@pytest.mark.parametrize("actor,target,status", [
    (person("officer"), ON_PROCUREMENT, 200),
    (person("officer", org=OTHER), ON_PROCUREMENT, 404),   # another organisation: not told
    (person("chief_executive"), ON_PROCUREMENT, 403),      # its organisation, not its role
    (person("admin"), ON_PROCUREMENT, 403),
    (person("supplier", org=SUPPLIER_ORG), ON_PROCUREMENT, 404),
    (person("evaluator", org=PARTNER, lots=[LOT_A]), ON_PROCUREMENT, 403),  # on the panel
    (person(), ON_PROCUREMENT, 403),                       # no role at all
    (ANONYMOUS, ON_PROCUREMENT, 401),
])
def test_an_officer_page(actor, target, status):
    assert decide(allow(OFFICER), "GET", actor, target).status == status


def test_reading_and_changing_differ():
    rule = reads(OFFICER, APPROVER, writes=(OFFICER,))
    ceo = person("chief_executive")
    assert decide(rule, "GET", ceo, ON_PROCUREMENT).allowed
    refused = decide(rule, "POST", ceo, ON_PROCUREMENT)
    assert not refused.allowed and refused.status == 403


def test_a_panel_member_only_on_its_own_lot():
    member = person("evaluator", org=PARTNER, lots=[LOT_B])
    assert not decide(allow(PANEL), "GET", member, ON_LOT_A).allowed
    assert decide(allow(PANEL), "GET", person("evaluator", org=PARTNER, lots=[LOT_A]),
                  ON_LOT_A).grant == PANEL
    # an evaluator of the buying organisation without a seat: refused, but told it exists
    assert decide(allow(PANEL), "GET", person("evaluator"), ON_LOT_A).status == 403
    # on a procurement-wide page, a seat on any of its lots counts
    assert decide(allow(PANEL), "GET", member, ON_PROCUREMENT).allowed


def test_a_supplier_reads_only_its_own_organisations_bid():
    own = Target(procurement_organisation_id=BUYER, names_procurement=True, names_bid=True,
                 bid_organisation_id=SUPPLIER_ORG)
    supplier = person("supplier", org=SUPPLIER_ORG)
    assert decide(allow(SUPPLIER), "GET", supplier, own).allowed
    stranger = person("supplier", org=OTHER)
    assert decide(allow(SUPPLIER), "GET", stranger, own).status == 404


@pytest.mark.parametrize("grant,roles", [(EVALUATOR, ("evaluator",)), (ADMIN, ("admin",)),
                                         (FINANCE, ("finance",))])
def test_grants_without_a_procurement(grant, roles):
    assert decide(allow(grant), "GET", person(*roles), NOTHING).allowed
    assert decide(allow(grant), "GET", person("supplier"), NOTHING).status == 403


def test_the_administrator_never_reaches_a_procurement_through_its_grant():
    assert decide(allow(ADMIN), "GET", person("admin"), ON_PROCUREMENT).status == 403


def test_public_signed_in_and_undeclared():
    assert decide(allow(PUBLIC), "POST", ANONYMOUS, NOTHING).allowed
    assert decide(allow(SIGNED_IN), "GET", ANONYMOUS, NOTHING).status == 401
    assert decide(allow(SIGNED_IN), "GET", person(), NOTHING).allowed
    undeclared = decide(None, "GET", person("officer"), ON_PROCUREMENT)
    assert not undeclared.allowed and undeclared.status == 403
