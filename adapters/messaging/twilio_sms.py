"""SMS through Twilio's official SDK. Twilio can tell whether a message already went out (it lists sent
messages by recipient and date), so an interrupted attempt is not sent twice."""

import asyncio
from datetime import datetime, timedelta

from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from adapters.messaging.render import RenderedMessage
from adapters.messaging.senders import DeliveryRefused

TWILIO_API = "https://api.twilio.com"


class RoutedTwilioHttpClient(TwilioHttpClient):
    """Twilio's HTTP client with a timeout (the SDK's default waits for ever), sending its calls to
    `base_url`: Twilio's own, a regional proxy, or a local stand-in in tests."""

    def __init__(self, base_url: str, timeout: float = 10.0) -> None:
        super().__init__(timeout=timeout)
        self._base_url = base_url.rstrip("/")

    def request(self, method, url, *args, **kwargs):  # type: ignore[no-untyped-def, override]
        if url.startswith(TWILIO_API):
            url = self._base_url + url[len(TWILIO_API) :]
        return super().request(method, url, *args, **kwargs)


class TwilioSmsSender:
    channel = "sms"
    provider = "twilio"

    def __init__(self, client: Client, from_number: str, status_callback: str | None = None) -> None:
        self._client = client
        self._from = from_number
        self._status_callback = status_callback

    async def send(self, recipient: str, message: RenderedMessage, reference: str) -> str:
        options = {"to": recipient, "from_": self._from, "body": message.body}
        if self._status_callback:
            options["status_callback"] = self._status_callback
        try:
            sent = await asyncio.to_thread(self._client.messages.create, **options)
        except TwilioRestException as error:
            if error.status == 429 or error.status >= 500:
                raise  # transient: retried with backoff
            raise DeliveryRefused(f"twilio {error.status} code {error.code}: {error.msg}") from error
        return str(sent.sid)

    async def find_sent(self, recipient: str, message: RenderedMessage, since: datetime) -> str | None:
        sent = await asyncio.to_thread(
            self._client.messages.list,
            to=recipient,
            from_=self._from,
            date_sent_after=since - timedelta(minutes=1),
            limit=50,
        )
        return next((str(m.sid) for m in sent if m.body == message.body), None)
