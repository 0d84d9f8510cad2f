"""OCDS: the merge patch that applies extensions, and releases drawn from a notice's content,
validated offline against the copied 1.1.5 schemas."""
import copy

import pytest

from publication import ocds
from publication.ocds_schema import merge, release_schema, validate_package

CONTENT = {
    "schema": 1, "notice_id": 7, "kind": "UK4", "kind_name": "Tender notice", "stage": "tender",
    "opens_competition": True, "call_for_competition": False, "notice_type": "UK4",
    "regime": "PA2023-OPEN", "regime_name": "Procurement Act 2023, open procedure",
    "family": "PA2023",
    "legal_basis": {"scheme": "UKPGA", "id": "2023/54", "description": "Procurement Act 2023"},
    "light_touch": False, "reference": "PA-1", "title": "Outreach", "description": "Two lots.",
    "buyer": {"id": 3, "name": "Test Office"}, "cpv_codes": ["85312000-9"], "region": "",
    "relates_to": [], "term": {"initial_years": 3, "extension_years": [1], "years": 4},
    "value": {"annual": "100.00", "whole_term": "400.00", "currency": "GBP"},
    "threshold": {"above": False, "amount": "663540.00", "source": "x", "whole_term_value": "400.00"},
    "lots": [{"code": "A", "title": "Lot A", "annual_value": "100.00", "whole_term_value": "400.00",
              "criteria": [{"code": "Q1", "title": "Quality", "section": "Quality",
                            "weight": "60", "kind": "scored"},
                           {"code": "P1", "title": "Price", "section": "Price", "weight": "40",
                            "kind": "price"}]}],
    "dates": {"tender_deadline": {"at": "2031-06-10T12:00:00+01:00", "has_time": True,
                                  "date": "2031-06-10"}},
    "min_delphi": 50, "supersedes": None, "documents": [], "awards": [], "standstill": None,
    "assessment_summaries_sent": None, "contract": None, "published_at": "2031-05-01T09:00:00Z",
}


def one(content=CONTENT, **kw) -> dict:
    r = ocds.release(ocds.ReleaseInput(ocid="ocds-test00-PA-1", release_id="ocds-test00-PA-1-7",
                                       notice_id=7, published_at="2031-05-01T09:00:00Z",
                                       content=content, base_url="https://t.example", **kw))
    return ocds.package([r], "https://t.example/p.json", "Test Office", r["date"])


def test_merge_is_rfc_7386():
    assert merge({"a": "b"}, {"a": "c"}) == {"a": "c"}
    assert merge({"a": "b"}, {"b": "c"}) == {"a": "b", "b": "c"}
    assert merge({"a": "b"}, {"a": None}) == {}
    assert merge({"a": ["b"]}, {"a": "c"}) == {"a": "c"}
    assert merge({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}) == {"a": {"b": "d"}}
    assert merge(["a"], {"a": "b"}) == {"a": "b"}
    original = {"a": {"b": 1}}
    merge(original, {"a": {"c": 2}})
    assert original == {"a": {"b": 1}}


def test_extensions_patch_the_release_schema():
    plain = release_schema()
    patched = release_schema((ocds.EXTENSION_URLS["lots"],))
    assert "lots" not in plain["definitions"]["Tender"]["properties"]
    assert "lots" in patched["definitions"]["Tender"]["properties"]
    with pytest.raises(ValueError):
        release_schema(("https://example.org/unknown/extension.json",))


def test_a_tender_release_maps_like_find_a_tender_and_validates():
    package = one(enquiries=[{"id": "clarification-1", "description": "Q?", "answer": "A.",
                              "date": "2031-05-02T09:00:00Z",
                              "dateAnswered": "2031-05-03T09:00:00Z"}])
    assert validate_package(package) == []
    r = package["releases"][0]
    t = r["tender"]
    assert r["tag"] == ["tender"] and t["status"] == "active"
    assert t["documents"][0]["noticeType"] == "UK4"
    assert t["legalBasis"] == {"scheme": "UKPGA", "id": "2023/54",
                               "description": "Procurement Act 2023"}
    assert t["aboveThreshold"] is False and t["tenderPeriod"]["endDate"] == "2031-06-10T12:00:00+01:00"
    assert t["lots"][0]["value"] == {"amount": 400.0, "currency": "GBP"}
    assert [n["numbers"][0]["number"] for n in t["lots"][0]["awardCriteria"]["criteria"]] == [60, 40]
    assert "author" not in t["enquiries"][0]
    assert set(package["extensions"]) >= {ocds.EXTENSION_URLS[k] for k in
                                         ("lots", "awardCriteria", "enquiries", "uk")}


def test_the_validator_finds_what_is_wrong():
    package = one()
    broken = copy.deepcopy(package)
    del broken["releases"][0]["ocid"]
    broken["releases"][0]["tender"]["tenderPeriod"]["endDate"] = "2031-06-10 12:00"
    errors = validate_package(broken)
    assert any("'ocid' is a required property" in e for e in errors)
    assert any("tenderPeriod/endDate" in e for e in errors)
    undeclared = copy.deepcopy(package)
    undeclared["extensions"] = []
    undeclared["releases"][0]["tender"]["lots"][0]["awardCriteria"] = "not an object"
    assert validate_package(undeclared) == []  # without the extension, lots are just extra data
    declared = copy.deepcopy(undeclared)
    declared["extensions"] = [ocds.EXTENSION_URLS["lots"], ocds.EXTENSION_URLS["awardCriteria"]]
    assert any("awardCriteria" in e for e in validate_package(declared))


def test_a_correction_is_tagged_as_an_amendment():
    content = {**CONTENT, "supersedes": {"id": 3, "kind": "UK4",
                                         "published_at": "2031-04-01T09:00:00Z"}}
    r = one(content)["releases"][0]
    assert r["tag"] == ["tenderAmendment"] and "supersedes notice 3" in \
        r["tender"]["documents"][0]["description"]
