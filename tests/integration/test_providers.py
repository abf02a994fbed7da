"""Real Twilio and SendGrid SDK clients against local servers that play the providers."""

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sendgrid import SendGridAPIClient
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.testing import ActivityEnvironment
from twilio.rest import Client as TwilioClient

from activities.notifications import NotificationActivities
from adapters.db import outbox
from adapters.messaging.render import MessageRenderer, RenderedMessage
from adapters.messaging.sendgrid_email import SendGridEmailSender
from adapters.messaging.twilio_sms import RoutedTwilioHttpClient, TwilioSmsSender
from devstack import demo
from domain.messages import notification_for
from domain.notifications import CustomerNotification, NotificationKind, StoreReminder
from domain.order_state import OrderState
from domain.status import OrderStatus
from domain.values import ContactPreference, StoreProfile
from services.customer_messages import Messenger
from tests.conftest import placement
from tests.providers import FakeSendGrid, FakeTwilio

ACCOUNT, TOKEN, FROM_NUMBER, FROM_EMAIL = (
    "AC" + "0" * 32,
    "twilio-token",
    "+15550001111",
    "orders@shop.example",
)
CALLBACK = "http://oms.example/v1/webhooks/twilio/status"


@pytest.fixture
def twilio() -> Iterator[FakeTwilio]:
    fake = FakeTwilio()
    yield fake
    fake.close()


@pytest.fixture
def sendgrid() -> Iterator[FakeSendGrid]:
    fake = FakeSendGrid()
    yield fake
    fake.close()


def twilio_sender(fake: FakeTwilio) -> TwilioSmsSender:
    client = TwilioClient(ACCOUNT, TOKEN, http_client=RoutedTwilioHttpClient(fake.url))
    return TwilioSmsSender(client, FROM_NUMBER, CALLBACK)


def sendgrid_sender(fake: FakeSendGrid) -> SendGridEmailSender:
    return SendGridEmailSender(SendGridAPIClient("SG.test-key", host=fake.url), FROM_EMAIL)


def notifier(engine: AsyncEngine, sms: object, email: object) -> NotificationActivities:
    return NotificationActivities(Messenger(engine, {"sms": sms, "email": email}, MessageRenderer()))  # type: ignore[dict-item]


def message(
    kind: NotificationKind, contact: ContactPreference | None = None, locale: str = "fr"
) -> CustomerNotification:
    order = placement()
    customer = order.customer.model_copy(update={"contact": contact, "locale": locale})
    order = order.model_copy(update={"customer": customer})
    store = StoreProfile.model_validate({**demo.STORES[0]})
    state = OrderState(
        order_id=order.order_id,
        placement=order,
        status=OrderStatus.READY,
        store=store,
        pickup_code="482913",
        pickup_deadline=datetime(2026, 11, 26, 17, 0, tzinfo=UTC),
    )
    return notification_for(state, kind)


async def rows(engine: AsyncEngine, order_id: str) -> dict[str, outbox.OutboxMessage]:
    async with engine.connect() as conn:
        return {row.channel: row for row in await outbox.for_order(conn, order_id)}


async def test_messages_go_through_the_sdks_exactly_as_rendered(
    engine: AsyncEngine, twilio: FakeTwilio, sendgrid: FakeSendGrid
) -> None:
    note = message(NotificationKind.READY_FOR_PICKUP)
    reached = await ActivityEnvironment().run(
        notifier(engine, twilio_sender(twilio), sendgrid_sender(sendgrid)).notify_customer, note
    )
    assert reached == ["email", "sms"]
    rendered_sms = MessageRenderer().render(note, "sms")
    [sms] = twilio.sends()
    assert sms.path == f"/2010-04-01/Accounts/{ACCOUNT}/Messages.json"
    assert sms.form == {
        "To": ["+33612345678"],
        "From": [FROM_NUMBER],
        "Body": [rendered_sms.body],
        "StatusCallback": [CALLBACK],
    }
    assert "Code de retrait 482913" in rendered_sms.body and "26/11 a 18:00" in rendered_sms.body
    assert sms.headers["Authorization"].startswith("Basic ")

    rendered_email = MessageRenderer().render(note, "email")
    [email] = sendgrid.sends()
    assert email.path == "/v3/mail/send"
    assert email.headers["Authorization"] == "Bearer SG.test-key"
    assert email.json["from"] == {"email": FROM_EMAIL}
    assert email.json["personalizations"][0]["to"] == [{"email": "camille@example.com"}]
    assert (
        email.json["subject"]
        == rendered_email.subject
        == f"Votre commande {note.facts.channel_order_id} est prête"
    )
    assert email.json["content"] == [{"type": "text/plain", "value": rendered_email.body}]
    assert email.json["custom_args"] == {"outbox_key": f"{note.order_id}:ready_for_pickup:1:email"}

    recorded = await rows(engine, note.order_id)
    assert recorded["sms"].provider_message_id == twilio.messages[0]["sid"]
    assert recorded["email"].provider == "sendgrid" and recorded["email"].provider_message_id
    assert {row.status for row in recorded.values()} == {"sent"}


async def test_rate_limits_and_server_errors_are_retried_without_a_duplicate(
    engine: AsyncEngine, twilio: FakeTwilio, sendgrid: FakeSendGrid
) -> None:
    twilio.script = [429, 500]
    sendgrid.script = [503]
    activities, env = (
        notifier(engine, twilio_sender(twilio), sendgrid_sender(sendgrid)),
        ActivityEnvironment(),
    )
    note = message(NotificationKind.PICKUP_REMINDER)
    with pytest.raises(Exception):  # noqa: B017 - whichever provider answers first, the attempt fails
        await env.run(activities.notify_customer, note)
    for _ in range(3):
        try:
            assert await env.run(activities.notify_customer, note) == ["email", "sms"]
            break
        except Exception:  # noqa: S112 - each retry is what Temporal would do
            continue
    assert len(twilio.messages) == 1 and len(twilio.sends()) == 3
    assert len(sendgrid.sends()) == 2
    assert {row.status for row in (await rows(engine, note.order_id)).values()} == {"sent"}


async def test_a_refused_sms_falls_back_to_email(
    engine: AsyncEngine, twilio: FakeTwilio, sendgrid: FakeSendGrid
) -> None:
    twilio.script = [400]
    note = message(NotificationKind.RECEIPT, contact=ContactPreference.SMS)
    reached = await ActivityEnvironment().run(
        notifier(engine, twilio_sender(twilio), sendgrid_sender(sendgrid)).notify_customer, note
    )
    assert reached == ["email"]
    recorded = await rows(engine, note.order_id)
    assert recorded["sms"].status == "failed" and "21211" in (recorded["sms"].failure or "")
    assert recorded["email"].status == "sent" and len(sendgrid.sends()) == 1


async def test_a_refused_email_falls_back_to_sms(
    engine: AsyncEngine, twilio: FakeTwilio, sendgrid: FakeSendGrid
) -> None:
    sendgrid.script = [400]
    note = message(NotificationKind.ORDER_CANCELLED, locale="en")
    reached = await ActivityEnvironment().run(
        notifier(engine, twilio_sender(twilio), sendgrid_sender(sendgrid)).notify_customer, note
    )
    assert reached == ["sms"]
    assert (
        twilio.messages[0]["body"]
        == f"Order {note.facts.channel_order_id} has been cancelled. You will not be charged."
    )


class DiesAfterSending:
    """The worker dies after the provider accepted the message, before the outbox recorded it."""

    def __init__(self, sender: TwilioSmsSender | SendGridEmailSender) -> None:
        self.sender, self.channel, self.provider = sender, sender.channel, sender.provider

    async def send(self, recipient: str, rendered: RenderedMessage, reference: str) -> str:
        await self.sender.send(recipient, rendered, reference)
        raise RuntimeError("worker killed")

    async def find_sent(self, recipient: str, rendered: RenderedMessage, since: datetime) -> str | None:
        return await self.sender.find_sent(recipient, rendered, since)


async def test_an_sms_interrupted_after_sending_is_not_sent_again(
    engine: AsyncEngine, twilio: FakeTwilio, sendgrid: FakeSendGrid
) -> None:
    note = message(NotificationKind.RECEIPT, contact=ContactPreference.SMS)
    env = ActivityEnvironment()
    with pytest.raises(RuntimeError, match="worker killed"):
        await env.run(
            notifier(
                engine, DiesAfterSending(twilio_sender(twilio)), sendgrid_sender(sendgrid)
            ).notify_customer,
            note,
        )
    assert (await rows(engine, note.order_id))["sms"].status == "sending"
    assert await env.run(
        notifier(engine, twilio_sender(twilio), sendgrid_sender(sendgrid)).notify_customer, note
    ) == ["sms"]
    assert len(twilio.sends()) == 1  # Twilio told us it already had the message
    assert (await rows(engine, note.order_id))["sms"].provider_message_id == twilio.messages[0]["sid"]


async def test_an_email_interrupted_after_sending_goes_out_again_at_least_once(
    engine: AsyncEngine, twilio: FakeTwilio, sendgrid: FakeSendGrid
) -> None:
    note = message(NotificationKind.RECEIPT, contact=ContactPreference.EMAIL)
    env = ActivityEnvironment()
    with pytest.raises(RuntimeError, match="worker killed"):
        await env.run(
            notifier(
                engine, twilio_sender(twilio), DiesAfterSending(sendgrid_sender(sendgrid))
            ).notify_customer,
            note,
        )
    assert await env.run(
        notifier(engine, twilio_sender(twilio), sendgrid_sender(sendgrid)).notify_customer, note
    ) == ["email"]
    assert len(sendgrid.sends()) == 2  # SendGrid cannot tell us: the documented at-least-once case


async def test_a_customer_who_wants_no_messages_gets_none_and_it_is_recorded(
    engine: AsyncEngine, twilio: FakeTwilio, sendgrid: FakeSendGrid
) -> None:
    note = message(NotificationKind.READY_FOR_PICKUP, contact=ContactPreference.NONE)
    assert (
        await ActivityEnvironment().run(
            notifier(engine, twilio_sender(twilio), sendgrid_sender(sendgrid)).notify_customer, note
        )
        == []
    )
    assert twilio.requests == [] and sendgrid.requests == []
    assert (await rows(engine, note.order_id))["none"].status == "suppressed"


async def test_a_store_reminder_goes_to_the_store_by_email_once(
    engine: AsyncEngine, twilio: FakeTwilio, sendgrid: FakeSendGrid
) -> None:
    store = StoreProfile.model_validate({**demo.STORES[0], "email": "rivoli@stores.example.com"})
    order = placement()
    reminder = StoreReminder(
        order_id=order.order_id,
        channel_order_id=order.channel_order_id,
        store=store,
        step="accept",
        due=datetime(2026, 11, 23, 10, 30, tzinfo=UTC),
        sequence=0,
    )
    activities = notifier(engine, twilio_sender(twilio), sendgrid_sender(sendgrid))
    assert await ActivityEnvironment().run(activities.remind_store, reminder)
    assert await ActivityEnvironment().run(activities.remind_store, reminder)  # a retry: not sent again
    [email] = sendgrid.sends()
    assert email.json["personalizations"][0]["to"] == [{"email": store.email}]
    assert email.json["subject"] == f"Order {order.channel_order_id} must be accepted by 11:30 on 23 Nov"
    assert email.json["custom_args"] == {"outbox_key": f"{order.order_id}:store_accept_at_risk:0:email"}
    assert twilio.sends() == []
    [row] = (await rows(engine, order.order_id)).values()
    assert (row.recipient, row.provider, row.status) == (store.email, "sendgrid", "sent")
