"""The hardening settings from the environment: file limits and production (issue 10)."""
import pytest

import config
from interchange.workbook_limits import Limits, limits_from_config


def test_defaults_are_the_limits_defaults(monkeypatch, tmp_path):
    for name in ("TENDER_WORKBOOK_MAX_ROWS", "TENDER_WORKBOOK_MAX_MB", "TENDER_ENV"):
        monkeypatch.delenv(name, raising=False)
    cfg = config.build(str(tmp_path))
    assert limits_from_config(cfg) == Limits()
    assert cfg["DOCUSIGN_CONNECT_MAX_MB"] == 100 and cfg["PRODUCTION"] is False


def test_the_environment_sets_them(monkeypatch, tmp_path):
    monkeypatch.setenv("TENDER_WORKBOOK_MAX_ROWS", " 1000 ")
    monkeypatch.setenv("DOCUSIGN_CONNECT_MAX_MB", "5")
    cfg = config.build(str(tmp_path))
    assert limits_from_config(cfg).max_rows == 1000 and cfg["DOCUSIGN_CONNECT_MAX_MB"] == 5


@pytest.mark.parametrize("value,message", [("many", "must be a whole number"),
                                           ("1.5", "must be a whole number"),
                                           ("0", "must be at least 1"),
                                           ("-3", "must be at least 1")])
def test_a_bad_value_stops_the_app_starting_with_a_message(monkeypatch, tmp_path, value, message):
    monkeypatch.setenv("TENDER_WORKBOOK_MAX_CELLS", value)
    with pytest.raises(RuntimeError, match=f"TENDER_WORKBOOK_MAX_CELLS {message}"):
        config.build(str(tmp_path))


def test_production_is_known_to_the_headers(monkeypatch, tmp_path):
    monkeypatch.setenv("TENDER_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "k")
    monkeypatch.setenv("AUDIT_HMAC_KEY", "a" * 32)
    monkeypatch.setenv("AUDIT_ANCHOR_PATH", str(tmp_path / "audit-anchor.log"))
    assert config.build(str(tmp_path))["PRODUCTION"] is True
