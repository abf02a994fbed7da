"""Orders from sales channels in their own shapes (Shopify webhooks, ...), authenticated by signature."""

import json
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response

from adapters.channels import ChannelAdapter, ChannelContext, SignatureRejected, adapters
from api.access import authorize
from api.channel_schemas import VariantMappingBody, VariantMappingPublic
from api.deps import ClientDep, EngineDep, SettingsDep
from api.errors import ApiError, not_found
from api.schemas import AcceptedOrder
from config.settings import Settings
from domain.order_state import OrderView
from services import channel_catalogue
from services.dead_letters import channel_context
from services.intake import dead_letter, take_order

router = APIRouter(prefix="/v1/channels", tags=["channels"])


async def signed_body(adapter: ChannelAdapter, request: Request, settings: Settings) -> bytes:
    """The raw body, once the signature is known to be there (before reading) and right (after)."""
    secrets = ChannelContext(stores=[], secret=settings.shopify_webhook_secret)
    try:
        adapter.signature_present(request.headers, secrets)
        body = await request.body()  # bounded by the route's limit (api/door.py)
        adapter.verify(request.headers, body, secrets)
    except SignatureRejected as refused:
        error = "signature_missing" if refused.status == 401 else "signature_invalid"
        raise ApiError(refused.status, error, str(refused)) from None
    return body


@router.post("/{channel}/orders", response_model=OrderView | AcceptedOrder, status_code=201)
async def channel_order(
    channel: str,
    request: Request,
    response: Response,
    client: ClientDep,
    engine: EngineDep,
    settings: SettingsDep,
) -> OrderView | AcceptedOrder:
    """A channel's order webhook: signature checked (401/403, nothing kept), payload mapped to our order;
    invalid payloads answer 422 naming every bad field and are kept as dead letters."""
    adapter = adapters().get(channel)
    if adapter is None:
        raise not_found("channel", channel)
    body = await signed_body(adapter, request, settings)
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        reasons = [{"loc": ["body"], "msg": "not JSON", "type": "value_error"}]
        raise await dead_letter(engine, channel, body.decode(errors="replace"), reasons) from None
    context = await channel_context(engine, settings, adapter, payload)
    parse = lambda p: adapter.to_placement(p, context)  # noqa: E731
    answer = await take_order(client, engine, settings, channel, payload, parse, rules=context.rules)
    response.status_code = answer.status_code
    return answer.order if answer.order else AcceptedOrder(order_id=answer.order_id)


@router.put(
    "/{channel}/products/{variant_id}",
    response_model=VariantMappingPublic,
    dependencies=[Depends(authorize)],
)
async def map_variant(
    channel: Annotated[str, Path(max_length=64)],
    variant_id: Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")],
    body: VariantMappingBody,
    engine: EngineDep,
) -> VariantMappingPublic:
    """Map a channel's variant id to one of our SKUs (404 for an unknown channel or SKU); then replay
    the dead letters it refused (`POST /v1/dead-letters/groups/{group_id}/replay`)."""
    await channel_catalogue.map_variant(engine, channel, body.account, variant_id, body.sku)
    return VariantMappingPublic(channel=channel, variant_id=variant_id, sku=body.sku, account=body.account)
