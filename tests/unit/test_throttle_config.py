"""Where the sign-in throttle counts (RATELIMIT_STORAGE_URI) and its limits."""
import pytest

import config


def test_by_default_the_throttle_counts_in_the_database(monkeypatch, tmp_path):
    monkeypatch.delenv("RATELIMIT_STORAGE_URI", raising=False)
    cfg = config.build(str(tmp_path))
    assert cfg["RATELIMIT_STORAGE_URI"] == "tender-db://"
    assert cfg["SIGNIN_LIMIT_PER_ACCOUNT"] == "5 per 15 minutes"
    assert cfg["SIGNIN_LIMIT_PER_ADDRESS"] == "20 per 15 minutes"
    assert cfg["TRUSTED_PROXIES"] == 0


def test_redis_through_the_setting(monkeypatch, tmp_path):
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "redis://cache:6379/2")
    monkeypatch.setenv("TENDER_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "k")
    monkeypatch.setenv("AUDIT_HMAC_KEY", "k" * 32)
    monkeypatch.setenv("AUDIT_ANCHOR_PATH", str(tmp_path / "audit-anchor.log"))
    assert config.build(str(tmp_path))["RATELIMIT_STORAGE_URI"] == "redis://cache:6379/2"


def test_memory_only_when_asked_for_and_never_in_production(monkeypatch, tmp_path):
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "memory://")
    assert config.build(str(tmp_path))["RATELIMIT_STORAGE_URI"] == "memory://"
    monkeypatch.setenv("TENDER_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "k")
    with pytest.raises(RuntimeError, match="one process only"):
        config.build(str(tmp_path))


def test_limits_and_proxies_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("SIGNIN_LIMIT_PER_ACCOUNT", "3 per hour")
    monkeypatch.setenv("TENDER_TRUSTED_PROXIES", "1")
    cfg = config.build(str(tmp_path))
    assert cfg["SIGNIN_LIMIT_PER_ACCOUNT"] == "3 per hour" and cfg["TRUSTED_PROXIES"] == 1
