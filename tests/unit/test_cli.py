"""The `oms` entry point: what the start-up banner suggests, and key files private from their first byte."""

import json
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from config.settings import Settings
from domain.access import Grant, Role
from oms import cli, local_setup

ROOT = Path(__file__).parent.parent.parent


def test_the_banner_suggests_the_demo_key_only_when_demo_keys_are_on() -> None:
    demo = local_setup.banner(Settings(demo_keys=True), "postgresql://db")
    assert "X-API-Key: demo-ops" in demo
    own = local_setup.banner(
        Settings(demo_keys=False, api_keys={"k": Grant(role=Role.OPS)}), "postgresql://db"
    )
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
    secret = local_setup.tracking_secret(data)
    assert len(secret) >= 32 and mode(data / "tracking_secret") == 0o600
    assert mode(data) == 0o700
    assert local_setup.tracking_secret(data) == secret  # kept across restarts


def test_the_payload_key_file_is_private_from_the_start(tmp_path: Path, no_chmod: None) -> None:
    keys = local_setup.payload_keys(tmp_path)
    path = tmp_path / "payload_keys.json"
    assert mode(path) == 0o600 and json.loads(path.read_text()) == keys
    assert keys["active"] in keys["keys"]
    assert local_setup.payload_keys(tmp_path) == keys


def test_a_planted_link_is_not_followed(tmp_path: Path, no_chmod: None) -> None:
    target = tmp_path / "elsewhere"
    (tmp_path / "tracking_secret").symlink_to(target)
    with pytest.raises(FileExistsError):
        local_setup.tracking_secret(tmp_path)
    assert not target.exists()


def oms(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """`python -m oms ...` with only `env` for settings (no OMS_ variable or .env file of this machine)."""
    clean = {name: value for name, value in os.environ.items() if not name.upper().startswith("OMS_")}
    clean.pop("DATABASE_URL", None)
    clean["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, "-m", "oms", *args],
        env={**clean, **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("variable", "value", "reason"),
    [
        ("OMS_INTAKE_WAIT", "soon", "valid timedelta"),
        ("OMS_API_KEYS", "{not json", "not valid JSON"),
        ("OMS_QUIET_HOURS_START", "25:00", "valid time"),
        ("DATABASE_URL", "mysql://oms@db/oms", "not a PostgreSQL URL"),
    ],
)
def test_a_bad_setting_is_named_in_one_line_and_the_process_exits_2(
    tmp_path: Path, variable: str, value: str, reason: str
) -> None:
    for command in ("check-config", "worker"):
        done = oms(command, env={variable: value}, cwd=tmp_path)
        assert done.returncode == 2, done.stderr
        [line] = done.stderr.strip().splitlines()
        assert line.startswith(f"configuration error: {variable}: ") and reason in line


def test_a_secret_in_a_bad_setting_is_not_echoed(tmp_path: Path) -> None:
    done = oms("check-config", env={"OMS_PAYLOAD_KEYS": '{"k1": 42}'}, cwd=tmp_path)
    assert done.returncode == 2 and "OMS_PAYLOAD_KEYS" in done.stderr and "42" not in done.stderr


def test_an_empty_quiet_hours_start_means_none(tmp_path: Path) -> None:
    done = oms(
        "check-config", env={"OMS_QUIET_HOURS_START": "", "OMS_EXPIRY_WARNING_BEFORE": ""}, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("configuration ok")


def test_the_example_production_env_file_is_valid(tmp_path: Path) -> None:
    """Every value documented in deploy/oms.env.example is read at start-up without error."""
    example = ROOT / "deploy" / "oms.env.example"
    (tmp_path / ".env").write_text(example.read_text())
    done = oms("check-config", env={}, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "signed" in done.stdout and "payload key(s)" in done.stdout
    assert "workers versioned as oms:replace-with-the-image-tag" in done.stdout


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
