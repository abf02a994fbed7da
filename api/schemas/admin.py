"""HTTP contracts of the admin API (master data and API keys). Stores and products are validated by the
same models as `oms import` (domain/master_data.py), so a body and a file row are refused alike."""

from datetime import datetime
from typing import Annotated

from pydantic import Field

from api.schemas.base import Public
from domain.access import Role
from domain.contract import Contract, PlainLine
from domain.master_data import DaySpans, Location, ProductFields, ProductRecord, StoreFields, StoreRecord
from domain.values import ChannelRef, StoreId


class StoreBody(StoreFields):
    """A store as ops describe it; on an update, a field left out keeps its value."""


class StoreRecordPublic(StoreRecord):
    pass


class ProductBody(ProductFields):
    """A product; on an update, a field left out keeps its value. `active: false` stops new orders."""


class ProductPublic(ProductRecord):
    pass


class LocationBody(Contract):
    location: Location


class LocationPublic(Public):
    store_id: str
    sku: str
    location: str


class SpecialDayBody(Contract):
    hours: DaySpans = Field(default_factory=list, max_length=4, description="empty: closed all day")
    note: Annotated[PlainLine, Field(max_length=120)] | None = None


class ApiKeyBody(Contract):
    name: Annotated[PlainLine, Field(min_length=1, max_length=120, examples=["shopify-prod"])]
    role: Role
    store_id: StoreId | None = Field(default=None, description="a store key's store")
    channel: ChannelRef | None = Field(default=None, description="a channel key's channel")


class ApiKeyPublic(Public):
    """A key as listed: its id and prefix, never its secret."""

    id: str
    prefix: str
    name: str
    role: Role
    store_id: str | None
    channel: str | None
    created_at: datetime
    revoked_at: datetime | None
    replaced_by: str | None


class ApiKeyCreated(ApiKeyPublic):
    key: str = Field(description="the secret key, shown this once: keep it in the caller's secret store")
