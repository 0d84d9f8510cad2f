"""An audit record's change in words (audit/describe.py)."""
from audit.describe import changes, summary, value_words


def test_a_changed_field_reads_old_to_new():
    assert changes({"state": "draft", "title": "A"}, {"state": "sent", "title": "A"}) == [
        "state: draft → sent"]


def test_a_new_record_names_its_values_and_a_removed_one_says_removed():
    assert changes(None, {"value": "ocds-abc", "effective_from": "2024-05-01"}) == [
        "value: ocds-abc", "effective from: 2024-05-01"]
    assert changes({"member": "Ann"}, None) == ["member: Ann → removed"]


def test_values_in_words():
    assert value_words(None) == "none" and value_words(True) == "yes"
    assert value_words(False) == "no" and value_words(3.5) == "3.5"
    assert value_words({"b": 1, "a": [1, 2]}) == '{"a": [1, 2], "b": 1}'
    long = value_words("x" * 500)
    assert len(long) == 60 and long.endswith("…")


def test_the_line_names_four_fields_and_counts_the_rest():
    before = {f"f{i}": i for i in range(7)}
    after = {f"f{i}": i + 1 for i in range(7)}
    line = summary(before, after)
    assert line.startswith("f0: 0 → 1; f1: 1 → 2") and line.endswith("; and 3 more")


def test_nothing_changed_says_so():
    assert summary({"a": 1}, {"a": 1}) == "no field changed"
    assert summary(None, None) == "no details"
    assert summary(None, "plain") == "value: plain"
