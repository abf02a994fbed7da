"""Email through SendGrid's official SDK. SendGrid offers no reliable way to ask whether a message went
out, so an attempt interrupted between SendGrid's answer and our record is sent again (at least once)."""

import asyncio
from datetime import datetime

from python_http_client.exceptions import HTTPError
from sendgrid import SendGridAPIClient
from sendgrid.helpers.mail import CustomArg, Mail

from adapters.messaging.render import RenderedMessage
from adapters.messaging.senders import DeliveryRefused

SEND_TIMEOUT = 10.0  # seconds


class SendGridEmailSender:
    channel = "email"
    provider = "sendgrid"

    def __init__(self, client: SendGridAPIClient, from_email: str, timeout: float = SEND_TIMEOUT) -> None:
        self._client = client
        self._from = from_email
        # A send waits at most this long (the SDK's HTTP client waits for ever by default): a hung call
        # would outlive the activity that made it, and go out after its retry (a message twice).
        client.client.timeout = client.client.timeout or timeout

    async def send(self, recipient: str, message: RenderedMessage, reference: str) -> str:
        mail = Mail(
            from_email=self._from,
            to_emails=recipient,
            subject=message.subject,
            plain_text_content=message.body,
        )
        mail.custom_arg = CustomArg("outbox_key", reference)  # comes back on every event webhook call
        try:
            response = await asyncio.to_thread(self._client.send, mail)
        except HTTPError as error:
            if error.status_code == 429 or error.status_code >= 500:
                raise  # transient: retried with backoff
            raise DeliveryRefused(f"sendgrid {error.status_code}: {error.body!r}") from error
        return str(response.headers.get("X-Message-Id", ""))

    async def find_sent(self, recipient: str, message: RenderedMessage, since: datetime) -> str | None:
        return None
