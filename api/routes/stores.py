"""Stores: directory, the store's order queue, preparation steps, and stock counts."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from adapters.db import database_now, orders, routing, stock
from api.access import GrantDep, authorize, shown
from api.deps import ClientDep, ConnectionDep, EngineDep, SettingsDep
from api.errors import ApiError, invalid_field, not_found
from api.schemas import (
    CollectBody,
    PickBody,
    ReadyBody,
    RejectBody,
    ShortPickBody,
    StockCount,
    StockLevelPublic,
    StoreActionBody,
    StoreRoutingBody,
)
from domain import ids
from domain.access import Role
from domain.commands import Collection, PickReport, ReadyReport, ShortPick, StoreAcceptance, StoreRejection
from domain.order_state import OrderView
from domain.status import OrderStatus
from domain.values import StoreProfile
from services import stock_feed as inventory
from services.orders import find_order, update_order

router = APIRouter(prefix="/v1/stores", tags=["stores"], dependencies=[Depends(authorize)])


async def _store(conn: ConnectionDep, store_id: str) -> StoreProfile:
    store = await orders.get_store(conn, store_id)
    if store is None:
        raise not_found("store", store_id)
    return store


@router.get("", response_model=list[StoreProfile])
async def list_stores(conn: ConnectionDep) -> list[StoreProfile]:
    return await orders.list_stores(conn)


@router.get("/{store_id}", response_model=StoreProfile)
async def get_store(store_id: str, conn: ConnectionDep) -> StoreProfile:
    return await _store(conn, store_id)


@router.patch("/{store_id}/routing", response_model=StoreProfile)
async def set_routing(store_id: str, body: StoreRoutingBody, engine: EngineDep) -> StoreProfile:
    """Close a store for the day, freeze it for a stock count, open it again, or set its capacity: new
    orders and re-routes follow at once; orders already there stay."""
    values = body.model_dump(include=body.model_fields_set)
    if values.get("routing", "") is None:
        raise invalid_field(["body", "routing"], "routing cannot be null: open, closed or frozen")
    async with engine.begin() as conn:
        if not await routing.set_routing(conn, store_id, values):
            raise not_found("store", store_id)
        return await _store(conn, store_id)


@router.get("/{store_id}/orders", response_model=list[OrderView])
async def store_queue(
    store_id: str,
    conn: ConnectionDep,
    grant: GrantDep,
    status: OrderStatus | None = None,
    at_risk: bool | None = None,
) -> Any:
    """The store's orders, oldest first, optionally only those in one status or with stock at risk."""
    await _store(conn, store_id)
    return JSONResponse(shown(grant, await orders.store_queue(conn, store_id, status, at_risk=at_risk)))


class StoreStep:
    """Shared path of every preparation step: the store exists, the order is this store's, then update."""

    def __init__(self, client: ClientDep, engine: EngineDep, settings: SettingsDep, grant: GrantDep) -> None:
        self.client, self.engine, self.settings, self.grant = client, engine, settings, grant

    async def __call__(self, store_id: str, order_id: str, update: str, request: BaseModel) -> OrderView:
        order = await find_order(self.client, self.engine, order_id)
        if order.store_id != store_id:
            if self.grant.role is Role.STORE:
                raise ApiError(403, "forbidden", "this order belongs to another store")
            raise not_found("order", order_id)
        return await update_order(self.client, order, update, request, self.settings.update_wait)


StepDep = Annotated[StoreStep, Depends()]


@router.post("/{store_id}/orders/{order_id}/accept", response_model=OrderView)
async def accept_order(
    store_id: str, order_id: str, step: StepDep, body: StoreActionBody | None = None
) -> OrderView:
    """The store takes the order on."""
    body = body or StoreActionBody()
    return await step(store_id, order_id, ids.UPDATE_ACCEPT, StoreAcceptance(actor=body.actor(store_id)))


@router.post("/{store_id}/orders/{order_id}/pick", response_model=OrderView)
async def pick_order(store_id: str, order_id: str, body: PickBody, step: StepDep) -> OrderView:
    """Report the quantities picked per line."""
    report = PickReport(lines=body.lines, actor=body.actor(store_id))
    return await step(store_id, order_id, ids.UPDATE_PICK, report)


@router.post("/{store_id}/orders/{order_id}/ready", response_model=OrderView)
async def mark_ready(store_id: str, order_id: str, body: ReadyBody, step: StepDep) -> OrderView:
    """The order is staged for pickup; the customer receives the pickup code."""
    report = ReadyReport(staging_location=body.staging_location, actor=body.actor(store_id))
    return await step(store_id, order_id, ids.UPDATE_MARK_READY, report)


@router.post("/{store_id}/orders/{order_id}/collect", response_model=OrderView)
async def collect_order(store_id: str, order_id: str, body: CollectBody, step: StepDep) -> OrderView:
    """Hand the order over against its pickup code: stock committed, payment captured."""
    collection = Collection(pickup_code=body.pickup_code, actor=body.actor(store_id), lines=body.lines)
    return await step(store_id, order_id, ids.UPDATE_COLLECT, collection)


@router.post("/{store_id}/orders/{order_id}/short-pick", response_model=OrderView)
async def report_short_pick(store_id: str, order_id: str, body: ShortPickBody, step: StepDep) -> OrderView:
    """Units could not be picked: not found or damaged units leave the stock, then the order moves to
    another store or the customer is asked (see docs/routing.md)."""
    report = ShortPick(lines=body.lines, actor=body.actor(store_id))
    return await step(store_id, order_id, ids.UPDATE_REPORT_SHORT_PICK, report)


@router.post("/{store_id}/orders/{order_id}/reject", response_model=OrderView)
async def reject_order(store_id: str, order_id: str, body: RejectBody, step: StepDep) -> OrderView:
    """The store cannot prepare the order: it moves to the next best store, or the customer is asked."""
    rejection = StoreRejection(reason=body.reason, actor=body.actor(store_id))
    return await step(store_id, order_id, ids.UPDATE_REJECT, rejection)


@router.get("/{store_id}/stock/{sku}", response_model=StockLevelPublic)
async def get_stock(store_id: str, sku: str, conn: ConnectionDep) -> StockLevelPublic:
    await _store(conn, store_id)
    level = await stock.level(conn, store_id, sku)
    if level is None:
        raise not_found("stock", f"{store_id}/{sku}")
    return StockLevelPublic.of(level)


@router.put("/{store_id}/stock/{sku}", response_model=StockLevelPublic)
async def set_stock(
    store_id: str, sku: str, body: StockCount, client: ClientDep, engine: EngineDep
) -> StockLevelPublic:
    """An absolute count from the store's system (on hand becomes this number, as a feed count taken
    now), and/or the safety stock, which is never promised."""
    async with engine.begin() as conn:
        await _store(conn, store_id)
        if not await stock.known_skus(conn, [sku]):
            raise not_found("sku", sku)
        if body.safety_stock is not None:
            await stock.set_safety_stock(conn, store_id, sku, body.safety_stock)
        now = await database_now(conn)
    if body.on_hand is not None:
        await inventory.receive(client, engine, [inventory.count_event(store_id, sku, body.on_hand, now)])
    async with engine.connect() as conn:
        level = await stock.level(conn, store_id, sku)
    if level is None:
        raise not_found("stock", f"{store_id}/{sku}")
    return StockLevelPublic.of(level)
