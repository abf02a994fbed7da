"""What the nightly reconciliation reads: active order reservations with the order they belong to, and
messages left in `sending`. (Ledger against levels: adapters/db/stock.check_ledger.)"""

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.db.tables import notifications, orders, reservations
from domain.reconciliation import HeldStock, StuckMessage
from domain.status import OrderStatus


async def held_stock(conn: AsyncConnection) -> list[HeldStock]:
    """Active reservations of orders (checkout holds, which expire by themselves, left out)."""
    order_id = func.split_part(reservations.c.order_id, "@", 1)
    query = (
        select(
            reservations.c.order_id.label("holder_id"),
            reservations.c.store_id,
            reservations.c.sku,
            reservations.c.quantity,
            reservations.c.updated_at,
            orders.c.status.label("order_status"),
            orders.c.store_id.label("order_store_id"),
        )
        .select_from(reservations.outerjoin(orders, orders.c.id == order_id))
        .where(reservations.c.state == "active", reservations.c.expires_at.is_(None))
        .order_by(reservations.c.order_id, reservations.c.sku)
    )
    return [
        HeldStock(
            holder_id=row.holder_id,
            store_id=row.store_id,
            sku=row.sku,
            quantity=row.quantity,
            updated_at=row.updated_at,
            order_status=OrderStatus(row.order_status) if row.order_status else None,
            order_store_id=row.order_store_id,
        )
        for row in await conn.execute(query)
    ]


async def sending_messages(conn: AsyncConnection) -> list[StuckMessage]:
    """Messages whose send was attempted and whose outcome was never recorded, oldest first."""
    query = (
        select(
            notifications.c.id,
            notifications.c.order_id,
            notifications.c.kind,
            notifications.c.channel,
            notifications.c.updated_at.label("since"),
        )
        .where(notifications.c.status == "sending")
        .order_by(notifications.c.updated_at)
    )
    return [StuckMessage.model_validate(row, from_attributes=True) for row in await conn.execute(query)]
