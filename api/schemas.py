"""HTTP bodies and answers that wrap the domain contract."""

from pydantic import BaseModel, Field

from domain.stock import StockLevel
from domain.values import Actor, PickedLine, Reason, RoutingState, ShortLine


class StoreActionBody(BaseModel):
    associate: str | None = Field(default=None, max_length=80, description="who at the store did it")

    def actor(self, store_id: str) -> str:
        return f"store:{store_id}" + (f"/{self.associate}" if self.associate else "")


class PickBody(StoreActionBody):
    lines: list[PickedLine] = Field(min_length=1)


class ReadyBody(StoreActionBody):
    staging_location: str = Field(min_length=1, max_length=60, examples=["shelf B3"])


class CollectBody(StoreActionBody):
    pickup_code: str = Field(pattern=r"^[0-9]{6}$")
    lines: list[PickedLine] | None = Field(
        default=None, description="what the customer takes when not everything; the rest is refunded"
    )


class ShortPickBody(StoreActionBody):
    lines: list[ShortLine] = Field(min_length=1, description="per line, the units missing and why")


class RejectBody(StoreActionBody):
    reason: Reason


class CancelBody(BaseModel):
    reason: Reason
    actor: Actor = "support"


class AcceptedOrder(BaseModel):
    """202: the order is durable and will be reserved as soon as a worker is back."""

    order_id: str
    status: str = "accepted_pending_reservation"
    message: str = "the order is recorded and will be processed; poll GET /v1/orders/{order_id}"


class StockLevelPublic(BaseModel):
    store_id: str
    sku: str
    on_hand: int
    reserved: int
    available: int

    safety_stock: int = 0

    @classmethod
    def of(cls, level: StockLevel) -> "StockLevelPublic":
        return cls(**level.model_dump(), available=level.available)


class StockCount(BaseModel):
    on_hand: int | None = Field(default=None, ge=0, le=1_000_000, description="absolute count, taken now")
    safety_stock: int | None = Field(default=None, ge=0, le=1_000_000, description="units never promised")


class StoreRoutingBody(BaseModel):
    """Whether a store takes new and re-routed orders, and how many it can prepare. Fields left out stay
    as they are; a capacity set to null means none is known (no load term in routing)."""

    routing: RoutingState | None = Field(default=None, description="open, closed (today) or frozen (count)")
    orders_per_hour: int | None = Field(default=None, ge=1, le=10_000)
    orders_per_day: int | None = Field(default=None, ge=1, le=100_000)
