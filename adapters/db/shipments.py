"""Shipments: the embedded carrier records one per order, with its tracking number."""

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.db.tables import shipments
from domain.values import Address, Shipment


async def create(conn: AsyncConnection, shipment: Shipment, address: Address) -> Shipment:
    """Book the shipment once; a repeat for the same order returns the one booked first."""
    await conn.execute(
        insert(shipments)
        .values(
            **shipment.model_dump(mode="json", exclude={"lines"}),
            lines=[line.model_dump(mode="json") for line in shipment.lines],
            address=address.model_dump(mode="json"),
        )
        .on_conflict_do_nothing(index_elements=[shipments.c.order_id])
    )
    booked = await get(conn, shipment.order_id)
    assert booked is not None
    return booked


async def get(conn: AsyncConnection, order_id: str) -> Shipment | None:
    row = (await conn.execute(select(shipments).where(shipments.c.order_id == order_id))).first()
    if row is None:
        return None
    return Shipment.model_validate({key: getattr(row, key) for key in Shipment.model_fields})
