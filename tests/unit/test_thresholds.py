from datetime import date
from decimal import Decimal

import pytest

from procurement.formatting import money
from procurement.thresholds import (
    DATA,
    assess,
    contract_type_for,
    contract_types,
    required_notices,
    threshold_for,
    whole_term_value,
)


def test_data_is_in_the_project():
    assert DATA.is_file() and "/work/shared" not in str(DATA.resolve())


def test_threshold_for_picks_latest_in_force():
    t = threshold_for("sub-central goods and services", date(2023, 6, 1))
    assert (t.amount, t.effective_from, t.source) == (Decimal("213477"), date(2022, 1, 1), "PPN 10/21")
    assert threshold_for("sub-central goods and services", date(2023, 12, 31)).amount == Decimal("213477")
    assert threshold_for("sub-central goods and services", date(2024, 1, 1)).amount == Decimal("214904")
    assert threshold_for("works", date(2026, 1, 1)).amount == Decimal("5193000")
    assert threshold_for("central goods and services", date(2030, 1, 1)).amount == Decimal("135018")


def test_same_source_is_resolved():
    t = threshold_for("works", date(2026, 6, 1))
    assert t.source.startswith("Procurement Act 2023 (Threshold Amounts)")


def test_threshold_for_case_insensitive_and_errors():
    assert threshold_for(" Light-Touch Services ", date(2023, 1, 1)).amount == Decimal("663540")
    with pytest.raises(ValueError, match="No works threshold is recorded before 2022-01-01"):
        threshold_for("works", date(2021, 12, 31))
    with pytest.raises(ValueError, match="No utilities goods and services threshold"):
        threshold_for("utilities goods and services", date(2025, 12, 31))
    with pytest.raises(ValueError, match="Unknown contract type"):
        threshold_for("spaceships", date(2024, 1, 1))
    assert "works" in contract_types()


def test_contract_type_for():
    assert contract_type_for("PCR2015-LTR") == "light-touch services"
    assert contract_type_for("PCR2015-LTR", "central") == "light-touch services"
    assert contract_type_for("PCR2015-OPEN") == "sub-central goods and services"
    assert contract_type_for("PA2023-OPEN") == "sub-central goods and services"
    assert contract_type_for("PCR2015-RESTRICTED", "central") == "central goods and services"
    assert contract_type_for("PA2023-CFP", "utilities") == "utilities goods and services"
    with pytest.raises(ValueError, match="buyer kind"):
        contract_type_for("PA2023-OPEN", "parish")
    with pytest.raises(ValueError, match="Unknown procurement regime"):
        contract_type_for("EU-OPEN")


def test_whole_term_value():
    assert whole_term_value(Decimal("3375221"), 3, [1, 1]) == Decimal("16876105")
    assert whole_term_value(Decimal("100.50"), 2, []) == Decimal("201.00")
    with pytest.raises(ValueError):
        whole_term_value(Decimal("1"), 0, [])
    with pytest.raises(ValueError):
        whole_term_value(Decimal("1"), 1, [-1])


def test_reference_tender_is_above_light_touch():
    a = assess("PCR2015-LTR", Decimal("3375221"), 3, [1, 1], date(2023, 1, 16))
    assert a.whole_term_value == Decimal("16876105")
    assert money(a.whole_term_value) == "£16,876,105"
    assert a.threshold.amount == Decimal("663540") and a.threshold.contract_type == "light-touch services"
    assert a.above
    assert a.required_notices == ["Prior information notice", "Contract notice", "Contract award notice"]


def test_pcr_open_above_and_below():
    a = assess("PCR2015-OPEN", Decimal("50000"), 3, [1, 1], date(2024, 6, 1))
    assert (a.whole_term_value, a.above) == (Decimal("250000"), True)
    assert a.required_notices == ["Contract notice", "Contract award notice"]
    b = assess("PCR2015-OPEN", Decimal("40000"), 3, [1, 1], date(2024, 6, 1))
    assert (b.whole_term_value, b.above, b.required_notices) == (Decimal("200000"), False, [])


def test_exactly_at_threshold_counts_as_above():
    a = assess("PA2023-OPEN", Decimal("207720"), 1, [], date(2026, 2, 1))
    assert a.above
    b = assess("PA2023-OPEN", Decimal("207719.99"), 1, [], date(2026, 2, 1))
    assert not b.above


def test_pa2023_notices_and_override():
    a = assess("PA2023-OPEN", Decimal("1000000"), 2, [], date(2026, 3, 1), contract_type="works")
    assert a.threshold.amount == Decimal("5193000") and not a.above and a.required_notices == []
    b = assess("PA2023-CFP", Decimal("1000000"), 2, [], date(2026, 3, 1))
    assert b.above
    assert b.required_notices == ["Tender notice", "Contract award notice", "Contract details notice"]


def test_required_notices_unknown_regime():
    with pytest.raises(ValueError):
        required_notices("XYZ", True)
