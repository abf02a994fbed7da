"""Checkout holds: stock held while the customer checks out, freed by itself when the hold expires."""

import uuid
from datetime import datetime, timedelta

from fastapi import APIRouter, Depends, status
from pydantic import BaseModel, Field
from sqlalchemy import func, select

from adapters.db import stock
from adapters.db.tables import reservations
from api.access import authorize
from api.deps import ConnectionDep, SettingsDep
from api.errors import ApiError, invalid_field, not_found
from domain.values import OrderLine, PickedLine, StoreId
from services.baskets import check_basket
from workflows.contracts import ReservationRequest

router = APIRouter(prefix="/v1/holds", tags=["holds"], dependencies=[Depends(authorize)])


class HoldRequest(BaseModel):
    store_id: StoreId
    lines: list[PickedLine] = Field(min_length=1, max_length=100)
    minutes: int | None = Field(default=None, ge=1, le=240, description="default OMS_CHECKOUT_HOLD")


class Hold(BaseModel):
    hold_id: str
    store_id: str
    lines: list[PickedLine]
    expires_at: datetime
    active: bool


async def _hold(conn: ConnectionDep, hold_id: str) -> Hold:
    rows = (
        await conn.execute(
            select(reservations, func.now().label("now")).where(reservations.c.order_id == hold_id)
        )
    ).all()
    if not rows or rows[0].expires_at is None:
        raise not_found("hold", hold_id)
    return Hold(
        hold_id=hold_id,
        store_id=rows[0].store_id,
        lines=[PickedLine(sku=row.sku, quantity=row.quantity) for row in rows],
        expires_at=rows[0].expires_at,
        active=all(row.state == "active" for row in rows) and rows[0].expires_at > rows[0].now,
    )


@router.post("", status_code=status.HTTP_201_CREATED, response_model=Hold)
async def create_hold(body: HoldRequest, conn: ConnectionDep, settings: SettingsDep) -> Hold:
    """Hold a basket at a store for a few minutes; place the order with `hold_id` to keep the units."""
    await check_basket(conn, body.store_id, [line.sku for line in body.lines])
    for index, line in enumerate(body.lines):
        if line.quantity < 1:
            raise invalid_field(["body", "lines", index, "quantity"], "a hold needs at least one unit")
    hold_id = f"hold-{uuid.uuid4().hex}"
    minutes = body.minutes or int(settings.checkout_hold / timedelta(minutes=1))
    expires_at = await conn.scalar(select(func.now() + timedelta(minutes=minutes)))
    lines = [OrderLine(sku=line.sku, quantity=line.quantity, unit_price=0) for line in body.lines]
    outcome = await stock.reserve(
        conn,
        ReservationRequest(order_id=hold_id, store_id=body.store_id, lines=lines),
        expires_at=expires_at,
        source="checkout hold",
    )
    if not outcome.reserved:
        raise ApiError(
            409,
            "insufficient_stock",
            "the store cannot hold every line; nothing was held",
            missing=[line.model_dump() for line in outcome.missing],
        )
    return await _hold(conn, hold_id)


@router.get("/{hold_id}", response_model=Hold)
async def get_hold(hold_id: str, conn: ConnectionDep) -> Hold:
    return await _hold(conn, hold_id)


@router.delete("/{hold_id}", response_model=Hold)
async def release_hold(hold_id: str, conn: ConnectionDep) -> Hold:
    """The customer left checkout: the units go back on sale now rather than at expiry."""
    await _hold(conn, hold_id)
    await stock.release(conn, hold_id, reason="hold released at checkout")
    return await _hold(conn, hold_id)
