"""Settings from the environment."""

from __future__ import annotations

import pytest

from fedi.config import Settings


def test_embedded_defaults(tmp_path):
    s = Settings.from_env({"INSTANCE_DIR": str(tmp_path)})
    assert f"sqlite:///{tmp_path / 'wren.db'}" == s.DATABASE_URL
    assert s.embedded and s.is_sqlite
    assert s.LOCAL_DOMAIN == "127.0.0.1:5000"
    assert s.LOCAL_HTTPS is False  # no LOCAL_DOMAIN: a development instance on http
    assert s.base_url == "http://127.0.0.1:5000"
    assert s.REGISTRATIONS_MODE == "open" and s.ALLOWED_PRIVATE_ADDRESSES == []
    # The generated secret key is kept and reused.
    assert (tmp_path / "secret_key").read_text() == s.SECRET_KEY
    assert Settings.from_env({"INSTANCE_DIR": str(tmp_path)}).SECRET_KEY == s.SECRET_KEY


def test_production_settings(tmp_path):
    s = Settings.from_env(
        {
            "INSTANCE_DIR": str(tmp_path),
            "LOCAL_DOMAIN": "social.example",
            "DATABASE_URL": "postgresql+psycopg://wren:hunter2@db/wren",
            "REDIS_URL": "redis://redis:6379/0",
            "SECRET_KEY": "s3cret",
            "REGISTRATIONS_MODE": "Approved",
            "ALLOWED_PRIVATE_ADDRESSES": "10.0.0.0/8, 192.168.1.0/24",
            "PORT": "8080",
        }
    )
    assert s.LOCAL_HTTPS and s.base_url == "https://social.example"
    assert not s.embedded and s.PORT == 8080
    assert s.REGISTRATIONS_MODE == "approved"
    assert s.ALLOWED_PRIVATE_ADDRESSES == ["10.0.0.0/8", "192.168.1.0/24"]
    masked = s.masked()
    assert masked["SECRET_KEY"] == "********"
    assert masked["DATABASE_URL"] == "postgresql+psycopg://wren:********@db/wren"
    assert not (tmp_path / "secret_key").exists()


def test_local_https_can_be_turned_off(tmp_path):
    s = Settings.from_env(
        {"INSTANCE_DIR": str(tmp_path), "LOCAL_DOMAIN": "127.0.0.2:5001", "LOCAL_HTTPS": "false"}
    )
    assert s.base_url == "http://127.0.0.2:5001"


def test_bad_registrations_mode(tmp_path):
    with pytest.raises(ValueError, match="REGISTRATIONS_MODE"):
        Settings.from_env({"INSTANCE_DIR": str(tmp_path), "REGISTRATIONS_MODE": "sometimes"})
