"""Order intake, reading an order, and support actions."""

from typing import Any

from fastapi import APIRouter, Depends, Response, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from adapters.db import outbox
from adapters.db.outbox import OutboxMessage
from api.access import GrantDep, authorize, check_order, shown
from api.deps import ClientDep, EngineDep, SettingsDep
from api.errors import ApiError
from api.routes.tracking import tracking_token
from api.schemas import AcceptedOrder, CancelBody
from domain import ids
from domain.access import Role
from domain.commands import Cancellation, CustomerChoice, ResendRequest, SupportAction
from domain.order_state import OrderView
from domain.values import OrderPlacement
from services.intake import CANONICAL, take_order
from services.orders import find_order, update_order

router = APIRouter(prefix="/v1/orders", tags=["orders"], dependencies=[Depends(authorize)])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=OrderView | AcceptedOrder,
    responses={
        200: {"description": "a repeat of an order already placed: the same order"},
        202: {"model": AcceptedOrder, "description": "no worker answered in time; the order will proceed"},
        404: {"description": "unknown pickup store"},
        409: {
            "description": "insufficient_stock (with the missing lines and the nearby stores that can "
            "serve the basket) or channel_order_conflict"
        },
    },
)
async def create_order(
    placement: OrderPlacement,
    response: Response,
    client: ClientDep,
    engine: EngineDep,
    settings: SettingsDep,
    grant: GrantDep,
) -> OrderView | AcceptedOrder:
    """Place a click & collect order: every line is reserved at the pickup store, or none is."""
    if grant.role is Role.CHANNEL and placement.channel != grant.channel:
        raise ApiError(403, "forbidden", f"this key places orders for channel {grant.channel!r} only")
    answer = await take_order(
        client, engine, settings, CANONICAL, placement.model_dump(mode="json"), lambda _: placement
    )
    response.status_code = answer.status_code
    if answer.order is None:
        return AcceptedOrder(order_id=answer.order_id)
    return answer.order


@router.get("/{order_id}", response_model=OrderView)
async def get_order(order_id: str, client: ClientDep, engine: EngineDep, grant: GrantDep) -> Any:
    """The order with its timeline: every transition with time, actor and reason."""
    order = await find_order(client, engine, order_id)
    check_order(grant, order)
    return JSONResponse(shown(grant, [order])[0])


@router.get("/{order_id}/notifications", response_model=list[OutboxMessage])
async def list_notifications(order_id: str, client: ClientDep, engine: EngineDep) -> list[OutboxMessage]:
    """What the customer was sent about this order, oldest first."""
    await find_order(client, engine, order_id)
    async with engine.connect() as conn:
        return await outbox.for_order(conn, order_id)


@router.post("/{order_id}/notifications/resend", response_model=list[OutboxMessage])
async def resend_notification(
    order_id: str, body: ResendRequest, client: ClientDep, engine: EngineDep, settings: SettingsDep
) -> list[OutboxMessage]:
    """Send the last message of a kind again (e.g. the pickup code); answers the messages of that kind."""
    order = await find_order(client, engine, order_id)
    await update_order(
        client, order, ids.UPDATE_RESEND_NOTIFICATION, body, settings.update_wait, result_type=int
    )
    async with engine.connect() as conn:
        return [m for m in await outbox.for_order(conn, order_id) if m.kind == body.kind.value]


@router.post("/{order_id}/pickup/unlock", response_model=OrderView)
async def unlock_pickup(
    order_id: str,
    client: ClientDep,
    engine: EngineDep,
    settings: SettingsDep,
    body: SupportAction | None = None,
) -> OrderView:
    """After too many wrong pickup codes collection is locked; support unlocks it once they have checked."""
    order = await find_order(client, engine, order_id)
    return await update_order(
        client, order, ids.UPDATE_UNLOCK_PICKUP, body or SupportAction(), settings.update_wait
    )


class TrackingLink(BaseModel):
    url: str


@router.get("/{order_id}/tracking-link", response_model=TrackingLink)
async def tracking_link(
    order_id: str, client: ClientDep, engine: EngineDep, settings: SettingsDep, grant: GrantDep
) -> TrackingLink:
    """The link a channel gives its customer: status, store and pickup code, no login."""
    check_order(grant, await find_order(client, engine, order_id))
    if not settings.tracking_secret:
        raise ApiError(404, "not_configured", "tracking links need OMS_TRACKING_SECRET")
    token = tracking_token(settings.tracking_secret, order_id)
    return TrackingLink(url=f"{settings.public_url.rstrip('/')}/v1/track/{order_id}/{token}")


@router.post("/{order_id}/cancel", response_model=OrderView)
async def cancel_order(
    order_id: str, body: CancelBody, client: ClientDep, engine: EngineDep, settings: SettingsDep
) -> OrderView:
    """Cancel before collection: stock is released, the payment voided, the customer told."""
    order = await find_order(client, engine, order_id)
    cancellation = Cancellation(reason=body.reason, actor=body.actor)
    return await update_order(client, order, ids.UPDATE_CANCEL, cancellation, settings.update_wait)


@router.post("/{order_id}/choice", response_model=OrderView)
async def choose(
    order_id: str,
    body: CustomerChoice,
    client: ClientDep,
    engine: EngineDep,
    settings: SettingsDep,
    grant: GrantDep,
) -> OrderView:
    """The customer's answer when the store could not serve the whole order (the channel or support
    passes it on): another offered store, home delivery, collect what is there, or a refund."""
    order = await find_order(client, engine, order_id)
    check_order(grant, order)
    return await update_order(client, order, ids.UPDATE_CHOOSE, body, settings.update_wait)
