"""What the store console asks: the open queue in sections, an order's pick list in shelf order, a scan
checked against it, and a SKU's stock here and in nearby stores. The steps themselves are the order desk's
(services/orders.py), as for the JSON API."""

import asyncio
import hmac
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.db import console
from domain.availability import StoreAvailability
from domain.order_state import OrderView
from domain.status import OrderStatus
from domain.stock import StockLevel
from domain.store_calendar import is_closing_time
from domain.store_work import (
    QUEUE_SECTIONS,
    PickLine,
    Product,
    QueueOrder,
    ToteLine,
    batch_pick_list,
    flagged,
    matches,
    pick_list,
)
from domain.values import OrderLine, StoreProfile
from services.availability import stores_for_basket
from services.errors import NotFound
from services.orders import OrderDesk, pickup_code_of
from services.stock import stock_level
from services.stores import get_store


@dataclass(frozen=True)
class QueueCard:
    order: QueueOrder
    at_risk: bool


PICKUP_CODE = re.compile(r"[0-9]{6}")


@dataclass(frozen=True)
class StoreQueue:
    store: StoreProfile
    sections: dict[OrderStatus, list[QueueCard]]

    @property
    def order_ids(self) -> list[str]:
        return [card.order.order_id for cards in self.sections.values() for card in cards]


def checked_in(order: OrderView | QueueOrder) -> bool:
    """The customer said they are on their way or here (on their pickup page)."""
    return order.check_in is not None


async def store_queue(conn: AsyncConnection, store_id: str, query: str, now: datetime) -> StoreQueue:
    """The store's open orders by section, oldest first, at-risk ones on top of each; `query` narrows
    them to a customer's name or an order number."""
    store = await get_store(conn, store_id)
    sections: dict[OrderStatus, list[QueueCard]] = {status: [] for status in QUEUE_SECTIONS}
    for order in await console.open_orders(conn, store_id, QUEUE_SECTIONS):
        if matches(order, query):
            sections[order.status].append(QueueCard(order, flagged(order, now)))
    for cards in sections.values():
        cards.sort(key=lambda card: not card.at_risk)  # stable: oldest first within each group
        cards.sort(key=lambda card: not checked_in(card.order))  # customers on their way or here: on top
    return StoreQueue(store, sections)


async def order_with_pickup_code(desk: OrderDesk, queue: StoreQueue, code: str) -> str | None:
    """The store's ready order whose pickup code this is (the customer showed it at the counter): each ready
    order's workflow is asked for its code, compared in constant time. None when no ready order has it."""
    if not PICKUP_CODE.fullmatch(code):
        return None
    ready = [card.order.order_id for card in queue.sections.get(OrderStatus.READY, [])]
    codes = await asyncio.gather(*(pickup_code_of(desk, order_id) for order_id in ready))
    for order_id, known in zip(ready, codes, strict=True):
        if known is not None and hmac.compare_digest(known, code):
            return order_id
    return None


async def accepted_orders(conn: AsyncConnection, store_id: str) -> list[QueueOrder]:
    """The store's accepted orders, oldest first: what a batch pick can take."""
    return await console.open_orders(conn, store_id, (OrderStatus.ACCEPTED,))


async def queue_mark(conn: AsyncConnection, store_id: str) -> tuple[object, ...]:
    """A mark of the store's open orders that changes with any of them: the live queue re-renders then."""
    return await console.queue_mark(conn, store_id, QUEUE_SECTIONS)


async def order_pick_list(conn: AsyncConnection, order: OrderView) -> list[PickLine]:
    """The order's lines with product name, barcode and shelf location, in walking order."""
    lines = order.current_lines
    return pick_list(lines, await console.shelf_products(conn, order.store_id, [line.sku for line in lines]))


async def batch_walk(conn: AsyncConnection, store_id: str, orders: list[OrderView]) -> list[ToteLine]:
    """One walk through the store for several orders, each unit with the tote of its order."""
    skus = sorted({line.sku for order in orders for line in order.current_lines})
    products = await console.shelf_products(conn, store_id, skus)
    return batch_pick_list([(order.order_id, pick_list(order.current_lines, products)) for order in orders])


async def waiting_lines(conn: AsyncConnection, order: OrderView) -> list[PickLine]:
    """What waits at the staging location (what was picked, else the order's lines), for handover."""
    picked = {line.sku: line.quantity for line in order.picked if line.quantity > 0}
    lines = [
        OrderLine(sku=line.sku, quantity=picked.get(line.sku, line.quantity), unit_price=line.unit_price)
        for line in order.current_lines
        if not picked or line.sku in picked
    ]
    return pick_list(lines, await console.shelf_products(conn, order.store_id, [line.sku for line in lines]))


@dataclass(frozen=True)
class StockLookup:
    product: Product
    here: StockLevel | None
    nearby: list[StoreAvailability]


async def look_up_stock(conn: AsyncConnection, store_id: str, code: str) -> StockLookup:
    """A SKU (or its barcode) on this store's shelves and in the stores around it."""
    code = code.strip()
    sku = await console.sku_for_barcode(conn, code) or code
    products = await console.shelf_products(conn, store_id, [sku])
    if sku not in products:
        raise NotFound("sku", code)
    try:
        here: StockLevel | None = await stock_level(conn, store_id, sku)
    except NotFound:
        here = None
    basket = [OrderLine(sku=sku, quantity=1, unit_price=Decimal("0"))]
    nearby = await stores_for_basket(
        conn, basket, origin=None, near_store=store_id, radius_km=50, promise=timedelta(hours=2), limit=6
    )
    return StockLookup(products[sku], here, [s for s in nearby if s.store.id != store_id])


def held_until_closing(order: OrderView) -> bool:
    """The order's hold ends when its store closes that day (the bag label says so)."""
    deadline, store = order.pickup_deadline, order.store
    return store is not None and deadline is not None and is_closing_time(store, deadline)
