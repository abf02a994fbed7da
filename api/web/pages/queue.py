"""The queue at /store/: the store's open orders by section, at-risk first, refreshed live."""

from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import ConnectionDep
from api.web.render import page, redirect
from api.web.session import Device
from services import console

router = APIRouter()


@router.get("/")
async def queue(
    request: Request, device: Device, conn: ConnectionDep, q: str = "", moved: str = ""
) -> Response:
    """`moved` names an order a short pick just sent to another store."""
    assert device.store_id is not None
    store_queue = await console.store_queue(conn, device.store_id, q[:80], datetime.now(UTC))
    if q.strip() in store_queue.order_ids:  # a bag label (or an order id) scanned: open its order
        return redirect(request, f"/store/orders/{q.strip()}?done=label")
    return page(request, "queue.html", queue=store_queue, q=q[:80], moved=moved[:64], active="queue")


@router.get("/queue/live")
async def live_sections(request: Request, device: Device, conn: ConnectionDep, q: str = "") -> Response:
    """The sections alone, which the page fetches every few seconds to show new orders without a reload."""
    assert device.store_id is not None
    store_queue = await console.store_queue(conn, device.store_id, q[:80], datetime.now(UTC))
    return page(request, "_queue_sections.html", queue=store_queue, q=q[:80])
