"""Which message the customer gets, and on which channels. Every word lives in the templates
(adapters/messaging/templates/messages)."""

import re
from collections.abc import Collection
from datetime import datetime
from decimal import Decimal

from domain import ids
from domain.notifications import CustomerNotification, NotificationFacts, NotificationKind
from domain.order_state import OrderState
from domain.values import ContactPreference, Customer, StoreProfile

URGENT = frozenset(
    {NotificationKind.READY_FOR_PICKUP, NotificationKind.REROUTED, NotificationKind.ORDER_SPLIT}
)
"""Transactional messages the customer must have at once; quiet hours can be set to spare them."""

ACTIONABLE = frozenset(
    {
        NotificationKind.READY_FOR_PICKUP,
        NotificationKind.PICKUP_REMINDER,
        NotificationKind.EXPIRY_WARNING,
        NotificationKind.REROUTED,
        NotificationKind.ORDER_SPLIT,
        NotificationKind.CHOICE_REQUESTED,
        NotificationKind.SLOT_REMINDER,
    }
)
"""Messages asking the customer to act: by SMS as well as email when the customer allows both."""


def notification_for(
    state: OrderState,
    kind: NotificationKind,
    sequence: int = 1,
    *,
    previous_store: StoreProfile | None = None,
    refund_amount: Decimal | None = None,
    at: datetime | None = None,
) -> CustomerNotification:
    """The message event of `kind` for this order, carrying the facts its templates need."""
    placement = state.placement
    return CustomerNotification(
        order_id=state.order_id,
        kind=kind,
        sequence=sequence,
        customer=placement.customer,
        facts=NotificationFacts(
            channel_order_id=placement.channel_order_id,
            total=placement.total,
            currency=placement.currency,
            store=state.store,
            pickup_code=state.pickup_code,
            ready_by=state.ready_by,
            pickup_deadline=state.pickup_deadline,
            previous_store=previous_store,
            refund_amount=refund_amount,
            choice_deadline=state.choice.deadline if state.choice else None,
            carrier=state.shipment.carrier if state.shipment else None,
            tracking_number=state.shipment.tracking_number if state.shipment else None,
            part=ids.split_part(state.order_id),
            lines=state.current_lines,
            slot_start=state.pickup_slot.starts_at if state.pickup_slot else None,
            slot_end=state.pickup_slot.ends_at if state.pickup_slot else None,
            written_at=at,
        ),
    )


def channels_for(kind: NotificationKind, preference: ContactPreference | None) -> tuple[str, ...]:
    """The channels to use, in order: what the customer agreed to, SMS too only for messages to act on."""
    preference = preference or ContactPreference.BOTH
    if preference is ContactPreference.NONE:
        return ()
    if preference is ContactPreference.EMAIL:
        return ("email",)
    if preference is ContactPreference.SMS:
        return ("sms",)
    return ("email", "sms") if kind in ACTIONABLE else ("email",)


def fallback_for(channel: str) -> str:
    """Where a message goes when its channel fails for good (an invalid number, a bounced address)."""
    return "email" if channel == "sms" else "sms"


_E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")


def contacts_of(customer: Customer) -> tuple[str, ...]:
    """The channels this customer can be reached on: an email, a phone in E.164 (one kept as given
    because it could not be read gets no SMS)."""
    email = ("email",) if customer.email else ()
    sms = ("sms",) if customer.phone and _E164.match(customer.phone) else ()
    return email + sms


def reachable_channels(kind: NotificationKind, customer: Customer) -> tuple[str, ...]:
    """The channels to use, among those the customer has: an email-only customer gets email, a
    phone-only one SMS, whatever the message."""
    have = contacts_of(customer)
    wanted = tuple(channel for channel in channels_for(kind, customer.contact) if channel in have)
    if wanted or customer.contact is ContactPreference.NONE:
        return wanted
    return have[:1]


def reachable_fallback(channel: str, customer: Customer, skip: Collection[str] = ()) -> str | None:
    """The other channel when this one fails for good, if the customer has it (and it is not skipped)."""
    other = fallback_for(channel)
    return other if other in contacts_of(customer) and other not in skip else None
