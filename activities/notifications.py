"""Customer notification adapter: the outbox makes each message go out once per channel.

The embedded notifier writes the message to the outbox and the log; Twilio and SendGrid notifiers
plug in behind the same `Notifier` interface.
"""

import logging
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio import activity

from domain import ids
from domain.messages import channels_for
from domain.models import CustomerNotification
from oms.db import outbox

log = logging.getLogger("oms.notifications")


class Notifier(Protocol):
    name: str

    async def send(self, message: CustomerNotification, channel: str, recipient: str) -> None:
        """Deliver one message on one channel; raise to have the activity retry."""


class LogNotifier:
    """The embedded default: the outbox row is the record, the log line is the delivery."""

    name = "log"

    async def send(self, message: CustomerNotification, channel: str, recipient: str) -> None:
        log.info(
            "%s to %s [%s #%d]: %s", channel, recipient, message.kind.value, message.sequence, message.body
        )


class NotificationActivities:
    def __init__(self, engine: AsyncEngine, notifier: Notifier) -> None:
        self._engine = engine
        self._notifier = notifier

    @activity.defn(name=ids.ACTIVITY_NOTIFY_CUSTOMER)
    async def notify_customer(self, message: CustomerNotification) -> int:
        """Send on each channel not yet marked sent; returns how many went out in this attempt."""
        sent = 0
        for channel in channels_for(message.kind):
            recipient = message.customer.email if channel == "email" else message.customer.phone
            async with self._engine.begin() as conn:
                if not await outbox.claim(conn, message, channel, recipient, self._notifier.name):
                    continue
            await self._notifier.send(message, channel, recipient)
            async with self._engine.begin() as conn:
                await outbox.mark_sent(conn, message, channel)
            sent += 1
        return sent
