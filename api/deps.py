"""Request dependencies: the settings, the Temporal client and database connections."""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from temporalio.client import Client

from oms.settings import Settings


def _settings(request: Request) -> Settings:
    return request.app.state.settings


def _client(request: Request) -> Client:
    return request.app.state.temporal


def _engine(request: Request) -> AsyncEngine:
    return request.app.state.engine


async def _connection(engine: Annotated[AsyncEngine, Depends(_engine)]) -> AsyncIterator[AsyncConnection]:
    # Not engine.begin(): routes commit before waiting on a workflow, then go on reading.
    async with engine.connect() as conn:
        yield conn
        await conn.commit()


SettingsDep = Annotated[Settings, Depends(_settings)]
ClientDep = Annotated[Client, Depends(_client)]
ConnectionDep = Annotated[AsyncConnection, Depends(_connection)]
