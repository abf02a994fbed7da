"""Request dependencies: the settings, the Temporal client, database connections, and what the use
cases need from them.

Routes that wait on a workflow take the engine and hold no connection while they wait: a pool
held by waiting requests would starve everything else under a burst of orders. Every dependency is
`async def`, however trivial: FastAPI runs a plain `def` in its thread pool, and the hand-over to a
thread and back cost more CPU than the request's own work (docs/performance.md)."""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from temporalio.client import Client

from adapters.customer_keys import CustomerKeyStore
from config.settings import Settings
from services.customers import KeyShredder
from services.orders import OrderDesk
from services.signals import OrderSignals


async def _settings(request: Request) -> Settings:
    return request.app.state.settings


async def _client(request: Request) -> Client:
    return request.app.state.temporal


async def _engine(request: Request) -> AsyncEngine:
    return request.app.state.engine


async def _connection(engine: Annotated[AsyncEngine, Depends(_engine)]) -> AsyncIterator[AsyncConnection]:
    async with engine.begin() as conn:
        yield conn


SettingsDep = Annotated[Settings, Depends(_settings)]
EngineDep = Annotated[AsyncEngine, Depends(_engine)]
ClientDep = Annotated[Client, Depends(_client)]
ConnectionDep = Annotated[AsyncConnection, Depends(_connection)]


async def _desk(client: ClientDep, engine: EngineDep, settings: SettingsDep) -> OrderDesk:
    return OrderDesk(client=client, engine=engine, wait=settings.update_wait)


async def _signals(client: ClientDep) -> OrderSignals:
    return OrderSignals(client)


async def _customer_keys(client: ClientDep, engine: EngineDep) -> KeyShredder:
    """The codec's own key store (its cache forgets the key at once), or one on the engine."""
    codec = client.data_converter.payload_codec
    keys: KeyShredder | None = getattr(codec, "customer_keys", None)
    return keys or CustomerKeyStore(engine)


DeskDep = Annotated[OrderDesk, Depends(_desk)]
SignalsDep = Annotated[OrderSignals, Depends(_signals)]
CustomerKeysDep = Annotated[KeyShredder, Depends(_customer_keys)]
