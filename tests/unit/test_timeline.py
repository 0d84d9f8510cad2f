"""The minimum periods and earliest lawful dates (procurement/timeline.py), against cases
counted by hand on a calendar. The bank holidays of England and Wales used below: Good Friday
29 March 2024 and 18 April 2025, Easter Monday 1 April 2024 and 21 April 2025, Christmas Day
(Monday) 25 and Boxing Day 26 December 2023. British Summer Time: from 31 March 2024,
30 March 2025; back to GMT on 26 October 2025."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from urllib.parse import urlparse

import pytest

from procurement import standstill, timeline
from procurement.timeline import UK, Dates, check_timeline, minimum


def uk(*args, fold=0) -> datetime:
    return datetime(*args, tzinfo=UK, fold=fold)


def deadline_check(**kw):
    return timeline.check_tender_deadline(Dates(**kw))


# --- PCR 2015 open procedure: reg. 27 -----------------------------------------------------
def test_open_electronic_30_days_counted_from_the_day_after_the_notice():
    # Sent Wed 1 Feb 2023: day 1 is 2 Feb, day 30 is Fri 3 Mar (February has 28 days).
    c = deadline_check(regime="PCR2015-OPEN", itt_published=date(2023, 2, 1),
                       tender_deadline=date(2023, 3, 3))
    assert c.earliest == date(2023, 3, 3) and c.holds is True
    assert c.basis.startswith("PCR 2015 reg. 27(2) and (6)")
    early = deadline_check(regime="PCR2015-OPEN", itt_published=date(2023, 2, 1),
                           tender_deadline=date(2023, 3, 2))
    assert early.earliest == date(2023, 3, 3) and early.holds is False


def test_open_without_electronic_submission_35_days():
    # 1 Feb + 35 days = Wed 8 Mar 2023.
    c = deadline_check(regime="PCR2015-OPEN", itt_published=date(2023, 2, 1),
                       tender_deadline=date(2023, 3, 7), electronic_submission=False)
    assert c.earliest == date(2023, 3, 8) and c.holds is False
    assert c.basis.startswith("PCR 2015 reg. 27(2):")


def test_a_deadline_with_a_time_needs_the_whole_last_day():
    """The period ends at the end of day 30 (reg. 2(4)): noon on day 30 is half a day short."""
    start = dict(regime="PCR2015-OPEN", itt_published=date(2023, 2, 1))
    noon = deadline_check(**start, tender_deadline=uk(2023, 3, 3, 12, 0))
    assert noon.earliest == uk(2023, 3, 4, 0, 0) and noon.holds is False
    midnight = deadline_check(**start, tender_deadline=uk(2023, 3, 4, 0, 0))
    assert midnight.holds is True
    assert noon.as_json()["earliest"] == "2023-03-04T00:00:00+00:00"
    assert noon.as_json()["date"] == "2023-03-03T12:00:00+00:00"


def test_a_last_day_on_good_friday_moves_past_easter_to_tuesday():
    # Sent Wed 28 Feb 2024 (a leap year): day 30 is Good Friday 29 Mar; Sat, Sun, Easter
    # Monday 1 Apr are not working days, so the period ends at the end of Tue 2 Apr, and a
    # deadline with a time holds from 00:00 on Wed 3 Apr, British Summer Time by then.
    start = dict(regime="PCR2015-OPEN", itt_published=date(2024, 2, 28))
    c = deadline_check(**start, tender_deadline=date(2024, 3, 29))
    assert c.earliest == date(2024, 4, 2) and c.holds is False
    timed = deadline_check(**start, tender_deadline=uk(2024, 4, 2, 23, 59))
    assert timed.earliest == uk(2024, 4, 3, 0, 0) and timed.holds is False
    assert timed.as_json()["earliest"] == "2024-04-03T00:00:00+01:00"


def test_prior_information_notice_between_35_days_and_12_months_gives_15_days():
    # Contract notice 1 Jun 2023; PIN 1 Apr 2023 (61 days before): 15 days, Fri 16 Jun.
    c = deadline_check(regime="PCR2015-OPEN", itt_published=date(2023, 6, 1),
                       pin_published=date(2023, 4, 1), tender_deadline=date(2023, 6, 16))
    assert c.earliest == date(2023, 6, 16) and c.holds is True
    assert c.basis.startswith("PCR 2015 reg. 27(4)")


@pytest.mark.parametrize("pin, qualifies", [
    (date(2023, 4, 27), True),  # exactly 35 days before 1 June
    (date(2023, 4, 28), False),  # 34 days
    (date(2022, 6, 1), True),  # exactly 12 months
    (date(2022, 5, 31), False),  # 12 months and a day
])
def test_the_pin_window_boundaries(pin, qualifies):
    c = deadline_check(regime="PCR2015-OPEN", itt_published=date(2023, 6, 1), pin_published=pin,
                       tender_deadline=date(2023, 6, 16))
    assert (c.earliest == date(2023, 6, 16)) is qualifies
    if not qualifies:
        # 1 Jun + 30 = Sat 1 Jul: moves to Mon 3 Jul; the basis says why the PIN did not count
        assert c.earliest == date(2023, 7, 3) and c.holds is False
        assert "no shorter period after the prior notice" in c.basis
        assert pin.isoformat() in c.basis


# --- PCR 2015 restricted procedure: reg. 28 -----------------------------------------------
def test_restricted_electronic_25_days_across_christmas():
    # Invitation sent Thu 30 Nov 2023 + 25 days = Christmas Day; Boxing Day; so Wed 27 Dec.
    c = deadline_check(regime="PCR2015-RESTRICTED", itt_published=date(2023, 11, 30),
                       tender_deadline=date(2023, 12, 27))
    assert c.earliest == date(2023, 12, 27) and c.holds is True
    assert c.basis.startswith("PCR 2015 reg. 28(5) and (9)")


def test_restricted_after_a_pin_10_days():
    c = deadline_check(regime="PCR2015-RESTRICTED", itt_published=date(2023, 6, 1),
                       pin_published=date(2023, 3, 1), tender_deadline=date(2023, 6, 9))
    assert c.earliest == date(2023, 6, 12)  # 1 Jun + 10 = Sun 11 Jun: Mon 12 Jun
    assert c.holds is False and c.basis.startswith("PCR 2015 reg. 28(6)")


# --- PCR 2015 light-touch regime: regs. 74 to 76 ------------------------------------------
def test_light_touch_has_no_number_and_says_so():
    c = deadline_check(regime="PCR2015-LTR", itt_published=date(2023, 2, 1),
                       pin_published=date(2022, 12, 1), tender_deadline=date(2023, 2, 2))
    assert c.earliest is None and c.holds is None
    assert "regs. 74 to 76" in c.basis and "reasonable" in c.basis
    assert c.as_json() == {"kind": "tender_deadline", "date": "2023-02-02", "earliest": None,
                           "basis": c.basis, "holds": None}


# --- Procurement Act 2023: s.54(4), s.15(3) -----------------------------------------------
def test_act_open_electronic_25_days_the_deadline_day_counts():
    # Tender notice Mon 3 Mar 2025: the period begins 4 Mar and ends with the deadline's day;
    # 25 days: Fri 28 Mar. Any time on 28 Mar will do.
    start = dict(regime="PA2023-OPEN", itt_published=date(2025, 3, 3))
    noon = deadline_check(**start, tender_deadline=uk(2025, 3, 28, 12, 0))
    assert noon.earliest == uk(2025, 3, 28, 0, 0) and noon.holds is True
    assert noon.basis.startswith("PA 2023 s.54(4): 25 days")
    late_night_before = deadline_check(**start, tender_deadline=uk(2025, 3, 27, 23, 59))
    assert late_night_before.holds is False
    assert deadline_check(**start, tender_deadline=date(2025, 3, 28)).earliest == date(2025, 3, 28)


def test_act_moves_no_day_off_a_weekend():
    # Tender notice Tue 4 Mar 2025 + 25 days = Sat 29 Mar 2025: it stays a Saturday.
    c = deadline_check(regime="PA2023-OPEN", itt_published=date(2025, 3, 4),
                       tender_deadline=date(2025, 3, 29))
    assert c.earliest == date(2025, 3, 29) and c.holds is True


def test_act_without_electronic_submission_30_days():
    c = deadline_check(regime="PA2023-CFP", itt_published=date(2025, 3, 3),
                       tender_deadline=date(2025, 3, 28), electronic_submission=False)
    assert c.earliest == date(2025, 4, 2) and c.holds is False  # 3 Mar + 30 = 2 Apr


@pytest.mark.parametrize("ppn, earliest", [
    (date(2025, 4, 23), date(2025, 6, 12)),  # 40 days before 2 June: 10 days
    (date(2025, 4, 24), date(2025, 6, 27)),  # 39 days: not qualifying, 25 days
    (date(2024, 6, 2), date(2025, 6, 12)),  # exactly 12 months
    (date(2024, 6, 1), date(2025, 6, 27)),  # more than 12 months
])
def test_act_qualifying_planned_procurement_notice(ppn, earliest):
    c = deadline_check(regime="PA2023-OPEN", itt_published=date(2025, 6, 2), pin_published=ppn,
                       tender_deadline=date(2025, 6, 12))
    assert c.earliest == earliest


def test_act_date_time_earliest_carries_the_summer_offset():
    # Notice Tue 30 Sep 2025 + 25 = Sat 25 Oct 2025, still BST (GMT from 26 Oct).
    c = deadline_check(regime="PA2023-OPEN", itt_published=date(2025, 9, 30),
                       tender_deadline=uk(2025, 10, 25, 9, 0))
    assert c.as_json()["earliest"] == "2025-10-25T00:00:00+01:00" and c.holds is True


def test_before_the_act_took_effect_no_period_is_in_force():
    c = deadline_check(regime="PA2023-OPEN", itt_published=date(2024, 12, 2),
                       tender_deadline=date(2025, 1, 6))
    assert c.earliest is None and c.holds is None
    assert "2024-12-02" in c.basis and "2025-02-24" in c.basis


def test_no_notice_date_no_count():
    c = deadline_check(regime="PCR2015-OPEN", tender_deadline=date(2023, 3, 3))
    assert c.earliest is None and c.holds is None and "notice" in c.basis


# --- standstill and contract start ----------------------------------------------------------
def test_pcr_standstill_over_christmas_then_the_contract_the_day_after():
    # Notices sent Thu 14 Dec 2023 + 10 days = Sun 24 Dec; Christmas, Boxing Day: Wed 27 Dec.
    d = Dates(regime="PCR2015-OPEN", award_notice=date(2023, 12, 14),
              contract_start=date(2023, 12, 27))
    stand, start = check_timeline(d)
    assert (stand.kind, stand.date, stand.earliest, stand.holds) == (
        "standstill_end", date(2023, 12, 27), date(2023, 12, 27), True)
    assert stand.basis.startswith("PCR 2015 reg. 87(2)")
    assert (start.kind, start.earliest, start.holds) == ("contract_start", date(2023, 12, 28),
                                                         False)
    assert start.basis.startswith("PCR 2015 reg. 87(1)")


def test_act_standstill_eight_working_days_over_easter():
    # Award notice Thu 17 Apr 2025 is day 1; Good Friday and Easter Monday do not count:
    # 22, 23, 24, 25, 28, 29, 30 April are days 2 to 8. The contract may start 1 May.
    d = Dates(regime="PA2023-OPEN", award_notice=date(2025, 4, 17),
              standstill_end=date(2025, 4, 29), contract_start=date(2025, 5, 1))
    stand, start = check_timeline(d)
    assert stand.date == date(2025, 4, 29) and stand.earliest == date(2025, 4, 30)
    assert stand.holds is False and stand.basis.startswith("PA 2023 s.51(2)")
    assert start.earliest == date(2025, 5, 1) and start.holds is True


def test_a_longer_recorded_standstill_delays_the_contract():
    d = Dates(regime="PA2023-OPEN", award_notice=date(2025, 4, 17),
              standstill_end=date(2025, 5, 9), contract_start=date(2025, 5, 1))
    _, start = check_timeline(d)
    assert start.earliest == date(2025, 5, 10) and start.holds is False


def test_contract_start_without_an_award_notice_cannot_be_counted():
    (start,) = check_timeline(Dates(regime="PCR2015-LTR", contract_start=date(2023, 10, 1)))
    assert start.earliest is None and start.holds is None
    assert "reg. 87(1)" in start.basis and "no date is recorded" in start.basis


def test_only_recorded_dates_are_listed_in_order():
    assert check_timeline(Dates(regime="PCR2015-OPEN", itt_published=date(2023, 2, 1))) == []
    d = Dates(regime="PCR2015-OPEN", itt_published=date(2023, 2, 1),
              tender_deadline=date(2023, 3, 8), award_notice=date(2023, 5, 2),
              contract_start=date(2023, 6, 1))
    assert [c.kind for c in check_timeline(d)] == list(timeline.CHECKED_KINDS)
    doc = timeline.timeline_json("R-1", "PCR2015-OPEN", check_timeline(d))
    assert list(doc) == ["reference", "regime", "dates"]
    assert all(list(entry) == ["kind", "date", "earliest", "basis", "holds"]
               for entry in doc["dates"])


def test_an_unknown_regime_is_refused():
    with pytest.raises(ValueError, match="regime"):
        check_timeline(Dates(regime="EU2014-OPEN", tender_deadline=date(2025, 1, 1)))


# --- the data -----------------------------------------------------------------------------
def test_the_standstill_rows_match_the_standstill_rule():
    assert minimum("PCR2015-LTR", "standstill", date(2024, 1, 1)).days == \
        standstill.PCR2015_CALENDAR_DAYS
    pa = minimum("PA2023-CFP", "standstill", date(2025, 6, 1))
    assert pa.days == standstill.PA2023_WORKING_DAYS and pa.day_kind == "working"


def test_every_regime_has_its_tendering_period_with_a_basis_and_a_source():
    for regime in ("PCR2015-LTR", "PCR2015-OPEN", "PCR2015-RESTRICTED", "PA2023-OPEN",
                   "PA2023-CFP"):
        on = date(2025, 6, 1)
        for period in ("tender_from_notice", "standstill", "contract_start"):
            row = minimum(regime, period, on)
            assert row.basis and urlparse(row.source).netloc == "www.legislation.gov.uk"
    for row in timeline.minimum_periods():
        assert row.basis.startswith(("PCR 2015", "PA 2023")), row


def test_a_period_the_regime_lacks_is_a_lookup_error():
    with pytest.raises(LookupError):
        minimum("PCR2015-LTR", "tender_after_pin", date(2024, 1, 1))


# --- UK time ------------------------------------------------------------------------------
def test_uk_wall_clock_to_utc_and_back():
    assert timeline.uk_to_utc(datetime(2025, 7, 1, 12, 0)) == datetime(2025, 7, 1, 11, 0)
    assert timeline.uk_to_utc(datetime(2025, 1, 6, 12, 0)) == datetime(2025, 1, 6, 12, 0)
    # 01:30 happens twice on 26 Oct 2025: first in BST (00:30 UTC), then in GMT (01:30 UTC)
    assert timeline.uk_to_utc(datetime(2025, 10, 26, 1, 30)) == datetime(2025, 10, 26, 0, 30)
    second = timeline.uk_to_utc(datetime(2025, 10, 26, 1, 30, fold=1))
    assert second == datetime(2025, 10, 26, 1, 30)
    back = timeline.uk_wall_clock(second)
    assert back == datetime(2025, 10, 26, 1, 30) and back.fold == 1
    assert timeline.is_ambiguous(back) and not timeline.is_ambiguous(datetime(2025, 7, 1, 1, 30))


def test_a_time_skipped_by_the_clocks_going_forward_is_refused():
    assert not timeline.uk_wall_clock_exists(datetime(2025, 3, 30, 1, 30))
    with pytest.raises(ValueError, match="does not exist in UK time"):
        timeline.uk_to_utc(datetime(2025, 3, 30, 1, 30))


def test_a_deadline_date_passes_at_the_end_of_its_uk_day():
    assert timeline.deadline_instant(date(2025, 7, 1)) == datetime(2025, 7, 1, 23, 0,
                                                                   tzinfo=timezone.utc)
    assert timeline.deadline_instant(uk(2025, 7, 1, 12, 0)) == \
        datetime(2025, 7, 1, 11, 0, tzinfo=timezone.utc)
    with pytest.raises(ValueError, match="time zone"):
        timeline.as_uk(datetime(2025, 7, 1, 12, 0))


@pytest.mark.parametrize("day, months, expected", [
    (date(2024, 2, 29), 12, date(2023, 2, 28)),
    (date(2023, 5, 31), 3, date(2023, 2, 28)),
    (date(2023, 1, 15), 1, date(2022, 12, 15)),
    (date(2025, 6, 2), 12, date(2024, 6, 2)),
])
def test_months_before(day, months, expected):
    assert timeline.months_before(day, months) == expected


def test_every_pcr_last_day_is_a_working_day():
    """Over two years of notice dates, a PCR 2015 period never ends on a weekend or holiday,
    and never earlier than the plain count; the Act's period is always the plain count."""
    rule = minimum("PCR2015-OPEN", "tender_from_notice_electronic", date(2024, 1, 1))
    act = minimum("PA2023-OPEN", "tender_from_notice_electronic", date(2025, 6, 1))
    day = date(2024, 1, 1)
    while day < date(2026, 1, 1):
        end = timeline.last_day(day, rule)
        assert standstill.is_working_day(end) and 0 <= (end - day).days - 30 <= 4
        assert timeline.last_day(day, act) == day + timedelta(days=25)
        day += timedelta(days=1)
