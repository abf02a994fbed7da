"""A return's units in the ledger of the store they were brought to: resellable ones back on hand,
damaged ones taken in and written off at once, each with the return's reason. Keyed by the return id."""

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.db.stock import record
from domain.stock import Movement, MovementKind
from workflows.return_contracts import ReturnStock


def _movement(stock: ReturnStock, sku: str, kind: MovementKind, delta: int, reason: str, key: str, now):  # type: ignore[no-untyped-def]
    return Movement(
        store_id=stock.store_id,
        sku=sku,
        kind=kind,
        on_hand_delta=delta,
        reason=reason,
        source=f"store {stock.store_id}",
        key=key,
        occurred_at=now,
        holder_id=stock.return_id,
    )


async def take_back(conn: AsyncConnection, stock: ReturnStock) -> int:
    """Movements applied by this call; a repeat applies none."""
    now = await conn.scalar(select(func.now()))
    movements = []
    for sku, quantity in sorted(stock.resellable.items()):
        reason = f"return: {stock.reasons.get(sku, 'other')}"
        movements.append(
            _movement(
                stock, sku, MovementKind.RETURN, quantity, reason, f"return:{stock.return_id}:{sku}", now
            )
        )
    for sku, quantity in sorted(stock.damaged.items()):
        reason = f"return: {stock.reasons.get(sku, 'other')}"
        movements.append(
            _movement(
                stock, sku, MovementKind.RETURN, quantity, reason, f"return-in:{stock.return_id}:{sku}", now
            )
        )
        movements.append(
            _movement(
                stock,
                sku,
                MovementKind.CORRECTION,
                -quantity,
                f"returned damaged: {stock.reasons.get(sku, 'other')}",
                f"return-write-off:{stock.return_id}:{sku}",
                now,
            )
        )
    return len(await record(conn, movements))
