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
    monkeypatch.setenv("AUDIT_HMAC_KEY", "a" * 32)
    monkeypatch.setenv("AUDIT_ANCHOR_PATH", str(tmp_path / "shared" / "audit-anchor.log"))
    cfg = config.build(str(tmp_path))
    assert cfg["SESSION_COOKIE_SECURE"] and cfg["SESSION_COOKIE_HTTPONLY"]


# ---- the audit chain's key and anchor (docs/audit.md) -------------------------------------

def test_development_audit_key_is_generated_once_and_kept(monkeypatch, tmp_path):
    monkeypatch.delenv("AUDIT_HMAC_KEY", raising=False)
    first = config.audit_hmac_key(str(tmp_path), production=False)
    assert len(first) == 64 and config.audit_hmac_key(str(tmp_path), production=False) == first
    assert (tmp_path / "audit_hmac_key").stat().st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["audit_hmac_key"]  # no draft left


def test_production_needs_an_audit_key_of_32_characters(monkeypatch, tmp_path):
    monkeypatch.delenv("AUDIT_HMAC_KEY", raising=False)
    with pytest.raises(RuntimeError, match="AUDIT_HMAC_KEY must be set"):
        config.audit_hmac_key(str(tmp_path), production=True)
    assert not (tmp_path / "audit_hmac_key").exists()  # never generated in production
    monkeypatch.setenv("AUDIT_HMAC_KEY", "short")
    with pytest.raises(RuntimeError, match="at least 32"):
        config.audit_hmac_key(str(tmp_path), production=True)
    monkeypatch.setenv("AUDIT_HMAC_KEY", "k" * 40)
    assert config.audit_hmac_key(str(tmp_path), production=True) == "k" * 40


def test_production_needs_an_anchor_path(monkeypatch, tmp_path):
    monkeypatch.delenv("AUDIT_ANCHOR_PATH", raising=False)
    with pytest.raises(RuntimeError, match="AUDIT_ANCHOR_PATH must be set"):
        config.audit_anchor_path(str(tmp_path), "postgresql+psycopg://a@b/c", production=True)
    monkeypatch.setenv("AUDIT_ANCHOR_PATH", "/mnt/audit/tender.log")
    assert config.audit_anchor_path(str(tmp_path), "x", production=True) == "/mnt/audit/tender.log"


def test_the_default_anchor_is_one_file_per_database_without_its_password(monkeypatch, tmp_path):
    monkeypatch.delenv("AUDIT_ANCHOR_PATH", raising=False)
    a = config.audit_anchor_path(str(tmp_path), f"sqlite:///{tmp_path}/a.db", production=False)
    b = config.audit_anchor_path(str(tmp_path), f"sqlite:///{tmp_path}/b.db", production=False)
    assert a != b and a.startswith(str(tmp_path)) and a.endswith(".log")
    one = config.audit_anchor_path(str(tmp_path), "postgresql+psycopg://u:pw-x1@h/db", False)
    two = config.audit_anchor_path(str(tmp_path), "postgresql+psycopg://u:pw-y2@h/db", False)
    assert one == two and "pw-x1" not in one  # a changed password is the same database
    cfg = config.build(str(tmp_path), {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/b.db"})
    assert cfg["AUDIT_ANCHOR_PATH"] == b  # follows the database the app really uses
