"""What every `oms` command shares: settings read once with one line per bad variable (exit 2), and its
coroutine run with the same refusal for settings a server refuses."""

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, NoReturn, TypeVar

import typer

from config.settings import ConfigurationError, Settings, load_settings

T = TypeVar("T")


def settings_or_exit(**overrides: Any) -> Settings:
    """The settings, or one line per bad variable on stderr and exit code 2 (no traceback)."""
    try:
        return load_settings(**{key: value for key, value in overrides.items() if value is not None})
    except ConfigurationError as error:
        refuse(error)


def refuse(error: ConfigurationError) -> NoReturn:
    for line in error.lines():
        typer.echo(line, err=True)
    raise typer.Exit(2)


def event_loop() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop's event loop where it is installed (a dependency, but on Windows), else asyncio's own: the
    worker and the API spend much of their time in the event loop (each task, each database round trip),
    which uvloop runs in C (docs/performance.md)."""
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


def run_command(main: Coroutine[Any, Any, T]) -> T:
    """Run the command's coroutine; settings a server refuses for good end it like a bad variable."""
    try:
        with asyncio.Runner(loop_factory=event_loop()) as runner:
            return runner.run(main)
    except ConfigurationError as error:
        refuse(error)
