"""Stores: directory, the store's order queue, preparation steps, and stock counts."""

from fastapi import APIRouter

from api.deps import ClientDep, ConnectionDep
from api.errors import not_found
from api.orders import order_for_store, update_order
from api.schemas import CollectBody, PickBody, ReadyBody, StockCount, StockLevelPublic, StoreActionBody
from domain import ids
from domain.models import Collection, OrderView, PickReport, ReadyReport, StoreAcceptance, StoreProfile
from domain.status import OrderStatus
from oms.db import orders, stock

router = APIRouter(prefix="/v1/stores", tags=["stores"])


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


@router.get("/{store_id}/orders", response_model=list[OrderView])
async def store_queue(store_id: str, conn: ConnectionDep, status: OrderStatus | None = None) -> list[OrderView]:
    """The store's orders, oldest first, optionally only those in one status."""
    await _store(conn, store_id)
    return await orders.store_queue(conn, store_id, status)


async def _step(client: ClientDep, conn: ConnectionDep, store_id: str, order_id: str, update: str, request) -> OrderView:  # type: ignore[no-untyped-def]
    await _store(conn, store_id)
    order = await order_for_store(conn, store_id, order_id)
    await conn.commit()
    return await update_order(client, order, update, request)


@router.post("/{store_id}/orders/{order_id}/accept", response_model=OrderView)
async def accept_order(
    store_id: str, order_id: str, client: ClientDep, conn: ConnectionDep, body: StoreActionBody | None = None
) -> OrderView:
    """The store takes the order on."""
    body = body or StoreActionBody()
    return await _step(client, conn, store_id, order_id, ids.UPDATE_ACCEPT, StoreAcceptance(actor=body.actor(store_id)))


@router.post("/{store_id}/orders/{order_id}/pick", response_model=OrderView)
async def pick_order(store_id: str, order_id: str, body: PickBody, client: ClientDep, conn: ConnectionDep) -> OrderView:
    """Report the quantities picked per line."""
    report = PickReport(lines=body.lines, actor=body.actor(store_id))
    return await _step(client, conn, store_id, order_id, ids.UPDATE_PICK, report)


@router.post("/{store_id}/orders/{order_id}/ready", response_model=OrderView)
async def mark_ready(store_id: str, order_id: str, body: ReadyBody, client: ClientDep, conn: ConnectionDep) -> OrderView:
    """The order is staged for pickup; the customer receives the pickup code."""
    report = ReadyReport(staging_location=body.staging_location, actor=body.actor(store_id))
    return await _step(client, conn, store_id, order_id, ids.UPDATE_MARK_READY, report)


@router.post("/{store_id}/orders/{order_id}/collect", response_model=OrderView)
async def collect_order(
    store_id: str, order_id: str, body: CollectBody, client: ClientDep, conn: ConnectionDep
) -> OrderView:
    """Hand the order over against its pickup code: stock committed, payment captured."""
    collection = Collection(pickup_code=body.pickup_code, actor=body.actor(store_id))
    return await _step(client, conn, store_id, order_id, ids.UPDATE_COLLECT, collection)


@router.get("/{store_id}/stock/{sku}", response_model=StockLevelPublic)
async def get_stock(store_id: str, sku: str, conn: ConnectionDep) -> StockLevelPublic:
    await _store(conn, store_id)
    level = await stock.level(conn, store_id, sku)
    if level is None:
        raise not_found("stock", f"{store_id}/{sku}")
    return StockLevelPublic.of(level)


@router.put("/{store_id}/stock/{sku}", response_model=StockLevelPublic)
async def set_stock(store_id: str, sku: str, body: StockCount, conn: ConnectionDep) -> StockLevelPublic:
    """An absolute count from the store's system: on hand becomes this number."""
    await _store(conn, store_id)
    if not await stock.known_skus(conn, [sku]):
        raise not_found("sku", sku)
    return StockLevelPublic.of(await stock.set_count(conn, store_id, sku, body.on_hand))
