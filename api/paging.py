"""Pages of a long answer: an opaque cursor for where the next page starts, given back in a Link header
(RFC 8288, `rel="next"`) so the body keeps its shape."""

import base64
import binascii
import json
from datetime import datetime

from fastapi import Request

from adapters.db.orders import QueueKey
from api.errors import invalid_field
from domain.contract import storable_text

_BAD_CURSOR = 'not a cursor this list gave (its Link header\'s rel="next"): start again without it'


def queue_cursor(key: QueueKey) -> str:
    """The key of the last order of a page, as a URL-safe token."""
    raw = json.dumps([key.created_at.isoformat(), key.order_id], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def queue_key(cursor: str) -> QueueKey:
    """The key a cursor stands for; 422 naming `cursor` when it is not one we gave."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        created_at, order_id = json.loads(raw)
        at = datetime.fromisoformat(created_at)
        if not isinstance(order_id, str) or at.tzinfo is None:
            raise ValueError("not a key")
        storable_text(order_id)  # a NUL or a lone surrogate would reach PostgreSQL
    except (binascii.Error, ValueError, TypeError):
        raise invalid_field(["query", "cursor"], _BAD_CURSOR) from None
    return QueueKey(at, order_id)


def next_link(request: Request, cursor: str) -> str:
    """The Link header naming the next page: this request's path and query, with the new cursor."""
    url = request.url.include_query_params(cursor=cursor)
    return f'<{url.path}?{url.query}>; rel="next"'
