"""Order intake, reading an order, and support actions."""

from datetime import UTC, datetime

from fastapi import APIRouter, Depends, Response, status

from api.access import GrantDep, authorize, check_order, sees_contact_data
from api.deps import ClientDep, DeskDep, EngineDep, SettingsDep
from api.errors import ApiError
from api.schemas import (
    AcceptedOrder,
    CancelBody,
    ChoiceBody,
    MessagePublic,
    OrderBody,
    OrderPublic,
    ResendBody,
    SupportActionBody,
    TrackingLinkPublic,
)
from api.schemas.orders import PickupSlotBody, ReturnSummary
from domain.access import Role
from domain.slots import PickupSlot
from services import orders, pickup_page, returns
from services.errors import InvalidField
from services.intake import CANONICAL, take_order
from services.tracking import tracking_url

router = APIRouter(prefix="/v1/orders", tags=["orders"], dependencies=[Depends(authorize)])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=OrderPublic | AcceptedOrder,
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
    body: OrderBody,
    response: Response,
    client: ClientDep,
    engine: EngineDep,
    settings: SettingsDep,
    grant: GrantDep,
) -> OrderPublic | AcceptedOrder:
    """Place a click & collect order: every line is reserved at the pickup store, or none is."""
    if grant.role is Role.CHANNEL and body.channel != grant.channel:
        raise ApiError(403, "forbidden", f"this key places orders for channel {grant.channel!r} only")
    placement = body.placement()
    answer = await take_order(
        client, engine, settings, CANONICAL, placement.model_dump(mode="json"), lambda _: placement
    )
    response.status_code = answer.status_code
    if answer.order is None:
        return AcceptedOrder(order_id=answer.order_id)
    return OrderPublic.seen(answer.order)


@router.get("/{order_id}", response_model=OrderPublic)
async def get_order(order_id: str, desk: DeskDep, grant: GrantDep) -> OrderPublic:
    """The order with its timeline: every transition with time, actor and reason."""
    order = await orders.find_order(desk, order_id)
    check_order(grant, order)
    public = OrderPublic.seen(order, contact=sees_contact_data(grant))
    public.returns = [
        ReturnSummary(return_id=row["id"], **row) for row in await returns.of_order(desk.engine, order_id)
    ]
    return public


@router.get("/{order_id}/notifications", response_model=list[MessagePublic])
async def list_notifications(order_id: str, desk: DeskDep) -> list[MessagePublic]:
    """What the customer was sent about this order, oldest first."""
    return [MessagePublic.of(message) for message in await orders.notifications(desk, order_id)]


@router.post("/{order_id}/notifications/resend", response_model=list[MessagePublic])
async def resend_notification(
    order_id: str, body: ResendBody, desk: DeskDep, grant: GrantDep
) -> list[MessagePublic]:
    """Send the last message of a kind again (e.g. the pickup code); answers the messages of that kind."""
    sent = await orders.resend_notification(desk, order_id, body.command(grant.identity))
    return [MessagePublic.of(message) for message in sent]


@router.post("/{order_id}/pickup/unlock", response_model=OrderPublic)
async def unlock_pickup(
    order_id: str, desk: DeskDep, grant: GrantDep, body: SupportActionBody | None = None
) -> OrderPublic:
    """After too many wrong pickup codes collection is locked; support unlocks it once they have checked."""
    action = (body or SupportActionBody()).command(grant.identity)
    return OrderPublic.seen(await orders.unlock_pickup(desk, order_id, action))


@router.get("/{order_id}/tracking-link", response_model=TrackingLinkPublic)
async def tracking_link(
    order_id: str, desk: DeskDep, settings: SettingsDep, grant: GrantDep
) -> TrackingLinkPublic:
    """The link a channel gives its customer: status, store, lines and times, no login."""
    check_order(grant, await orders.find_order(desk, order_id))
    return TrackingLinkPublic(url=tracking_url(settings.tracking_secret, settings.public_url, order_id))


@router.post("/{order_id}/cancel", response_model=OrderPublic)
async def cancel_order(order_id: str, body: CancelBody, desk: DeskDep, grant: GrantDep) -> OrderPublic:
    """Cancel before collection: stock is released, the payment voided, the customer told."""
    return OrderPublic.seen(await orders.cancel(desk, order_id, body.command(grant.identity)))


@router.post("/{order_id}/choice", response_model=OrderPublic)
async def choose(order_id: str, body: ChoiceBody, desk: DeskDep, grant: GrantDep) -> OrderPublic:
    """The customer's answer when the store could not serve the whole order (the channel or support
    passes it on): another offered store, home delivery, collect what is there, or a refund."""
    order = await orders.find_order(desk, order_id)
    check_order(grant, order)
    return OrderPublic.seen(await orders.choose(desk, order, body.command(grant.identity)))


@router.post("/{order_id}/pickup-slot", response_model=PickupSlot)
async def change_pickup_slot(
    order_id: str, body: PickupSlotBody, desk: DeskDep, grant: GrantDep
) -> PickupSlot:
    """Book or change the order's pickup slot, as on the customer's page: the place is held at once, and
    the running order's promise, reminders and hold move to it (the order hears it by a signal)."""
    order = await orders.find_order(desk, order_id)
    check_order(grant, order)
    try:
        slot = await pickup_page.choose_slot(desk, order, body.starts_at, datetime.now(UTC))
    except InvalidField as wrong:  # the page's field is `pickup_slot`; here it is the body's `starts_at`
        raise InvalidField(("starts_at",), wrong.message) from None
    return PickupSlot(starts_at=slot.starts_at, ends_at=slot.ends_at)
