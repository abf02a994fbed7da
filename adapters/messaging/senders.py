"""What every message channel offers the notification activity, and the embedded log channel."""

import logging
import uuid
from datetime import datetime
from typing import Protocol

from adapters.messaging.render import RenderedMessage
from domain.personal import mask_text

log = logging.getLogger("oms.notifications")


class DeliveryRefused(Exception):
    """The provider refused the message for good (invalid number, bad address: a 4xx): do not retry,
    try the customer's other channel."""


class ChannelSender(Protocol):
    """One channel (email or SMS) through one provider. Any exception other than DeliveryRefused is
    transient (429, 5xx, timeouts): the activity fails and Temporal retries it with backoff."""

    channel: str
    provider: str

    async def send(self, recipient: str, message: RenderedMessage, reference: str) -> str:
        """Send; returns the provider's message id."""

    async def find_sent(self, recipient: str, message: RenderedMessage, since: datetime) -> str | None:
        """The provider's id of this message if it already went out (after an interrupted attempt);
        None when it did not, or when the provider cannot tell."""


class LogSender:
    """The embedded default: the outbox row is the record (GET /v1/orders/{id}/notifications), a log line
    the delivery, masked: logs are kept and copied where personal data must not follow (no email, phone,
    pickup code or tracking token)."""

    provider = "log"

    def __init__(self, channel: str) -> None:
        self.channel = channel

    async def send(self, recipient: str, message: RenderedMessage, reference: str) -> str:
        body = mask_text(message.body.replace("\n", " | "))
        log.info("%s to %s [%s]: %s", self.channel, mask_text(recipient), reference, body)
        return f"log-{uuid.uuid4().hex}"

    async def find_sent(self, recipient: str, message: RenderedMessage, since: datetime) -> str | None:
        return None
