"""Checkout holds: a basket held at a store for a few minutes, freed by itself when the hold expires."""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.db import database_now, stock
from domain.values import OrderLine, PickedLine
from services.baskets import check_basket
from services.errors import HoldRefused, InvalidField, NotFound
from workflows.contracts import ReservationRequest

SOURCE = "checkout hold"


@dataclass(frozen=True)
class Hold:
    hold_id: str
    store_id: str
    lines: list[PickedLine]
    expires_at: datetime
    active: bool


async def create_hold(conn: AsyncConnection, store_id: str, lines: list[PickedLine], minutes: int) -> Hold:
    """Hold every line or none; place the order with the hold's id to keep the units."""
    await check_basket(conn, store_id, [line.sku for line in lines])
    for index, line in enumerate(lines):
        if line.quantity < 1:
            raise InvalidField(("lines", index, "quantity"), "a hold needs at least one unit")
    hold_id = f"hold-{uuid.uuid4().hex}"
    expires_at = await database_now(conn) + timedelta(minutes=minutes)
    request = ReservationRequest(
        order_id=hold_id,
        store_id=store_id,
        lines=[OrderLine(sku=line.sku, quantity=line.quantity, unit_price=0) for line in lines],
    )
    outcome = await stock.reserve(conn, request, expires_at=expires_at, source=SOURCE)
    if not outcome.reserved:
        raise HoldRefused(outcome.missing)
    return await get_hold(conn, hold_id)


async def get_hold(conn: AsyncConnection, hold_id: str) -> Hold:
    """A hold is active while every line is still held and it has not expired."""
    held = await stock.reservation_of(conn, hold_id)
    expires_at = held[0].expires_at if held else None
    if expires_at is None:  # nothing held under this id, or an order's reservation
        raise NotFound("hold", hold_id)
    now = await database_now(conn)
    return Hold(
        hold_id=hold_id,
        store_id=held[0].store_id,
        lines=[PickedLine(sku=line.sku, quantity=line.quantity) for line in held],
        expires_at=expires_at,
        active=all(line.state == stock.ACTIVE for line in held) and expires_at > now,
    )


async def release_hold(conn: AsyncConnection, hold_id: str) -> Hold:
    """The customer left checkout: the units go back on sale now rather than at expiry."""
    await get_hold(conn, hold_id)
    await stock.release(conn, hold_id, reason="hold released at checkout")
    return await get_hold(conn, hold_id)
