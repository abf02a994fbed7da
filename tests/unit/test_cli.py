"""The `oms` entry point: what the start-up banner suggests, and key files private from their first byte."""

import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from config.settings import Settings
from domain.access import Grant, Role
from oms import cli


def test_the_banner_suggests_the_demo_key_only_when_demo_keys_are_on() -> None:
    demo = cli._banner(Settings(demo_keys=True), "postgresql://db")
    assert "X-API-Key: demo-ops" in demo
    own = cli._banner(Settings(demo_keys=False, api_keys={"k": Grant(role=Role.OPS)}), "postgresql://db")
    assert "demo-ops" not in own
    assert "X-API-Key: <an ops key from OMS_API_KEYS>" in own


@pytest.fixture
def no_chmod(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A file must be private as created: a chmod afterwards leaves a moment when others can read it."""

    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("written first, made private after")

    monkeypatch.setattr(os, "chmod", refuse)
    monkeypatch.setattr(Path, "chmod", refuse)
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_tracking_secret_is_private_from_the_start(tmp_path: Path, no_chmod: None) -> None:
    data = tmp_path / "data"
    secret = cli._tracking_secret(data)
    assert len(secret) >= 32 and mode(data / "tracking_secret") == 0o600
    assert mode(data) == 0o700
    assert cli._tracking_secret(data) == secret  # kept across restarts


def test_the_payload_key_file_is_private_from_the_start(tmp_path: Path, no_chmod: None) -> None:
    keys = cli._payload_keys(tmp_path)
    path = tmp_path / "payload_keys.json"
    assert mode(path) == 0o600 and json.loads(path.read_text()) == keys
    assert keys["active"] in keys["keys"]
    assert cli._payload_keys(tmp_path) == keys


def test_a_planted_link_is_not_followed(tmp_path: Path, no_chmod: None) -> None:
    target = tmp_path / "elsewhere"
    (tmp_path / "tracking_secret").symlink_to(target)
    with pytest.raises(FileExistsError):
        cli._tracking_secret(tmp_path)
    assert not target.exists()


def test_the_access_log_shows_no_tracking_token_once_uvicorn_configured_its_loggers() -> None:
    import logging

    import uvicorn

    cli._logging()
    uvicorn.Config("api.app:create_app", log_level="info")  # uvicorn's dictConfig, as `oms api` runs it
    seen: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record.getMessage())

    access = logging.getLogger("uvicorn.access")
    access.addHandler(keep := Keep())
    try:
        access.info(
            '%s - "%s %s HTTP/%s" %d', "1.2.3.4:5", "GET", "/v1/track/order-w-1/Zx9_tokEN", "1.1", 200
        )
        access.info('%s - "%s %s HTTP/%s" %d', "1.2.3.4:5", "GET", "/track/Zx9_tokEN?x=1", "1.1", 200)
        access.info('%s - "%s %s HTTP/%s" %d', "1.2.3.4:5", "GET", "/v1/dead-letters/123456", "1.1", 200)
    finally:
        access.removeHandler(keep)
    assert seen == [
        '1.2.3.4:5 - "GET /v1/track/*** HTTP/1.1" 200',
        '1.2.3.4:5 - "GET /track/***?x=1 HTTP/1.1" 200',
        '1.2.3.4:5 - "GET /v1/dead-letters/123456 HTTP/1.1" 200',
    ]
