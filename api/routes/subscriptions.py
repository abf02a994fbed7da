"""Ops subscribe a channel's receiver to its order events (docs/integration.md)."""

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response

from api.access import authorize
from api.deps import ClientDep, EngineDep, SettingsDep
from api.schemas.events import SubscriptionBody, SubscriptionPublic
from domain.ids import CHANNEL_REF_PATTERN
from services import order_events

router = APIRouter(prefix="/v1/admin/subscriptions", tags=["order events"], dependencies=[Depends(authorize)])
SubscriptionId = Annotated[str, Path(pattern=r"^sub-[0-9a-f]{24}$")]


@router.post("", response_model=SubscriptionPublic, status_code=201)
async def subscribe(
    body: SubscriptionBody, client: ClientDep, engine: EngineDep, settings: SettingsDep
) -> SubscriptionPublic:
    """Record the subscription and start its delivery; events recorded from now on are delivered."""
    subscription = await order_events.subscribe(
        client,
        engine,
        settings.task_queue,
        body.channel,
        str(body.url),
        body.secret,
        [event_type.value for event_type in body.event_types],
    )
    return SubscriptionPublic.of(subscription)


@router.get("", response_model=list[SubscriptionPublic])
async def list_subscriptions(
    engine: EngineDep, channel: Annotated[str | None, Query(pattern=CHANNEL_REF_PATTERN)] = None
) -> list[SubscriptionPublic]:
    return [SubscriptionPublic.of(found) for found in await order_events.subscriptions(engine, channel)]


@router.get("/{subscription_id}", response_model=SubscriptionPublic)
async def get_subscription(subscription_id: SubscriptionId, engine: EngineDep) -> SubscriptionPublic:
    return SubscriptionPublic.of(await order_events.subscription(engine, subscription_id))


@router.delete("/{subscription_id}", status_code=204)
async def unsubscribe(subscription_id: SubscriptionId, engine: EngineDep) -> Response:
    """Deleted with the deliveries still open; its delivery workflow ends within a minute."""
    await order_events.unsubscribe(engine, subscription_id)
    return Response(status_code=204)
