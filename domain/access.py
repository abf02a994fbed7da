"""Staff roles and what an API key grants."""

from enum import StrEnum

from pydantic import BaseModel


class Role(StrEnum):
    CHANNEL = "channel"
    STORE = "store"
    SUPPORT = "support"
    OPS = "ops"


class Grant(BaseModel):
    """What one API key allows."""

    role: Role
    store_id: str | None = None  # for `store` keys
    channel: str | None = None  # for `channel` keys
    name: str = ""
