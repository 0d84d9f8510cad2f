"""Helpers for the evaluation pages in Chromium: fresh copies of the demo procurement to
score, page visits checked by axe-core, and keyboard moves checked by where focus lands."""
from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from tests.browser.conftest import AXE, assert_accessible, sign_in

ROOT = Path(__file__).resolve().parents[2]
WORKBOOK = ROOT / "demo" / "data" / "staffordshire-da-2023.xlsx"
OFFICER = "officer@demo.example.org"
# the workbook's panel member -> the demo user who sits as them (demo/people.py)
SEATS = {"Panel Member A": "evaluator.a@demo.example.org",
         "Panel Member B": "evaluator.b@demo.example.org",
         "Panel Member C": "evaluator.c@demo.example.org"}
BIDDER_NAMES = {"VS": "Victim Support", "NF": "Northfield Change Partnership CIC"}


def demo_tender():
    """The demo workbook, parsed: its scores and consensus are what the browser re-enters."""
    from interchange.workbook_file import read_workbook

    parsed, errors = read_workbook(WORKBOOK)
    assert not errors, errors
    return parsed


def import_copy(app, reference: str, keep_score=lambda s: False,
                keep_consensus=lambda c: False, seats: tuple = ()):
    """Import the demo workbook under `reference` with only the kept Scores/Consensus rows.

    Panel members the import creates (those with kept scores) are linked to their demo users;
    `seats` adds more, as (lot code, panel member name), linked likewise. Returns the demo's
    full parsed tender (the scores and consensus to re-enter)."""
    from sqlalchemy import select

    from accounts.models import User
    from interchange.importer import import_tender
    from procurement.models import PanelMember
    from extensions import db
    from procurement.models import Lot

    full = demo_tender()
    parsed = demo_tender()
    parsed.reference = reference
    parsed.scores = [s for s in parsed.scores if keep_score(s)]
    parsed.consensus = [c for c in parsed.consensus if keep_consensus(c)]
    with app.app_context():
        procurement = import_tender(parsed, actor="system")
        users = {u.email: u.id for u in db.session.execute(select(User)).scalars()}
        lots = {lot.code: lot.id for lot in db.session.execute(
            select(Lot).where(Lot.procurement_id == procurement.id)).scalars()}
        for code, name in seats:
            db.session.add(PanelMember(lot_id=lots[code], name=name))
        db.session.flush()
        for member in db.session.execute(select(PanelMember).where(
                PanelMember.lot_id.in_(lots.values()))).scalars():
            member.user_id = users[SEATS[member.name]]
        db.session.commit()
        db.session.remove()
    return full


def scores_by_evaluator(parsed) -> dict:
    """email -> lot -> bidder -> [(criterion, score)], in the workbook's order."""
    out: dict = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))
    for s in parsed.scores:
        out[SEATS[s.evaluator]][s.lot][s.bidder].append((s.criterion, s.score))
    return out


def consensus_by_bid(parsed) -> dict:
    """lot -> bidder -> [(criterion, score)]."""
    out: dict = defaultdict(lambda: defaultdict(list))
    for c in parsed.consensus:
        out[c.lot][c.bidder].append((c.criterion, c.score))
    return out


def shown(value) -> str:
    """A score as a person types it: 5, 3.5."""
    return format(value.normalize(), "f")


# --- pages, each checked by axe-core -----------------------------------------------------------

def new_person(browser, base_url: str, email: str | None = None):
    """A browser context of its own for one person, signed in when `email` is given."""
    context = browser.new_context(base_url=base_url)
    context.add_init_script(path=str(AXE))  # axe-core in every page, ready for assert_accessible
    page = context.new_page()
    page.set_default_timeout(10000)
    if email:
        sign_in(page, email)
        page.wait_for_url(lambda url: "/login" not in url)
        assert_accessible(page)
    return page


def visit(page, path: str):
    """Go to a page, check it answered 200 and that axe-core finds nothing on it."""
    response = page.goto(path)
    status = response.status if response is not None else None
    assert status == 200, f"{path} answered {status}"
    assert_accessible(page)
    return page


def press(page, target, expect_path: str | None = None):
    """Click a button or link that loads another page; check where it went and that page."""
    locator = page.locator(target) if isinstance(target, str) else target
    with page.expect_navigation():
        locator.click()
    if expect_path is not None:
        assert page.url.split("?")[0].split("#")[0].endswith(expect_path), page.url
    assert_accessible(page)
    return page


def success_banner(page) -> str:
    return page.locator(".govuk-notification-banner--success").inner_text()


# --- keyboard ----------------------------------------------------------------------------------

def active(page) -> dict:
    """What has the focus: tag, id, type, text and classes."""
    return page.evaluate("""() => { const e = document.activeElement;
        return {tag: e.tagName.toLowerCase(), id: e.id || '', type: e.type || '',
                name: e.getAttribute('name') || '', cls: e.className || '',
                text: (e.innerText || e.value || '').trim().slice(0, 120)}; }""")


def is_active(page, selector: str) -> bool:
    return page.evaluate("s => document.activeElement === document.querySelector(s)", selector)


def tab_to(page, selector: str, limit: int = 60, key: str = "Tab") -> int:
    """Press Tab until the element matching `selector` has the focus; return how many presses."""
    for n in range(1, limit + 1):
        page.keyboard.press(key)
        if is_active(page, selector):
            return n
    raise AssertionError(f"{selector} never got the focus in {limit} presses of {key} "
                         f"(focus is on {active(page)})")


def tab(page, expect: str):
    """One press of Tab, which must land on `expect`."""
    page.keyboard.press("Tab")
    assert is_active(page, expect), f"Tab went to {active(page)}, not {expect}"


def key_navigates(page, key: str = "Enter", expect_path: str | None = None):
    """Press a key on the focused link or button; it loads a page, which axe-core checks."""
    with page.expect_navigation():
        page.keyboard.press(key)
    if expect_path is not None:
        assert page.url.split("?")[0].split("#")[0].endswith(expect_path), page.url
    assert_accessible(page)


def fill_form(page, values: dict[str, str]) -> None:
    """Fill a form's fields by their names: text typed in, a radio button picked by its value
    (as a person would, field by field)."""
    for name, value in values.items():
        radios = page.locator(f'input[type="radio"][name="{name}"]')
        if radios.count():
            radios.locator(f'xpath=self::*[@value="{value}"]').check()
        else:
            page.locator(f'[name="{name}"]').fill(value)
