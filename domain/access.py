"""Staff roles and what an API key grants."""

import hashlib
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

    @property
    def identity(self) -> str:
        """Who acts, as an order's timeline records it: the key's role and the store, channel or name it
        is bound to (`store:paris-rivoli`, `channel:webshop`, `support:ana`), never what a body claims."""
        bound = {Role.STORE: self.store_id, Role.CHANNEL: self.channel}.get(self.role, self.name)
        return f"{self.role.value}:{bound[:100]}" if bound else self.role.value


def key_digest(key: str) -> str:
    """What is kept of an API key: its SHA-256, in hex."""
    return hashlib.sha256(key.encode()).hexdigest()


TEMPORAL = "temporal:"  # the actor of what reaches an order from the Temporal UI or CLI, not the API


def from_temporal(stated: str) -> str:
    """The actor of a signal: whoever reaches Temporal may name anyone, so it is marked as such."""
    return stated if stated.startswith(TEMPORAL) else f"{TEMPORAL}{stated}"


def noted(reason: str, stated_actor: str | None, limit: int = 500) -> str:
    """A reason with the actor the caller stated, as a note: the actor recorded is the key's identity."""
    if not stated_actor:
        return reason
    note = f" (stated by the caller: {stated_actor})"
    return reason[: limit - len(note)] + note
