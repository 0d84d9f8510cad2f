"""Configuration from the environment: database URL mapping and the secret key."""
import pytest

import config


def test_default_database_is_sqlite_in_the_instance_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert config.database_url(str(tmp_path)) == f"sqlite:///{tmp_path}/tender.db"


@pytest.mark.parametrize("given", ["postgresql://app@db/tender", "postgres://app@db/tender"])
def test_postgres_urls_use_psycopg_3(monkeypatch, given):
    monkeypatch.setenv("DATABASE_URL", given)
    assert config.database_url("/x") == "postgresql+psycopg://app@db/tender"


def test_other_urls_are_kept(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://a@b/c")
    assert config.database_url("/x") == "postgresql+psycopg://a@b/c"


def test_development_secret_key_is_generated_once_and_kept(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = config.secret_key(str(tmp_path), production=False)
    assert len(first) == 64 and config.secret_key(str(tmp_path), production=False) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_production_refuses_to_start_without_a_secret_key(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY must be set"):
        config.secret_key(str(tmp_path), production=True)
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    assert config.secret_key(str(tmp_path), production=True) == "from-the-environment"


def test_production_cookies_are_secure(monkeypatch, tmp_path):
    monkeypatch.setenv("TENDER_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "k")
    cfg = config.build(str(tmp_path))
    assert cfg["SESSION_COOKIE_SECURE"] and cfg["SESSION_COOKIE_HTTPONLY"]
