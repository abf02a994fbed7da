"""The FastAPI application, built by a factory from settings (nothing is created at import time)."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.client import Client

from adapters.db import create_engine
from adapters.startup import startup_frozen
from adapters.temporal import ANSWER_SOON, connect
from adapters.tracing import instrument_api, tracer_provider
from api import door, errors, metrics, web
from api.access import key_digest
from api.access_log import mask_tracking_tokens
from api.routes import (
    admin,
    availability,
    channels,
    codec,
    customers,
    dead_letters,
    health,
    holds,
    inventory,
    kpis,
    orders,
    returns,
    stores,
    subscriptions,
    support,
    tracking,
    webhooks,
)
from api.routes import metrics as metrics_routes
from config.settings import Settings, load_settings
from services.api_keys import KeyRing
from services.health import OutageWatch, database_check, temporal_check
from services.orders import OrderDesk, keep_settling_doubts

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider


def create_app(
    settings: Settings,
    *,
    client: Client | None = None,
    engine: AsyncEngine | None = None,
    tracing: "TracerProvider | None" = None,
) -> FastAPI:
    """The API; pass `client` and `engine` to share them (tests), or let the app open its own. It starts
    whatever the state of PostgreSQL and Temporal: until they answer, requests get a named 503. Traced
    with `OMS_TRACING` on (or with the `tracing` provider given)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own_engine = engine is None
        app.state.settings = settings
        app.state.engine = engine or api_engine(settings)
        app.state.temporal = client or await connect(
            settings, app.state.engine, lazy=True, retry_config=ANSWER_SOON
        )
        app.state.key_ring = KeyRing(app.state.engine)  # the keys ops created (services/api_keys.py)
        app.state.outages = OutageWatch(
            {
                "database": lambda: database_check(app.state.engine),
                "temporal": lambda: temporal_check(app.state.temporal),
            }
        )
        desk = OrderDesk(client=app.state.temporal, engine=app.state.engine, wait=settings.update_wait)
        doubts = asyncio.create_task(keep_settling_doubts(desk))
        try:
            with startup_frozen():
                yield
        finally:
            doubts.cancel()
            await app.state.outages.close()
            if own_engine:
                await app.state.engine.dispose()

    app = FastAPI(
        title="Click & collect OMS",
        version="0.1.0",
        description="Orders for pickup in store, each run as a durable Temporal workflow.",
        lifespan=lifespan,
    )
    errors.install(app)
    app.state.grants = {key_digest(key): grant for key, grant in settings.grants().items()}
    app.include_router(orders.router)
    app.include_router(stores.router)
    app.include_router(inventory.router)
    app.include_router(availability.router)
    app.include_router(holds.router)
    app.include_router(webhooks.router)
    app.include_router(support.router)
    app.include_router(tracking.router)
    app.include_router(channels.router)
    app.include_router(dead_letters.router)
    app.include_router(codec.router)
    app.include_router(codec.embedded_ui_router)
    app.include_router(customers.router)
    app.include_router(returns.router)
    app.include_router(health.router)
    app.include_router(metrics_routes.router)
    app.include_router(kpis.router)
    app.include_router(admin.router)
    app.include_router(subscriptions.router)
    web.install(app, settings)  # the store console's pages (docs/store-console.md)
    door.install(app)  # inside CORS: a refused request still carries CORS headers to the Temporal UI
    app.state.codec_origins = codec_origins(settings)
    app.add_middleware(door.CodecCors, origins=app.state.codec_origins)
    metrics.install(app)  # outermost: the door's refusals and CORS answers are counted too
    instrument_api(app, tracing or tracer_provider(settings))
    return app


def api_engine(settings: Settings) -> AsyncEngine:
    """The API's pool: a request waits seconds, not the default half-minute, for a connection."""
    return create_engine(
        settings.sqlalchemy_url(),
        connect_timeout=settings.database_connect_timeout.total_seconds(),
        pool_timeout=settings.database_pool_timeout.total_seconds(),
    )


def from_environment() -> FastAPI:
    """The API configured from the environment, for several processes on one port:
    `uvicorn --factory api.app:from_environment --workers 4` (docs/operations.md)."""
    mask_tracking_tokens()  # uvicorn configured this process's loggers before calling the factory
    return create_app(load_settings())


def codec_origins(settings: Settings) -> list[str]:
    """The browser origins of the Temporal UI: as configured, else the UI's own port on this host."""
    if "codec_cors_origins" in settings.model_fields_set:
        return settings.codec_cors_origins
    return [f"http://{host}:{settings.temporal_ui_port}" for host in ("127.0.0.1", "localhost")]
