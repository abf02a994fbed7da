"""Request metrics: every HTTP answer counted and timed by method, route template and status (an ASGI
middleware outside everything else, so the door's refusals count too)."""

import time

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from adapters.prometheus import RequestMetrics

UNROUTED = "(unrouted)"  # refused before routing (no key, body too large) or no such path: one label


class Timing:
    def __init__(self, app: ASGIApp, metrics: RequestMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the server answers when the app fails before it answered

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            route = getattr(scope.get("route"), "path", None) or UNROUTED
            self.metrics.observe(scope["method"], route, status, time.perf_counter() - started)


def install(app: FastAPI) -> None:
    """Count and time every request (call last: the outermost middleware)."""
    app.state.request_metrics = RequestMetrics()
    app.add_middleware(Timing, metrics=app.state.request_metrics)
