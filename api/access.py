"""Who may call what: API keys carry a role, and every route declares its roles here, in one place.

Roles: `channel` (bound to one sales channel: places and reads its own orders), `store` (bound to one
store: its queue, stock and preparation steps on its orders), `support` (reads any order, cancels,
re-sends messages), `ops` (everything: stock feed, alerts, rejected events)."""

import hmac
from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from api.errors import ApiError
from domain.access import Grant, Role, key_digest
from domain.order_state import OrderView
from services.api_keys import KeyRing

CHANNEL, STORE, SUPPORT, OPS = Role.CHANNEL, Role.STORE, Role.SUPPORT, Role.OPS
ROUTE_ROLES: dict[tuple[str, str], frozenset[Role]] = {
    ("POST", "/v1/orders"): frozenset({CHANNEL, OPS}),
    ("GET", "/v1/orders/{order_id}"): frozenset({CHANNEL, STORE, SUPPORT, OPS}),
    ("GET", "/v1/orders/{order_id}/notifications"): frozenset({SUPPORT, OPS}),
    ("POST", "/v1/orders/{order_id}/notifications/resend"): frozenset({SUPPORT, OPS}),
    ("POST", "/v1/orders/{order_id}/cancel"): frozenset({SUPPORT, OPS}),
    ("POST", "/v1/orders/{order_id}/choice"): frozenset({CHANNEL, SUPPORT, OPS}),
    ("POST", "/v1/orders/{order_id}/pickup-slot"): frozenset({CHANNEL, SUPPORT, OPS}),
    ("POST", "/v1/orders/{order_id}/pickup/unlock"): frozenset({SUPPORT, OPS}),
    ("GET", "/v1/orders/{order_id}/tracking-link"): frozenset({CHANNEL, SUPPORT, OPS}),
    ("GET", "/v1/stores"): frozenset({CHANNEL, STORE, SUPPORT, OPS}),
    ("GET", "/v1/stores/{store_id}"): frozenset({CHANNEL, STORE, SUPPORT, OPS}),
    ("GET", "/v1/stores/{store_id}/orders"): frozenset({STORE, SUPPORT, OPS}),
    ("GET", "/v1/stores/{store_id}/slots"): frozenset({CHANNEL, STORE, SUPPORT, OPS}),
    ("POST", "/v1/stores/{store_id}/orders/{order_id}/accept"): frozenset({STORE, OPS}),
    ("POST", "/v1/stores/{store_id}/orders/{order_id}/pick"): frozenset({STORE, OPS}),
    ("POST", "/v1/stores/{store_id}/orders/{order_id}/ready"): frozenset({STORE, OPS}),
    ("POST", "/v1/stores/{store_id}/orders/{order_id}/collect"): frozenset({STORE, OPS}),
    ("POST", "/v1/stores/{store_id}/orders/{order_id}/short-pick"): frozenset({STORE, OPS}),
    ("POST", "/v1/stores/{store_id}/orders/{order_id}/reject"): frozenset({STORE, OPS}),
    ("GET", "/v1/stores/{store_id}/stock/{sku}"): frozenset({CHANNEL, STORE, SUPPORT, OPS}),
    ("PUT", "/v1/stores/{store_id}/stock/{sku}"): frozenset({STORE, OPS}),
    ("PATCH", "/v1/stores/{store_id}/routing"): frozenset({STORE, OPS}),
    ("POST", "/v1/inventory/events"): frozenset({OPS}),
    ("GET", "/v1/inventory/alerts"): frozenset({STORE, OPS}),
    ("GET", "/v1/inventory/rejections"): frozenset({OPS}),
    ("GET", "/v1/inventory/ledger/{store_id}/{sku}"): frozenset({STORE, OPS}),
    ("GET", "/v1/availability"): frozenset({CHANNEL, STORE, SUPPORT, OPS}),
    ("POST", "/v1/holds"): frozenset({CHANNEL, OPS}),
    ("GET", "/v1/holds/{hold_id}"): frozenset({CHANNEL, OPS}),
    ("DELETE", "/v1/holds/{hold_id}"): frozenset({CHANNEL, OPS}),
    ("GET", "/v1/support/alerts"): frozenset({SUPPORT, OPS}),
    ("GET", "/v1/dead-letters"): frozenset({OPS}),
    ("POST", "/v1/customers/erasure"): frozenset({SUPPORT, OPS}),
    ("POST", "/v1/customers/keys/rewrap"): frozenset({OPS}),
    ("POST", "/codec/decode"): frozenset({SUPPORT, OPS}),
    ("POST", "/codec/encode"): frozenset({OPS}),  # what the Temporal UI sends to workflows: ops acts there
    ("POST", "/v1/dead-letters/{dead_letter_id}/replay"): frozenset({OPS}),
    ("GET", "/v1/dead-letters/groups"): frozenset({SUPPORT, OPS}),
    ("POST", "/v1/dead-letters/groups/{group_id}/replay"): frozenset({OPS}),
    ("POST", "/v1/admin/subscriptions"): frozenset({OPS}),
    ("GET", "/v1/admin/subscriptions"): frozenset({OPS}),
    ("GET", "/v1/admin/subscriptions/{subscription_id}"): frozenset({OPS}),
    ("DELETE", "/v1/admin/subscriptions/{subscription_id}"): frozenset({OPS}),
    ("PUT", "/v1/channels/{channel}/products/{variant_id}"): frozenset({OPS}),
    ("GET", "/metrics"): frozenset({OPS}),  # Prometheus scrapes with an ops key as its bearer token
    ("POST", "/v1/returns"): frozenset({STORE, SUPPORT, OPS}),
    ("GET", "/v1/returns/{return_id}"): frozenset({STORE, SUPPORT, OPS}),
    ("GET", "/v1/kpis"): frozenset({STORE, OPS}),  # a store's key: its own store's (services/kpis.py)
    ("GET", "/v1/kpis.csv"): frozenset({STORE, OPS}),
    # Master data and API keys (docs/integration.md): ops only.
    ("GET", "/v1/admin/stores"): frozenset({OPS}),
    ("GET", "/v1/admin/stores/{store_id}"): frozenset({OPS}),
    ("PUT", "/v1/admin/stores/{store_id}"): frozenset({OPS}),
    ("GET", "/v1/admin/stores/{store_id}/locations"): frozenset({OPS}),
    ("PUT", "/v1/admin/stores/{store_id}/locations/{sku}"): frozenset({OPS}),
    ("PUT", "/v1/admin/stores/{store_id}/special-days/{day}"): frozenset({OPS}),
    ("GET", "/v1/admin/products"): frozenset({OPS}),
    ("GET", "/v1/admin/products/{sku}"): frozenset({OPS}),
    ("PUT", "/v1/admin/products/{sku}"): frozenset({OPS}),
    ("GET", "/v1/admin/api-keys"): frozenset({OPS}),
    ("POST", "/v1/admin/api-keys"): frozenset({OPS}),
    ("POST", "/v1/admin/api-keys/{key_id}/revoke"): frozenset({OPS}),
    ("POST", "/v1/admin/api-keys/{key_id}/rotate"): frozenset({OPS}),
}
"""Every authenticated route and the roles allowed on it; a route missing here is refused to all."""

_api_key = APIKeyHeader(name="X-API-Key", auto_error=False, description="an API key (see docs/access.md)")
_bearer = HTTPBearer(
    auto_error=False, description="the same key as a bearer token (the Temporal UI's codec calls)"
)


async def grant_for(request: Request, key: str | None) -> Grant | None:
    """The grant of a configured key (OMS_API_KEYS, demo keys), else of a key ops created (the key ring
    of services/api_keys.py: no query per request, a revocation holds within seconds)."""
    grants: dict[str, Grant] = request.app.state.grants  # by digest: keys are not kept in memory in clear
    if not key:
        return None
    digest = key_digest(key)
    for known, grant in grants.items():
        if hmac.compare_digest(known, digest):
            return grant
    ring: KeyRing | None = getattr(request.app.state, "key_ring", None)
    return await ring.grant(digest) if ring else None


def admit(grant: Grant | None, method: str, path: str, path_params: Mapping[str, Any]) -> Grant:
    """401 without a valid key, 403 when the route (its template) does not allow the key's role or store."""
    if grant is None:
        raise ApiError(401, "unauthenticated", "an API key is required (header X-API-Key)")
    if grant.role not in ROUTE_ROLES.get((method, path), frozenset()):
        raise ApiError(403, "forbidden", f"the {grant.role.value} role may not do this")
    store_in_path = path_params.get("store_id")
    if grant.role is Role.STORE and store_in_path is not None and store_in_path != grant.store_id:
        raise ApiError(403, "forbidden", "this key belongs to another store")
    return grant


async def authorize(
    request: Request,
    key: Annotated[str | None, Depends(_api_key)],
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Grant:
    """The key's grant for this route (the door checked it before the body was read: api/door.py)."""
    grant = await grant_for(request, key or (bearer.credentials if bearer else None))
    route_path = getattr(request.scope.get("route"), "path", "")
    return admit(grant, request.method, route_path, request.path_params)


GrantDep = Annotated[Grant, Depends(authorize)]


def may_see_order(grant: Grant, store_id: str, channel: str) -> bool:
    """Channels see their own orders, store staff their store's, support and ops all of them."""
    if grant.role is Role.CHANNEL:
        return channel == grant.channel
    if grant.role is Role.STORE:
        return store_id == grant.store_id
    return True


def sees_contact_data(grant: Grant) -> bool:
    """Store staff hand orders over by name and pickup code: they have no need of email or phone."""
    return grant.role is not Role.STORE


def check_order(grant: Grant, order: OrderView) -> None:
    """403 unless this key may see the order (its channel's, its store's, or any for support and ops)."""
    if not may_see_order(grant, order.store_id, order.placement.channel):
        raise ApiError(403, "forbidden", "this order belongs to another channel or store")


REDACTED = "(not shown to store staff)"


def shown(grant: Grant, orders: list[OrderView]) -> list[dict[str, Any]]:
    """Orders as this key may see them: store staff get the customer's name, not their email or phone."""
    documents = [order.model_dump(mode="json") for order in orders]
    if not sees_contact_data(grant):
        for document in documents:
            document["placement"]["customer"].update(email=REDACTED, phone=REDACTED)
    return documents
