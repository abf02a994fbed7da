"""HTTP contracts of intake failures: dead letters and their groups, as ops see them."""

from datetime import datetime
from decimal import Decimal
from typing import Any

from api.schemas.base import Public


class DeadLetterPublic(Public):
    id: int
    channel: str
    payload: Any
    reasons: list[dict[str, Any]]
    status: str  # open | replayed | erased
    order_id: str | None
    received_at: datetime
    updated_at: datetime


class DeadLetterGroupPublic(Public):
    id: str
    channel: str
    field: str
    reason: str
    count: int
    first_seen: datetime
    last_seen: datetime
    value_at_stake: dict[str, Decimal]
    letters: list[int]
