"""HTTP contracts of returns: what the counter sends, and the return as answered."""

from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field

from api.schemas.orders import StoreActionBody
from domain.returns import ReturnLine
from domain.values import StoreId


class ReturnBody(StoreActionBody):
    order: str = Field(
        min_length=1,
        max_length=160,
        description=(
            "the order id (what the receipt's return code encodes), the channel's order number, or the "
            "pickup code it was collected with (what the customer's QR encodes)"
        ),
    )
    store_id: StoreId = Field(description="the store the items were brought back to")
    lines: list[ReturnLine] = Field(min_length=1, max_length=100)
    request_key: str = Field(
        min_length=8,
        max_length=120,
        pattern=r"^[A-Za-z0-9._:-]+$",
        description="one per return form: a second submit answers the same return",
    )


class ReturnPublic(BaseModel):
    return_id: str
    order_id: str
    number: int
    store_id: str
    status: str
    lines: list[ReturnLine]
    refund: Decimal
    currency: str
    actor: str
    created_at: datetime

    @classmethod
    def of(cls, row: dict[str, Any]) -> "ReturnPublic":
        return cls(return_id=row["id"], **{k: v for k, v in row.items() if k in cls.model_fields})
