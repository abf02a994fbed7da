"""Returns: one row per return of an order (its lines, refund and progress), the order's timeline entries,
and the units already returned, read under the order's lock so two counters cannot return one line twice."""

from collections import Counter
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.db import order_events as outbound
from adapters.db.tables import collected_pickup_codes, order_events, orders, returns
from domain.order_state import OrderView
from domain.returns import ReturnRequest, ReturnStatus
from workflows.return_contracts import ReturnProgress

TIMELINE_FROM = 10_000  # returns' timeline rows sit after anything an order itself records


async def lock_order(conn: AsyncConnection, order_id: str) -> OrderView | None:
    """The order as last recorded, its row locked until the transaction ends (returns of it queue here)."""
    view = await conn.scalar(select(orders.c.view).where(orders.c.id == order_id).with_for_update())
    return None if view is None else OrderView.model_validate(view)


async def returned_units(conn: AsyncConnection, order_id: str) -> Counter[str]:
    rows = await conn.scalars(select(returns.c.lines).where(returns.c.order_id == order_id))
    units: Counter[str] = Counter()
    for lines in rows:
        units.update({line["sku"]: len(line["conditions"]) for line in lines})
    return units


async def refunded_for_returns(conn: AsyncConnection, order_id: str) -> Decimal:
    total = await conn.scalar(select(func.sum(returns.c.refund)).where(returns.c.order_id == order_id))
    return total or Decimal("0")


async def next_number(conn: AsyncConnection, order_id: str) -> int:
    last = await conn.scalar(select(func.max(returns.c.number)).where(returns.c.order_id == order_id))
    return (last or 0) + 1


async def by_request_key(conn: AsyncConnection, request_key: str) -> dict[str, Any] | None:
    row = (await conn.execute(select(returns).where(returns.c.request_key == request_key))).first()
    return None if row is None else dict(row._mapping)


async def get(conn: AsyncConnection, return_id: str) -> dict[str, Any] | None:
    row = (await conn.execute(select(returns).where(returns.c.id == return_id))).first()
    return None if row is None else dict(row._mapping)


async def of_order(conn: AsyncConnection, order_id: str) -> list[dict[str, Any]]:
    rows = await conn.execute(
        select(returns).where(returns.c.order_id == order_id).order_by(returns.c.number)
    )
    return [dict(row._mapping) for row in rows]


async def add(
    conn: AsyncConnection,
    *,
    return_id: str,
    number: int,
    request_key: str,
    request: ReturnRequest,
    refund: Decimal,
    currency: str,
) -> None:
    await conn.execute(
        insert(returns).values(
            id=return_id,
            order_id=request.order_id,
            number=number,
            request_key=request_key,
            store_id=request.store_id,
            status=ReturnStatus.RECEIVED.value,
            lines=[line.model_dump(mode="json") for line in request.lines],
            refund=refund,
            currency=currency,
            actor=request.actor,
        )
    )


_STEPS = list(ReturnStatus)


async def record_progress(conn: AsyncConnection, progress: ReturnProgress) -> None:
    """The return's status, and an entry on its order's timeline; a repeat changes nothing."""
    await conn.execute(
        update(returns)
        .where(returns.c.id == progress.return_id)
        .values(status=progress.status.value, updated_at=func.now())
    )
    seq = TIMELINE_FROM + progress.number * len(_STEPS) + _STEPS.index(progress.status)
    entered = await conn.scalar(
        insert(order_events)
        .values(
            order_id=progress.order_id,
            seq=seq,
            at=func.now(),
            status=f"return_{progress.status.value}",
            actor=progress.actor,
            reason=progress.reason,
        )
        .on_conflict_do_nothing(index_elements=[order_events.c.order_id, order_events.c.seq])
        .returning(order_events.c.seq)
    )
    if entered is not None:  # the step's first record: the channel hears of it once
        await outbound.record_return(
            conn,
            progress.order_id,
            progress.return_id,
            progress.number,
            progress.status.value,
            progress.actor,
            progress.reason,
        )


async def timeline(conn: AsyncConnection, order_id: str) -> list[dict[str, Any]]:
    """The order's return entries, oldest first."""
    rows = await conn.execute(
        select(order_events)
        .where(order_events.c.order_id == order_id, order_events.c.seq >= TIMELINE_FROM)
        .order_by(order_events.c.seq)
    )
    return [dict(row._mapping) for row in rows]


async def remember_pickup_code(conn: AsyncConnection, order_id: str, code: str) -> None:
    """The code the order was collected with (a repeat changes nothing)."""
    await conn.execute(
        insert(collected_pickup_codes)
        .values(order_id=order_id, code=code)
        .on_conflict_do_nothing(index_elements=[collected_pickup_codes.c.order_id])
    )


async def collected_with_code(conn: AsyncConnection, code: str) -> list[str]:
    """The orders collected with this pickup code, latest first (codes repeat across orders and stores)."""
    found = await conn.scalars(
        select(collected_pickup_codes.c.order_id)
        .where(collected_pickup_codes.c.code == code)
        .order_by(collected_pickup_codes.c.collected_at.desc())
    )
    return list(found)
