"""The queue at /store/: the store's open orders by section, at-risk first, kept live by server-sent
events (the page falls back to fetching the sections every few seconds where EventSource is missing)."""

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse

from api.deps import ConnectionDep, DeskDep, EngineDep
from api.web.render import html, page, redirect
from api.web.session import Device
from services import console

router = APIRouter()
CHECK_EVERY = 1.5  # seconds between two looks at the store's orders
STREAM_FOR = 300  # seconds; the browser reconnects by itself (and the session is checked again)


@router.get("/")
async def queue(
    request: Request,
    device: Device,
    conn: ConnectionDep,
    desk: DeskDep,
    q: str = "",
    moved: str = "",
    picked: int = 0,
) -> Response:
    """`moved` names an order a short pick just sent to another store; `picked` counts a batch's orders.
    A search for an order id (a scanned bag label) or a ready order's pickup code opens that order."""
    assert device.store_id is not None
    store_queue = await console.store_queue(conn, device.store_id, q[:80], datetime.now(UTC))
    if q.strip() in store_queue.order_ids:  # a bag label (or an order id) scanned: open its order
        return redirect(request, f"/store/orders/{q.strip()}?done=label")
    if console.PICKUP_CODE.fullmatch(q.strip()):  # a code the customer shows: open their ready order
        everything = await console.store_queue(conn, device.store_id, "", datetime.now(UTC))
        if order_id := await console.order_with_pickup_code(desk, everything, q.strip()):
            return redirect(request, f"/store/orders/{order_id}")
    return page(
        request, "queue.html", queue=store_queue, q=q[:80], moved=moved[:64], picked=picked, active="queue"
    )


@router.get("/queue/live")
async def live_sections(request: Request, device: Device, conn: ConnectionDep, q: str = "") -> Response:
    """The sections alone, which the page fetches every few seconds where EventSource is missing."""
    assert device.store_id is not None
    store_queue = await console.store_queue(conn, device.store_id, q[:80], datetime.now(UTC))
    return page(request, "_queue_sections.html", queue=store_queue, q=q[:80])


@router.get("/queue/events")
async def queue_events(request: Request, device: Device, engine: EngineDep, q: str = "") -> Response:
    """Server-sent events: the sections again each time the store's open orders change."""
    store_id = device.store_id
    assert store_id is not None

    async def events() -> AsyncIterator[str]:
        yield "retry: 3000\n\n"
        seen = None
        started = asyncio.get_running_loop().time()
        while asyncio.get_running_loop().time() - started < STREAM_FOR:
            if await request.is_disconnected():
                return
            async with engine.connect() as conn:
                # Once a minute anyway: orders become at risk as time passes, with no change of their own.
                mark = (await console.queue_mark(conn, store_id), int(time.time() // 60))
                if mark != seen:
                    store_queue = await console.store_queue(conn, store_id, q[:80], datetime.now(UTC))
                    sections = html(request, "_queue_sections.html", queue=store_queue, q=q[:80])
                    data = "".join(f"data: {line}\n" for line in sections.splitlines())
                    yield f"event: queue\n{data}\n"
                    seen = mark
            await asyncio.sleep(CHECK_EVERY)

    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(events(), media_type="text/event-stream", headers=headers)
