"""What the customer is told at each step (plain text; localised templates come with the notifier work)."""

from datetime import datetime
from zoneinfo import ZoneInfo

from domain.models import CustomerNotification, NotificationKind, OrderState


def _local(moment: datetime | None, timezone: str | None) -> str:
    if moment is None:
        return "-"
    if timezone:
        moment = moment.astimezone(ZoneInfo(timezone))
    return moment.strftime("%a %d %b %Y, %H:%M")


def compose(state: OrderState, kind: NotificationKind, sequence: int = 1) -> CustomerNotification:
    """The message of `kind` for this order, in the store's local time."""
    placement = state.placement
    store = state.store
    store_name = store.name if store else placement.store_id
    where = f"{store.name}, {store.address}, {store.city}" if store else placement.store_id
    tz = store.timezone if store else None
    ref = placement.channel_order_id
    total = f"{placement.total} {placement.currency}"
    subject, body = {
        NotificationKind.ORDER_CONFIRMED: (
            f"Order {ref} confirmed",
            f"Your order {ref} is reserved at {store_name}. "
            f"We expect it ready by {_local(state.ready_by, tz)}; we'll tell you when it is.",
        ),
        NotificationKind.READY_FOR_PICKUP: (
            f"Order {ref} is ready for pickup",
            f"Your order {ref} is ready at {where}. Pickup code: {state.pickup_code}. "
            f"Please collect it by {_local(state.pickup_deadline, tz)}.",
        ),
        NotificationKind.PICKUP_REMINDER: (
            f"Reminder: order {ref} is waiting for you",
            f"Your order {ref} is waiting at {where}. Pickup code: {state.pickup_code}. "
            f"It will be held until {_local(state.pickup_deadline, tz)}.",
        ),
        NotificationKind.RECEIPT: (
            f"Receipt for order {ref}",
            f"Thank you for collecting order {ref} at {store_name}. Amount charged: {total}.",
        ),
        NotificationKind.ORDER_CANCELLED: (
            f"Order {ref} cancelled",
            f"Your order {ref} has been cancelled and you will not be charged.",
        ),
        NotificationKind.ORDER_EXPIRED: (
            f"Order {ref} was not collected",
            f"Your order {ref} was not collected by {_local(state.pickup_deadline, tz)} and has been "
            "cancelled. You will not be charged.",
        ),
    }[kind]
    return CustomerNotification(
        order_id=state.order_id,
        kind=kind,
        sequence=sequence,
        customer=placement.customer,
        subject=subject,
        body=body,
    )


_SMS_TOO = frozenset({NotificationKind.READY_FOR_PICKUP, NotificationKind.PICKUP_REMINDER})


def channels_for(kind: NotificationKind) -> tuple[str, ...]:
    """Every message goes by email; the ones the customer must act on go by SMS too."""
    return ("email", "sms") if kind in _SMS_TOO else ("email",)
