"""HTTP contracts of stores, stock, holds, availability, the stock feed and alerts."""

from datetime import datetime

from pydantic import BaseModel, Field

from api.schemas.base import Public
from domain.availability import StoreAvailability
from domain.slots import Slot
from domain.stock import StockLevel
from domain.values import (
    OpeningHours,
    OrderLine,
    PickedLine,
    RoutingState,
    StockAtRisk,
    StoreId,
    StoreKind,
)

# ---- stores, stock, holds, availability -----------------------------------------------------------


class StorePublic(Public):
    id: str
    name: str
    city: str
    address: str
    latitude: float
    longitude: float
    timezone: str
    opening_hours: list[OpeningHours]
    email: str | None = None
    kind: StoreKind = StoreKind.STORE
    routing: RoutingState = RoutingState.OPEN
    orders_per_hour: int | None = None
    orders_per_day: int | None = None
    ships: bool = False
    country: str | None = None


class SlotPublic(BaseModel):
    """A pickup slot and the orders it can still hand over."""

    starts_at: datetime
    ends_at: datetime
    capacity: int = Field(description="orders the slot hands over (the store's staffing that weekday)")
    remaining: int = Field(description="places still free")

    @classmethod
    def of(cls, slot: Slot) -> "SlotPublic":
        return cls(
            starts_at=slot.starts_at,
            ends_at=slot.ends_at,
            capacity=slot.capacity,
            remaining=slot.remaining or 0,
        )


class StoreRoutingBody(BaseModel):
    """Whether a store takes new and re-routed orders, and how many it can prepare. Fields left out stay
    as they are; a capacity set to null means none is known (no load term in routing)."""

    routing: RoutingState | None = Field(default=None, description="open, closed (today) or frozen (count)")
    orders_per_hour: int | None = Field(default=None, ge=1, le=10_000)
    orders_per_day: int | None = Field(default=None, ge=1, le=100_000)


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


class StockCountBody(BaseModel):
    on_hand: int | None = Field(default=None, ge=0, le=1_000_000, description="absolute count, taken now")
    safety_stock: int | None = Field(default=None, ge=0, le=1_000_000, description="units never promised")


class HoldBody(BaseModel):
    store_id: StoreId
    lines: list[PickedLine] = Field(min_length=1, max_length=100)
    minutes: int | None = Field(default=None, ge=1, le=240, description="default OMS_CHECKOUT_HOLD")


class HoldPublic(Public):
    hold_id: str
    store_id: str
    lines: list[PickedLine]
    expires_at: datetime
    active: bool


class AvailabilityPublic(BaseModel):
    basket: list[OrderLine]
    stores: list[StoreAvailability]


# ---- the stock feed and alerts ---------------------------------------------------------------------


class EventResultPublic(Public):
    event_id: str
    status: str = Field(description="applied | repeat | superseded (a count older than one already applied)")
    on_hand_delta: int
    superseded_by: datetime | None = Field(default=None, description="when the count that stands was taken")


class RejectionPublic(Public):
    index: int
    event_id: str | None
    reasons: list[str]


class AtRiskPublic(Public):
    order_id: str
    risk: StockAtRisk


class AlertPublic(Public):
    id: int
    store_id: str
    sku: str
    on_hand: int
    reserved: int
    safety_stock: int
    raised_at: datetime
    cleared_at: datetime | None


class FeedPublic(Public):
    """What a feed batch did: events applied (or repeated), rejected, the orders put at risk, the
    replenishment alerts raised."""

    applied: list[EventResultPublic]
    rejected: list[RejectionPublic]
    at_risk: list[AtRiskPublic]
    alerts: list[AlertPublic]


class SupportAlertPublic(Public):
    id: int
    order_id: str
    kind: str
    detail: str
    raised_at: datetime
    resolved_at: datetime | None
