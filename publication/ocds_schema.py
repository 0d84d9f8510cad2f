"""Validating OCDS release packages offline, against the copied 1.1.5 schemas.

The release package schema checks the package; each release is checked against the release
schema patched (RFC 7386 JSON Merge Patch, `merge`) with the extensions the package declares
in `extensions`, found by the repository named in each official extension URL. Date-times
must carry an offset. Used by the test suite; nothing here reaches the network.
"""
from __future__ import annotations

import copy
import datetime
import json
import re
import urllib.parse
from functools import lru_cache
from pathlib import Path

from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry, Resource

DATA = Path(__file__).with_name("data") / "ocds-1.1.5"
# the repository in an extension's official URL -> its folder here
FOLDERS = {
    "ocds_lots_extension": "lots", "ocds_bid_extension": "bids",
    "ocds_enquiry_extension": "enquiries", "ocds_awardcriteria_extension": "awardCriteria",
    "ocds_selectioncriteria_extension": "selectionCriteria",
    "ocds_submissionterms_extension": "submissionTerms",
    "ocds_withheldinformation_extension": "withheldInformation",
    "ocds_uk_extension": "ocds_uk_extension",
}
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


def merge(target, patch):
    """RFC 7386: `patch` applied to `target` (neither is changed); null removes a member."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = merge(out.get(key), value)
    return out


@lru_cache(maxsize=None)
def _load(relative: str) -> dict:
    return json.loads((DATA / relative).read_text(encoding="utf-8"))


def folder(url: str) -> str | None:
    parts = urllib.parse.urlsplit(url) if isinstance(url, str) else None
    if not parts or parts.scheme not in ("http", "https") \
            or not parts.path.endswith("/extension.json"):
        return None
    return next((FOLDERS[s.lower()] for s in parts.path.split("/") if s.lower() in FOLDERS),
                None)


def release_schema(extensions: tuple[str, ...] = ()) -> dict:
    schema = _load("release-schema.json")
    for url in extensions:
        name = folder(url)
        if name is None:
            raise ValueError(f"{url!r} is not an extension known here")
        schema = merge(schema, _load(f"extensions/{name}/release-schema.json"))
    return schema


def _format_checker() -> FormatChecker:
    checker = FormatChecker(formats=())

    @checker.checks("date-time")
    def date_time(value):
        if not isinstance(value, str):
            return True
        if not RFC3339.match(value):
            return False
        datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
        return True

    return checker


def validate_package(package: dict) -> list[str]:
    """Every error in the package, as "path: message"; empty when it is valid."""
    errors = []
    base = _load("release-schema.json")
    registry = Registry().with_resource(base["id"], Resource.from_contents(base))
    package_validator = Draft4Validator(_load("release-package-schema.json"), registry=registry,
                                        format_checker=_format_checker())
    errors += [f"package/{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}"
               for e in package_validator.iter_errors(package)]
    urls = tuple(package.get("extensions") or []) if isinstance(package, dict) else ()
    try:
        schema = release_schema(urls)
    except ValueError as err:
        return errors + [f"extensions: {err}"]
    validator = Draft4Validator(schema, format_checker=_format_checker())
    for i, release in enumerate(package.get("releases") or []):
        errors += [f"releases/{i}/{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}"
                   for e in validator.iter_errors(release)]
    return errors
