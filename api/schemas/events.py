"""HTTP bodies and answers of the order events' subscriptions (the secret is written, never read)."""

from datetime import datetime

from pydantic import AnyHttpUrl, BaseModel, Field

from api.schemas.base import Public
from domain.order_events import OrderEventType
from domain.values import ChannelRef


class SubscriptionBody(BaseModel):
    """A channel's receiver: every event of the channel's orders of the listed types (none: every type)."""

    model_config = {"extra": "forbid"}

    channel: ChannelRef
    url: AnyHttpUrl = Field(description="where events are POSTed (https in production)")
    secret: str = Field(
        min_length=16,
        max_length=200,
        pattern=r"^[\x21-\x7e]+$",
        description="signs each delivery (write-only)",
    )
    event_types: list[OrderEventType] = Field(default=[], max_length=len(OrderEventType))


class SubscriptionPublic(Public):
    id: str
    channel: str
    url: str
    event_types: list[str]
    created_at: datetime


class DeliveryRequeued(BaseModel):
    """A dead event delivery replayed: pending again, the order's later events after it."""

    dead_letter_id: int
    order_id: str
    status: str = "requeued"
