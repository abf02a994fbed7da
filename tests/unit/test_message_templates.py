"""Every message to customers and stores in English and French, rendered from fixed facts and compared
with golden files.

After a deliberate wording change: `OMS_UPDATE_GOLDEN=1 ./dev test tests/unit/test_message_templates.py`
rewrites the golden files and docs/messages.md."""

import os
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from adapters.messaging.render import LANGUAGES, MessageRenderer
from devstack import demo
from domain.deadlines import pickup_deadline
from domain.notifications import CustomerNotification, NotificationFacts, NotificationKind, StoreReminder
from domain.sms import sms_segments
from domain.store_calendar import SpecialDay
from domain.values import Customer, OrderLine, StoreProfile

ROOT = Path(__file__).parent.parent.parent
GOLDEN = ROOT / "tests" / "golden" / "messages"
DOCS = ROOT / "docs" / "messages.md"
UPDATE = os.environ.get("OMS_UPDATE_GOLDEN") == "1"


# Rivoli closed on Wednesday for a stock count; an order ready on Monday at 08:42, before opening, is
# held until Thursday's closing time (20:00 in Paris), not until Thursday 08:42.
STOCK_COUNT = SpecialDay(date=date(2026, 11, 25), note="stock count")
WRITTEN_AT = datetime(2026, 11, 23, 7, 42, tzinfo=UTC)


def example(kind: NotificationKind, language: str) -> CustomerNotification:
    paris = StoreProfile.model_validate({**demo.STORES[0], "special_days": [STOCK_COUNT]})
    lyon = StoreProfile.model_validate(demo.STORES[1])
    return CustomerNotification(
        order_id="order-webshop-WEB-1001",
        kind=kind,
        customer=Customer(
            name="Camille Martin", email="camille@example.com", phone="+33612345678", locale=language
        ),
        facts=NotificationFacts(
            channel_order_id="WEB-1001",
            total=Decimal("198.98"),
            currency="EUR",
            store=lyon if kind in ("rerouted", "order_split") else paris,
            previous_store=paris,
            pickup_code="482913",
            refund_amount=Decimal("49.98"),
            ready_by=datetime(2026, 11, 23, 13, 30, tzinfo=UTC),
            pickup_deadline=pickup_deadline(WRITTEN_AT, timedelta(hours=72), paris),
            choice_deadline=datetime(2026, 11, 23, 17, 0, tzinfo=UTC),
            carrier="Colissimo",
            tracking_number="COL3F9A12B7C4D",
            part="2" if kind == "order_split" else None,
            lines=[OrderLine(sku="BOOT-42", quantity=1, unit_price=Decimal("89.99"))],
            slot_start=datetime(2026, 11, 24, 16, 30, tzinfo=UTC),
            slot_end=datetime(2026, 11, 24, 17, 0, tzinfo=UTC),
            written_at=WRITTEN_AT,
        ),
    )


TOKEN = "q8WkA0mZ3xY7Lp2VnC4tR6sB9dF1gH5j"
WITH_LINKS = MessageRenderer(links=lambda order_id: f"https://shop.example/track/{order_id}/{TOKEN}")


def rendered(kind: NotificationKind, language: str) -> str:
    renderer, note = WITH_LINKS, example(kind, language)
    email, sms = renderer.render(note, "email"), renderer.render(note, "sms")
    segments = sms_segments(sms.body)
    return f"Subject: {email.subject}\n\n{email.body}\n\n--- SMS ({segments} segment) ---\n{sms.body}\n"


CASES = [(kind, language) for kind in NotificationKind for language in LANGUAGES]


def store_message(name: str, language: str) -> str:
    """A store email (`store_at_risk_accept`, `store_at_risk_ready`, `replenishment_alert`) as rendered."""
    renderer = MessageRenderer()
    if name == "replenishment_alert":
        email = renderer.replenishment_alert(
            "BOOT-42", on_hand=5, reserved=3, safety_stock=2, language=language
        )
    else:
        reminder = StoreReminder(
            order_id="order-webshop-WEB-1001",
            channel_order_id="WEB-1001",
            store=StoreProfile.model_validate(demo.STORES[0]),
            step=name.removeprefix("store_at_risk_"),
            due=datetime(2026, 11, 23, 10, 30, tzinfo=UTC),
            sequence=0,
        )
        email = renderer.store_reminder(reminder, language)
    return f"Subject: {email.subject}\n\n{email.body}\n"


STORE_MESSAGES = [
    "store_at_risk_accept",
    "store_at_risk_ready",
    "store_at_risk_curbside",
    "replenishment_alert",
]
STORE_CASES = [(name, language) for name in STORE_MESSAGES for language in LANGUAGES]


@pytest.mark.parametrize(("kind", "language"), CASES, ids=[f"{k.value}-{lang}" for k, lang in CASES])
def test_message_matches_its_golden_file(kind: NotificationKind, language: str) -> None:
    path = GOLDEN / language / f"{kind.value}.txt"
    text = rendered(kind, language)
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    assert text == path.read_text()


@pytest.mark.parametrize(("name", "language"), STORE_CASES, ids=[f"{n}-{lang}" for n, lang in STORE_CASES])
def test_store_message_matches_its_golden_file(name: str, language: str) -> None:
    path = GOLDEN / language / f"{name}.txt"
    text = store_message(name, language)
    if UPDATE:
        path.write_text(text)
    assert text == path.read_text()


@pytest.mark.parametrize(("kind", "language"), CASES, ids=[f"{k.value}-{lang}" for k, lang in CASES])
def test_sms_stays_within_two_segments(kind: NotificationKind, language: str) -> None:
    sms = WITH_LINKS.render(example(kind, language), "sms")
    assert sms_segments(sms.body) <= 2, sms.body


def test_unknown_languages_fall_back_to_english() -> None:
    note = example(NotificationKind.RECEIPT, "de")
    assert MessageRenderer().render(note, "email").subject == "Receipt for order WEB-1001"


def test_docs_show_every_message_as_rendered() -> None:
    sections = [
        "# Customer messages\n",
        "Rendered from `adapters/messaging/templates/messages/` with the facts of "
        "`tests/unit/test_message_templates.py`;",
        "this page is checked against the templates by the test suite.\n",
    ]
    for kind in NotificationKind:
        sections.append(f"## {kind.value}\n")
        for language in LANGUAGES:
            sections.append(f"### {language}\n\n```\n{rendered(kind, language)}```\n")
    sections.append("# Store messages\n")
    sections.append("Emails to store staff (in English until a store has a language of its own).\n")
    for name in STORE_MESSAGES:
        sections.append(f"## {name}\n")
        for language in LANGUAGES:
            sections.append(f"### {language}\n\n```\n{store_message(name, language)}```\n")
    text = "\n".join(sections)
    if UPDATE:
        DOCS.write_text(text)
    assert DOCS.read_text() == text


def test_segments_are_counted_like_a_phone_does() -> None:
    assert sms_segments("a" * 160) == 1 and sms_segments("a" * 161) == 2 and sms_segments("a" * 306) == 2
    assert sms_segments("ê" * 70) == 1 and sms_segments("ê" * 71) == 2
    assert sms_segments("€" * 80) == 1 and sms_segments("€" * 81) == 2


def test_without_a_tracking_secret_messages_carry_no_link() -> None:
    note = example(NotificationKind.READY_FOR_PICKUP, "en")
    assert "/track/" not in MessageRenderer().render(note, "email").body
    assert "/track/" not in MessageRenderer().render(note, "sms").body
