"""A lot's results tables are drawn once per state of its figures: a repeat view takes the
HTML kept against the data version, and any change to the figures draws them anew."""
from __future__ import annotations

from contextlib import contextmanager
from decimal import Decimal

from flask import template_rendered

from evaluation.models import Consensus
from evaluation.results import cache
from extensions import db
from tests.integration.test_evaluation_fixtures import client_for, tender  # noqa: F401

TABLES = "evaluation/_results_tables.html"


@contextmanager
def drawn(app):
    names: list[str] = []

    def seen(sender, template, context, **extra):
        names.append(template.name)

    template_rendered.connect(seen, app)
    try:
        yield names
    finally:
        template_rendered.disconnect(seen, app)


def _moderate(t, price_a="5", price_b="3"):
    for name, value in (("Alpha Care", price_a), ("Beta Support", price_b)):
        for code in ("Q1", "Q2"):
            db.session.add(Consensus(bid=t.bids[f"A:{name}"], criterion=t.crit[f"A:{code}"],
                                     value=Decimal(value), rationale="Agreed."))
    db.session.commit()


def test_a_repeat_view_does_not_draw_the_tables_again(app, tender, users):  # noqa: F811
    cache.clear()
    _moderate(tender)
    officer = client_for(app, users["officer"])
    with drawn(app) as names:
        first = officer.get(tender.url("A", "/results")).get_data(as_text=True)
        second = officer.get(tender.url("A", "/results")).get_data(as_text=True)
    assert names.count(TABLES) == 1 and names.count("evaluation/results.html") == 2
    assert 'id="results"' in second and first.count("Alpha Care") == second.count("Alpha Care")


def test_a_changed_figure_draws_the_tables_anew(app, tender, users):  # noqa: F811
    cache.clear()
    _moderate(tender)
    officer = client_for(app, users["officer"])
    before = officer.get(tender.url("A", "/results")).get_data(as_text=True)
    assert 'data-bidder="Alpha Care"' in before.split('id="result-1"')[1][:200]
    for c in db.session.query(Consensus).filter(Consensus.bid == tender.bids["A:Alpha Care"]):
        c.value = Decimal("1")  # Beta Support now ranks first
    db.session.commit()
    with drawn(app) as names:
        after = officer.get(tender.url("A", "/results")).get_data(as_text=True)
    assert names.count(TABLES) == 1
    assert 'data-bidder="Beta Support"' in after.split('id="result-1"')[1][:200]


def test_each_lot_has_its_own_tables(app, tender, users):  # noqa: F811
    cache.clear()
    officer = client_for(app, users["officer"])
    a = officer.get(tender.url("A", "/results")).get_data(as_text=True)
    b = officer.get(tender.url("B", "/results")).get_data(as_text=True)
    assert 'data-lot="A"' in a and 'data-lot="B"' in b and "Gamma Trust" in b
    assert "Gamma Trust" not in a
