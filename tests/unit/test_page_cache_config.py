"""Where the public pages' rendered copies are kept (config.page_cache): each worker's own,
bounded, by default; one Redis for every worker and machine with CACHE_REDIS_URL."""
import pytest

import config


def test_by_default_each_worker_keeps_a_bounded_copy(monkeypatch):
    monkeypatch.delenv("CACHE_REDIS_URL", raising=False)
    monkeypatch.delenv("TENDER_PAGE_CACHE_ENTRIES", raising=False)
    settings = config.page_cache()
    assert settings["CACHE_TYPE"] == "SimpleCache" and settings["CACHE_THRESHOLD"] == 500
    assert "CACHE_REDIS_URL" not in settings
    assert settings["CACHE_DEFAULT_TIMEOUT"] == 120  # the ETag's minute, and one more


def test_redis_through_the_setting(monkeypatch, tmp_path):
    monkeypatch.setenv("CACHE_REDIS_URL", "redis://cache.internal:6379/3")
    monkeypatch.setenv("CACHE_KEY_PREFIX", "staging:page:")
    cfg = config.build(str(tmp_path))
    assert cfg["CACHE_TYPE"] == "RedisCache"
    assert cfg["CACHE_REDIS_URL"] == "redis://cache.internal:6379/3"
    assert cfg["CACHE_KEY_PREFIX"] == "staging:page:"


@pytest.mark.parametrize("given", ["0", "many", "-5"])
def test_the_bound_is_a_whole_number_of_pages(monkeypatch, given):
    monkeypatch.setenv("TENDER_PAGE_CACHE_ENTRIES", given)
    with pytest.raises(RuntimeError, match="TENDER_PAGE_CACHE_ENTRIES"):
        config.page_cache()


def test_the_bound_from_the_environment(monkeypatch):
    monkeypatch.setenv("TENDER_PAGE_CACHE_ENTRIES", "40")
    assert config.page_cache()["CACHE_THRESHOLD"] == 40
