"""Erasing a customer's personal data from the read model and the outbox (their key is destroyed too).

Orders, stock and payments stay as they were: only who the customer was is removed."""

import json

from sqlalchemy import func, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.db.tables import notifications, orders

ERASED_NAME = "[erased]"
ERASED_EMAIL = "erased@erased.invalid"  # a reserved domain: valid in form, never deliverable
ERASED_PHONE = "+10000000000"
_EMAIL = orders.c.view["placement"]["customer"]["email"].astext


async def orders_of(conn: AsyncConnection, email: str) -> list[tuple[str, str]]:
    """(order id, status) of every order placed with this email."""
    rows = await conn.execute(
        select(orders.c.id, orders.c.status).where(func.lower(_EMAIL) == email.strip().lower())
    )
    return [(row.id, row.status) for row in rows]


async def redact(conn: AsyncConnection, order_ids: list[str]) -> None:
    if not order_ids:
        return
    customer = {"name": ERASED_NAME, "email": ERASED_EMAIL, "phone": ERASED_PHONE}
    await conn.execute(
        text(
            "UPDATE orders SET view = jsonb_set(view, '{placement,customer}', "
            "(view #> '{placement,customer}') || CAST(:customer AS jsonb)) WHERE id = ANY(:ids)"
        ),
        {"customer": json.dumps(customer), "ids": order_ids},
    )
    await conn.execute(
        update(notifications)
        .where(notifications.c.order_id.in_(order_ids))
        .values(recipient=ERASED_NAME, subject=ERASED_NAME, body=ERASED_NAME, updated_at=func.now())
    )
