"""Telling customers and stores: each message rendered in the customer's language and delivered once per
channel through the configured providers (the outbox makes one send of an event per channel, whatever
the retries), falling back to the other channel on a permanent refusal. The notification activities
send through it, and so do the order's steps that end with a message (`tell_now`)."""

import logging
from collections.abc import Mapping
from functools import cached_property

from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.db import outbox, single_statements
from adapters.messaging.render import MessageRenderer, RenderedMessage
from adapters.messaging.senders import ChannelSender, DeliveryRefused
from domain.messages import reachable_channels, reachable_fallback
from domain.notifications import CustomerNotification, StoreReminder

log = logging.getLogger("oms.notifications")


class Messenger:
    def __init__(
        self, engine: AsyncEngine, senders: Mapping[str, ChannelSender], renderer: MessageRenderer
    ) -> None:
        self._engine = engine
        self._senders = senders
        self._renderer = renderer

    @cached_property
    def _statement(self) -> AsyncEngine:
        """For a new claim and a mark, one statement each (`single_statements`)."""
        return single_statements(self._engine)

    async def tell_customer(self, message: CustomerNotification) -> list[str]:
        """Deliver on the customer's channels; the channels the message reached. A provider that is down
        raises (the caller retries: what was sent is not sent again)."""
        channels = list(reachable_channels(message.kind, message.customer))
        if not channels:
            await self._suppress(message)
            return []
        reached, tried = [], set()
        while channels:
            channel = channels.pop(0)
            tried.add(channel)
            if await self._deliver(message, channel):
                reached.append(channel)
            elif other := reachable_fallback(channel, message.customer, skip={*tried, *channels}):
                channels.append(other)
        if not reached:
            log.error("%s %s #%d reached no channel", message.order_id, message.kind.value, message.sequence)
        return reached

    async def tell_now(self, message: CustomerNotification | None) -> bool | None:
        """The message a step ends with, sent once its transaction committed: True once it is done with
        (sent, refused for good, or suppressed), False when it could not go now (a provider down, or
        slower than its client's timeout: the workflow then sends it itself, with the retries of any
        message), None for no message. A send under way is never cut short here: a send cut short goes
        out all the same, and its retry would send it twice."""
        if message is None:
            return None
        try:
            await self.tell_customer(message)
        except Exception as error:  # noqa: BLE001 - any failure leaves the message to the workflow's retries
            log.warning(
                "%s %s #%d not sent with its step, left to the workflow: %s",
                message.order_id,
                message.kind.value,
                message.sequence,
                error or type(error).__name__,
            )
            return False
        return True

    async def remind_store(self, reminder: StoreReminder) -> bool:
        """Tell the store an order is at risk of missing its deadline (once per deadline and route)."""
        store = reminder.store
        if not store.email:
            log.warning(
                "store %s has no email; order %s is flagged at risk only", store.id, reminder.order_id
            )
            return False
        event = outbox.Event(reminder.order_id, f"store_{reminder.step}_at_risk", reminder.sequence)
        email = self._renderer.store_reminder(
            reminder
        )  # in English: stores have no language of their own yet
        return await self._send_once(event, "email", store.email, email)

    async def _deliver(self, message: CustomerNotification, channel: str) -> bool:
        """Send once on one channel: True once sent, False when the provider refused it for good."""
        recipient = message.customer.email if channel == "email" else message.customer.phone
        assert recipient, "reachable_channels offers only the contacts the customer has"
        rendered = self._renderer.render(message, channel)
        return await self._send_once(outbox.Event.of(message), channel, recipient, rendered)

    async def _send_once(
        self, message: outbox.Event, channel: str, recipient: str, rendered: RenderedMessage
    ) -> bool:
        """The outbox makes one send of an event per channel, whatever the retries."""
        sender = self._senders[channel]
        reference = f"{message.order_id}:{message.kind}:{message.sequence}:{channel}"
        # A new message is recorded as being sent, in one statement of its own.
        async with self._statement.connect() as conn:
            new = await outbox.claim_new(
                conn,
                message,
                channel,
                recipient,
                rendered.subject,
                rendered.body,
                sender.provider,
                rendered.language,
                status=outbox.SENDING,
            )
        if new is None:  # an earlier attempt recorded it: where it stands, its row locked
            async with self._engine.begin() as conn:
                claim = await outbox.locked(conn, message, channel)
                if claim.status in (outbox.SENT, outbox.FAILED):
                    return claim.status == outbox.SENT
                if claim.status == outbox.SENDING:  # that attempt stopped after reaching the provider
                    already = await sender.find_sent(recipient, rendered, claim.updated_at)
                    if already:
                        await outbox.mark(conn, message, channel, outbox.SENT, provider_message_id=already)
                        return True
                await outbox.mark(conn, message, channel, outbox.SENDING)
        try:
            provider_id = await sender.send(recipient, rendered, reference)
        except DeliveryRefused as refusal:
            async with self._statement.connect() as conn:
                await outbox.mark(conn, message, channel, outbox.FAILED, failure=str(refusal))
            log.warning("%s refused by %s: %s", reference, sender.provider, refusal)
            return False
        async with self._statement.connect() as conn:
            await outbox.mark(conn, message, channel, outbox.SENT, provider_message_id=provider_id)
        return True

    async def _suppress(self, message: CustomerNotification) -> None:
        """The customer agreed to no messages: recorded, so nothing disappears without a trace."""
        event = outbox.Event.of(message)
        async with self._engine.begin() as conn:
            await outbox.claim(
                conn, event, "none", "-", message.kind.value, "customer agreed to no messages", "none"
            )
            await outbox.mark(conn, event, "none", outbox.SUPPRESSED)
