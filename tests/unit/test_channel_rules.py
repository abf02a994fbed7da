"""Taking orders as channels send them, without servers: contacts, Shopify's full-size bodies, causes."""

import copy
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from adapters.channels import ChannelContext, PayloadRejected
from adapters.channels.shopify import ShopifyAdapter
from domain.channel_rules import ChannelRules, rules_for
from domain.contacts import ContactRefused, reachable
from domain.dead_letter_causes import LetterFacts, cause_of, groups
from domain.messages import reachable_channels, reachable_fallback
from domain.notifications import NotificationKind
from domain.values import Customer, StoreProfile

FIXTURES = Path(__file__).parent.parent / "fixtures" / "shopify"
READY, RECEIPT = NotificationKind.READY_FOR_PICKUP, NotificationKind.ORDER_CONFIRMED
RIVOLI = StoreProfile(
    id="paris-rivoli", name="Paris Rivoli", city="Paris", address="", latitude=0, longitude=0,
    timezone="Europe/Paris", opening_hours=[], country="FR",
)  # fmt: skip
CATALOGUE = {
    ("sku", "TENT-2P"): "TENT-2P",
    ("variant", "40427362451633"): "BOTTLE-1L",
    ("barcode", "3760123451222"): "HEADLAMP-300",
}


def shopify_body(**overrides: Any) -> dict[str, Any]:
    """Shopify's documented orders/create example, as a local pickup at Paris Rivoli."""
    body = json.loads((FIXTURES / "orders_create_pickup.json").read_text())
    return {**copy.deepcopy(body), **overrides}


def context(rules: ChannelRules | None = None) -> ChannelContext:
    return ChannelContext(stores=[RIVOLI], rules=rules or rules_for({}, "shopify", None), products=CATALOGUE)


def test_a_full_size_shopify_order_maps_with_its_empty_skus_gift_card_and_free_line() -> None:
    adapter, body = ShopifyAdapter(), shopify_body()
    placement = adapter.to_placement(body, context())
    assert placement.store_id == "paris-rivoli" and placement.currency == "EUR"
    assert [(line.sku, line.quantity, str(line.unit_price)) for line in placement.lines] == [
        ("TENT-2P", 1, "149.00"),
        ("BOTTLE-1L", 3, "19.90"),  # empty SKU: its variant id is mapped
        ("HEADLAMP-300", 1, "0.00"),  # empty SKU: its barcode is in the catalogue; free, kept
    ]  # the gift card line has nothing to pick: left out
    customer = placement.customer
    assert (customer.name, customer.email, customer.phone, customer.locale) == (
        "John Smith", "jon@example.com", "555-555-SHIP", "en-GB",
    )  # fmt: skip
    assert adapter.account(body) == "jsmith.myshopify.com"
    assert adapter.value_of(body) == (Decimal("208.90"), "EUR")


def test_a_shop_may_take_the_presentment_currency_and_refuse_gift_cards() -> None:
    presentment = ChannelRules(money="presentment")
    placement = ShopifyAdapter().to_placement(shopify_body(), context(presentment))
    assert placement.currency == "GBP" and placement.lines[0].unit_price == Decimal("129.40")
    with pytest.raises(PayloadRejected) as refused:
        ShopifyAdapter().to_placement(shopify_body(), context(ChannelRules(gift_cards="refuse")))
    assert [error.loc for error in refused.value.errors] == [["line_items", 2]]


def test_an_unknown_variant_is_a_reason_on_its_line() -> None:
    body = shopify_body()
    body["line_items"][1]["variant_id"] = 999
    with pytest.raises(PayloadRejected) as refused:
        ShopifyAdapter().to_placement(body, context())
    [error] = refused.value.errors
    assert error.loc == ["line_items", 1, "sku"] and "variant '999'" in error.msg


def test_a_customer_with_no_name_and_no_phone_is_taken_with_the_shops_default_name() -> None:
    body = shopify_body(billing_address=None)
    body["customer"].update(first_name=None, last_name=None)
    customer = ShopifyAdapter().to_placement(body, context()).customer
    assert (customer.name, customer.phone) == ("Shopify customer", None)


@pytest.mark.parametrize(
    ("given", "country", "e164"),
    [
        ("06 12 34 56 78", "FR", "+33612345678"),
        ("(312) 345-6789", "US", "+13123456789"),
        ("+1-555-123-4567", "FR", "+15551234567"),  # a prefix wins over the store's country
        ("+33612345678", None, "+33612345678"),
    ],
)
def test_phones_are_read_in_e164_in_the_stores_country(given: str, country: str | None, e164: str) -> None:
    customer = Customer(name="Jo", phone=given)
    assert reachable(customer, country, ChannelRules()).phone == e164


def test_an_unreadable_phone_is_kept_as_given_with_a_note_or_refused_by_rule() -> None:
    kept = reachable(Customer(name="Jo", email="jo@example.com", phone="0611"), "FR", ChannelRules())
    assert kept.phone == "0611" and "could not be read as a number of FR" in (kept.contact_note or "")
    assert reachable_channels(READY, kept) == ("email",)
    with pytest.raises(ContactRefused):
        reachable(Customer(name="Jo", phone="0611"), "FR", rules_for({}, "canonical", "webshop"))
    with pytest.raises(ContactRefused):
        reachable(Customer(name="Jo", phone="+33612345678"), "FR", ChannelRules(require="email"))


def test_messages_follow_the_contacts_the_order_has() -> None:
    email_only = Customer(name="Jo", email="jo@example.com")
    phone_only = Customer(name="Jo", phone="+33612345678")
    both = Customer(name="Jo", email="jo@example.com", phone="+33612345678")
    assert reachable_channels(READY, email_only) == ("email",)
    assert reachable_channels(RECEIPT, phone_only) == ("sms",) == reachable_channels(READY, phone_only)
    assert reachable_channels(READY, both) == ("email", "sms")
    assert reachable_fallback("email", email_only) is None and reachable_fallback("sms", both) == "email"
    with pytest.raises(ValueError, match="an email or a phone"):
        Customer(name="Jo")


def test_rules_are_read_per_account_then_per_channel() -> None:
    shop = ChannelRules(require="email")
    configured = {"shopify:b.myshopify.com": shop}
    assert rules_for(configured, "shopify", "b.myshopify.com") is shop
    assert rules_for(configured, "shopify", "a.myshopify.com").default_name == "Shopify customer"
    assert rules_for(configured, "app", None) == ChannelRules()


def test_dead_letters_group_by_cause_and_rank_by_value_at_stake() -> None:
    at = datetime(2025, 1, 1, tzinfo=UTC)
    sku = {"loc": ["body", "lines", 0, "sku"], "msg": "unknown sku 'A-1'"}
    other_sku = {"loc": ["body", "lines", 3, "sku"], "msg": "unknown sku 'B-2'"}
    phone = {"loc": ["body", "customer", "phone"], "msg": "bad phone"}
    letters = [
        LetterFacts(1, "shopify", [sku], at, Decimal("10"), "EUR"),
        LetterFacts(2, "shopify", [other_sku, phone], at + timedelta(hours=1), Decimal("500"), "EUR"),
        LetterFacts(3, "shopify", [phone], at, Decimal("20"), "EUR"),
    ]
    assert cause_of(sku) == cause_of(other_sku)
    ranked = groups(letters)
    assert [(g.field, g.count, g.value_at_stake["EUR"]) for g in ranked] == [
        ("lines.*.sku", 2, Decimal("510")),
        ("customer.phone", 2, Decimal("520")),
    ][::-1]
    assert ranked[1].first_seen == at and ranked[1].last_seen == at + timedelta(hours=1)
