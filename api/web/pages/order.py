"""The order screen: what to do next on one order (accept or reject, pick, stage, hand over), each step
answered with the order's new state."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncConnection

from api.deps import ConnectionDep, DeskDep, EngineDep
from api.web.pages.steps import in_words, own_order
from api.web.render import gettext, page, redirect
from api.web.session import Device, Form
from domain.commands import IdType, ReadyReport, StoreAcceptance, StoreRejection
from domain.order_state import OrderView
from services import console, orders
from services.errors import ServiceError

router = APIRouter()
REJECT_REASONS = ("no_staff", "closing", "damaged_stock", "other")


async def show(
    request: Request, conn: AsyncConnection, order: OrderView, status: int = 200, **state: Any
) -> Response:
    """The order screen in its current state; `state` carries typed values, errors and notices."""
    lines = await console.order_pick_list(conn, order)
    waiting = await console.waiting_lines(conn, order)
    context: dict[str, Any] = {"errors": {}, "notice": None, "problem": None, "lines": lines, **state}
    settings = request.app.state.console_settings
    return page(
        request,
        "order.html",
        status,
        order=order,
        waiting=waiting,
        reasons=REJECT_REASONS,
        proof_kind=settings.proof_for(order.store_id).value,
        id_types=[kind.value for kind in IdType],
        **context,
    )


async def refused(
    request: Request, desk: orders.OrderDesk, engine: Any, order_id: str, error: ServiceError, **state: Any
) -> Response:
    """The screen again, with the refusal next to its field (or on top) and the order as it is now."""
    said = in_words(request, error)
    order = await orders.find_order(desk, order_id)
    errors = {said.field: said.message} if said.field else {}
    async with engine.connect() as conn:
        return await show(
            request, conn, order, 422, errors=errors, problem=None if said.field else said.message, **state
        )


@router.get("/orders/{order_id}")
async def order_screen(
    request: Request, order_id: str, device: Device, desk: DeskDep, conn: ConnectionDep, done: str = ""
) -> Response:
    order = await own_order(desk, device, order_id)
    return await show(request, conn, order, notice=done or None)


@router.post("/orders/{order_id}/accept")
async def accept(
    request: Request, order_id: str, device: Device, form: Form, desk: DeskDep, engine: EngineDep
) -> Response:
    order = await own_order(desk, device, order_id)
    try:
        await orders.accept(desk, device.grant, order.store_id, order_id, StoreAcceptance(actor=device.actor))
    except ServiceError as error:
        return await refused(request, desk, engine, order_id, error)
    return redirect(request, f"/store/orders/{order_id}?done=accepted")


@router.post("/orders/{order_id}/reject")
async def reject(
    request: Request, order_id: str, device: Device, form: Form, desk: DeskDep, engine: EngineDep
) -> Response:
    order = await own_order(desk, device, order_id)
    reason = str(form.get("reason", ""))
    if reason not in REJECT_REASONS:
        error = gettext(request).gettext("Choose why the store cannot prepare this order.")
        async with engine.connect() as conn:
            return await show(request, conn, order, 422, errors={"reason": error})
    rejection = StoreRejection(reason=reason.replace("_", " "), actor=device.actor)
    try:
        await orders.reject(desk, device.grant, order.store_id, order_id, rejection)
    except ServiceError as error:
        return await refused(request, desk, engine, order_id, error)
    return redirect(request, f"/store/orders/{order_id}?done=rejected")


@router.post("/orders/{order_id}/ready")
async def ready(
    request: Request, order_id: str, device: Device, form: Form, desk: DeskDep, engine: EngineDep
) -> Response:
    order = await own_order(desk, device, order_id)
    place = str(form.get("staging_location", "")).strip()
    if not 0 < len(place) <= 60:
        error = gettext(request).gettext("Write where the bag is: a shelf, a locker or the counter.")
        async with engine.connect() as conn:
            return await show(request, conn, order, 422, errors={"staging_location": error})
    try:
        await orders.mark_ready(
            desk,
            device.grant,
            order.store_id,
            order_id,
            ReadyReport(staging_location=place, actor=device.actor),
        )
    except ServiceError as error:
        return await refused(request, desk, engine, order_id, error)
    return redirect(request, f"/store/orders/{order_id}?done=ready")
