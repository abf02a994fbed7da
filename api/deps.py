"""Request dependencies: the settings, the Temporal client and database connections.

Routes that wait on a workflow take the engine and hold no connection while they wait: a pool
held by waiting requests would starve everything else under a burst of orders."""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from temporalio.client import Client

from config.settings import Settings


def _settings(request: Request) -> Settings:
    return request.app.state.settings


def _client(request: Request) -> Client:
    return request.app.state.temporal


def _engine(request: Request) -> AsyncEngine:
    return request.app.state.engine


async def _connection(engine: Annotated[AsyncEngine, Depends(_engine)]) -> AsyncIterator[AsyncConnection]:
    async with engine.begin() as conn:
        yield conn


SettingsDep = Annotated[Settings, Depends(_settings)]
EngineDep = Annotated[AsyncEngine, Depends(_engine)]
ClientDep = Annotated[Client, Depends(_client)]
ConnectionDep = Annotated[AsyncConnection, Depends(_connection)]
