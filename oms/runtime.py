"""What every `oms` command shares: settings read once with one line per bad variable (exit 2), and its
coroutine run with the same refusal for settings a server refuses."""

import asyncio
from collections.abc import Coroutine
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


def run_command(main: Coroutine[Any, Any, T]) -> T:
    """Run the command's coroutine; settings a server refuses for good end it like a bad variable."""
    try:
        return asyncio.run(main)
    except ConfigurationError as error:
        refuse(error)
