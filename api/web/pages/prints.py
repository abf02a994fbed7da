"""Printed paper: the pick ticket (the list in walking order, boxes to tick) and the bag label."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import ConnectionDep, DeskDep
from api.web.pages.steps import own_order
from api.web.render import page
from api.web.session import Device
from services import console

router = APIRouter()


@router.get("/orders/{order_id}/ticket")
async def pick_ticket(
    request: Request, order_id: str, device: Device, desk: DeskDep, conn: ConnectionDep
) -> Response:
    order = await own_order(desk, device, order_id)
    return page(request, "ticket.html", order=order, lines=await console.order_pick_list(conn, order))


@router.get("/orders/{order_id}/label")
async def bag_label(
    request: Request, order_id: str, device: Device, desk: DeskDep, conn: ConnectionDep
) -> Response:
    order = await own_order(desk, device, order_id)
    lines = await console.waiting_lines(conn, order)
    return page(request, "label.html", order=order, lines=lines, at_closing=console.held_until_closing(order))
