"""Stores: directory, the store's order queue, preparation steps, and stock counts."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import TypeAdapter

from api.access import GrantDep, authorize, sees_contact_data
from api.deps import ConnectionDep, DeskDep, EngineDep, SettingsDep, SignalsDep
from api.errors import invalid_field
from api.paging import next_link, queue_cursor, queue_key
from api.schemas import (
    CollectBody,
    OrderPublic,
    PickBody,
    ReadyBody,
    RejectBody,
    ShortPickBody,
    SlotPublic,
    StockCountBody,
    StockLevelPublic,
    StoreActionBody,
    StorePublic,
    StoreRoutingBody,
)
from domain.commands import Collection, PickReport, ReadyReport, ShortPick, StoreAcceptance, StoreRejection
from domain.status import OrderStatus
from services import orders, slots, stock, stores

ORDER_LIST = TypeAdapter(list[OrderPublic])
router = APIRouter(prefix="/v1/stores", tags=["stores"], dependencies=[Depends(authorize)])


@router.get("", response_model=list[StorePublic])
async def list_stores(conn: ConnectionDep) -> list[StorePublic]:
    return [StorePublic.of(store) for store in await stores.list_stores(conn)]


@router.get("/{store_id}", response_model=StorePublic)
async def get_store(store_id: str, conn: ConnectionDep) -> StorePublic:
    return StorePublic.of(await stores.get_store(conn, store_id))


@router.patch("/{store_id}/routing", response_model=StorePublic)
async def set_routing(store_id: str, body: StoreRoutingBody, engine: EngineDep) -> StorePublic:
    """Close a store for the day, freeze it for a stock count, open it again, or set its capacity: new
    orders and re-routes follow at once; orders already there stay."""
    changes = body.model_dump(include=body.model_fields_set)
    if changes.get("routing", "") is None:
        raise invalid_field(["body", "routing"], "routing cannot be null: open, closed or frozen")
    return StorePublic.of(await stores.set_routing(engine, store_id, changes))


@router.get("/{store_id}/slots", response_model=list[SlotPublic])
async def pickup_slots(store_id: str, date: date, conn: ConnectionDep) -> list[SlotPublic]:
    """The store's pickup slots on this day (its own calendar date), each with the places still free."""
    return [SlotPublic.of(slot) for slot in await slots.day_slots(conn, store_id, date)]


@router.get("/{store_id}/orders", response_model=list[OrderPublic])
async def store_queue(
    store_id: str,
    request: Request,
    conn: ConnectionDep,
    grant: GrantDep,
    status: OrderStatus | None = None,
    at_risk: bool | None = None,
    limit: Annotated[
        int,
        Query(ge=1, le=stores.QUEUE_PAGE_MAX, description="orders in the page (default 200, at most 500)"),
    ] = stores.QUEUE_PAGE,
    cursor: Annotated[
        str | None, Query(max_length=400, description='where the page starts: the Link rel="next" gives it')
    ] = None,
) -> Response:
    """The store's orders, oldest first, optionally only those in one status or with stock at risk: a
    page of `limit`; when more follow, the `Link` header names the next page (`rel="next"`)."""
    after = queue_key(cursor) if cursor is not None else None
    page = await stores.store_queue(conn, store_id, status, at_risk, after=after, limit=limit)
    queue = ORDER_LIST.validate_json(page.views_json)  # the one validation: stored view to answer
    if not sees_contact_data(grant):
        for order in queue:
            order.redact_contact()
    headers = {"Link": next_link(request, queue_cursor(page.next_after))} if page.next_after else None
    return Response(ORDER_LIST.dump_json(queue), media_type="application/json", headers=headers)


@router.post("/{store_id}/orders/{order_id}/accept", response_model=OrderPublic)
async def accept_order(
    store_id: str, order_id: str, desk: DeskDep, grant: GrantDep, body: StoreActionBody | None = None
) -> OrderPublic:
    """The store takes the order on."""
    acceptance = StoreAcceptance(actor=(body or StoreActionBody()).actor(grant.identity))
    return OrderPublic.seen(await orders.accept(desk, grant, store_id, order_id, acceptance))


@router.post("/{store_id}/orders/{order_id}/pick", response_model=OrderPublic)
async def pick_order(
    store_id: str, order_id: str, body: PickBody, desk: DeskDep, grant: GrantDep
) -> OrderPublic:
    """Report the quantities picked per line."""
    report = PickReport(lines=body.lines, actor=body.actor(grant.identity))
    return OrderPublic.seen(await orders.pick(desk, grant, store_id, order_id, report))


@router.post("/{store_id}/orders/{order_id}/ready", response_model=OrderPublic)
async def mark_ready(
    store_id: str, order_id: str, body: ReadyBody, desk: DeskDep, grant: GrantDep
) -> OrderPublic:
    """The order is staged for pickup; the customer receives the pickup code."""
    report = ReadyReport(staging_location=body.staging_location, actor=body.actor(grant.identity))
    return OrderPublic.seen(await orders.mark_ready(desk, grant, store_id, order_id, report))


@router.post("/{store_id}/orders/{order_id}/collect", response_model=OrderPublic)
async def collect_order(
    store_id: str, order_id: str, body: CollectBody, desk: DeskDep, grant: GrantDep
) -> OrderPublic:
    """Hand the order over against its pickup code: stock committed, payment captured."""
    collection = Collection(pickup_code=body.pickup_code, actor=body.actor(grant.identity), lines=body.lines)
    return OrderPublic.seen(await orders.collect(desk, grant, store_id, order_id, collection))


@router.post("/{store_id}/orders/{order_id}/short-pick", response_model=OrderPublic)
async def report_short_pick(
    store_id: str, order_id: str, body: ShortPickBody, desk: DeskDep, grant: GrantDep
) -> OrderPublic:
    """Units could not be picked: not found or damaged units leave the stock, then the order moves to
    another store or the customer is asked (see docs/routing.md)."""
    report = ShortPick(lines=body.lines, actor=body.actor(grant.identity))
    return OrderPublic.seen(await orders.report_short_pick(desk, grant, store_id, order_id, report))


@router.post("/{store_id}/orders/{order_id}/reject", response_model=OrderPublic)
async def reject_order(
    store_id: str, order_id: str, body: RejectBody, desk: DeskDep, grant: GrantDep
) -> OrderPublic:
    """The store cannot prepare the order: it moves to the next best store, or the customer is asked."""
    rejection = StoreRejection(reason=body.reason, actor=body.actor(grant.identity))
    return OrderPublic.seen(await orders.reject(desk, grant, store_id, order_id, rejection))


@router.get("/{store_id}/stock/{sku}", response_model=StockLevelPublic)
async def get_stock(store_id: str, sku: str, conn: ConnectionDep) -> StockLevelPublic:
    return StockLevelPublic.of(await stock.stock_level(conn, store_id, sku))


@router.put("/{store_id}/stock/{sku}", response_model=StockLevelPublic)
async def set_stock(
    store_id: str,
    sku: str,
    body: StockCountBody,
    engine: EngineDep,
    signals: SignalsDep,
    settings: SettingsDep,
) -> StockLevelPublic:
    """An absolute count from the store's system (on hand becomes this number, as a feed count taken
    now), and/or the safety stock, which is never promised. 409 `count_superseded` when a later count
    stands (nothing changed)."""
    level = await stock.set_stock(
        engine,
        signals,
        store_id,
        sku,
        on_hand=body.on_hand,
        safety_stock=body.safety_stock,
        window=settings.feed_window(),
    )
    return StockLevelPublic.of(level)
