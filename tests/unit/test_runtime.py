"""How `oms` commands run their coroutine: on uvloop (a dependency off Windows), asyncio's loop without."""

import asyncio
import sys

import pytest
import typer

from config.settings import ConfigurationError
from oms import runtime


async def _loop_module() -> str:
    return type(asyncio.get_running_loop()).__module__


@pytest.mark.skipif(sys.platform == "win32", reason="uvloop does not run on Windows")
def test_commands_run_on_uvloop() -> None:
    assert runtime.run_command(_loop_module()).startswith("uvloop")


def test_without_uvloop_commands_run_on_asyncios_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runtime, "event_loop", lambda: None)
    assert runtime.run_command(_loop_module()).startswith("asyncio")


def test_a_setting_a_server_refuses_ends_the_command_with_exit_code_2() -> None:
    async def refused() -> None:
        raise ConfigurationError([("OMS_DATABASE_URL", "the server refused it")])

    with pytest.raises(typer.Exit) as ended:
        runtime.run_command(refused())
    assert ended.value.exit_code == 2
