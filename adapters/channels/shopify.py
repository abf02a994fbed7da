"""Shopify `orders/create` webhooks for local pickup orders, as Shopify sends them.

A pickup order has a shipping line with `delivery_category` "pickup" (or a code or title starting
"Pickup"); its location is mapped to a store by OMS_SHOPIFY_LOCATIONS (location id or name -> store
id), else by store name in the line's title ("Pickup at Paris Rivoli"). The order id becomes the
channel order id, so a webhook delivered twice is the same order. The shop (account) is read from
`order_status_url`; its rules (domain/channel_rules.py) say what is repaired or refused: a customer
without a name, gift card and zero-price lines, the shop's or the presentment currency, and how a line
with an empty SKU names its product (a variant id mapped by ops, a barcode in the catalogue)."""

import base64
import hashlib
import hmac
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

from pydantic import ValidationError

from adapters.channels.base import (
    ChannelContext,
    FieldError,
    PayloadRejected,
    ProductKey,
    SignatureRejected,
)
from domain.channel_rules import ChannelRules
from domain.values import OrderPlacement


class ShopifyAdapter:
    name = "shopify"

    def signature_present(self, headers: Mapping[str, str], context: ChannelContext) -> None:
        if not headers.get("x-shopify-hmac-sha256"):
            raise SignatureRejected(401, "X-Shopify-Hmac-Sha256 is missing")
        if not context.secret:
            raise SignatureRejected(403, "no Shopify secret is configured")

    def verify(self, headers: Mapping[str, str], body: bytes, context: ChannelContext) -> None:
        self.signature_present(headers, context)
        signature = headers["x-shopify-hmac-sha256"]
        assert context.secret
        expected = base64.b64encode(hmac.new(context.secret.encode(), body, hashlib.sha256).digest())
        if not hmac.compare_digest(expected, signature.encode()):
            raise SignatureRejected(403, "the Shopify signature does not match the body")

    def account(self, payload: Any) -> str:
        url = payload.get("order_status_url") if isinstance(payload, dict) else None
        return (urlsplit(url).hostname or "") if isinstance(url, str) else ""

    def product_refs(self, payload: Any) -> list[ProductKey]:
        items = payload.get("line_items") if isinstance(payload, dict) else None
        return [ref for item in items or [] if isinstance(item, dict) for ref in _refs(item).items()]

    def value_of(self, payload: Any) -> tuple[Decimal, str] | None:
        if not isinstance(payload, dict) or not isinstance(payload.get("currency"), str):
            return None
        total = _decimal(payload.get("total_price"))
        return None if total is None else (total, payload["currency"])

    def to_placement(self, payload: Any, context: ChannelContext) -> OrderPlacement:
        if not isinstance(payload, dict):
            raise PayloadRejected([FieldError([], "an order object is expected")])
        errors: list[FieldError] = []
        presentment = context.rules.money == "presentment"
        line_refs: dict[str, list[str]] = {}
        fields: dict[str, Any] = {
            "channel": self.name,
            "channel_order_id": str(payload.get("id", "")),
            "store_id": self._store(payload, context, errors),
            "currency": payload.get("presentment_currency" if presentment else "currency"),
            "customer": _customer(payload, context.rules),
            "lines": self._lines(payload, context, errors, line_refs),
        }
        fields["channel_reference"] = _reference(payload, line_refs)
        try:
            placement = OrderPlacement.model_validate(fields)
        except ValidationError as invalid:
            errors += [FieldError(_shopify_loc(list(e["loc"])), e["msg"]) for e in invalid.errors()]
        if errors:
            raise PayloadRejected(errors)
        return placement

    def _store(self, payload: dict, context: ChannelContext, errors: list[FieldError]) -> str | None:
        lines = payload.get("shipping_lines") or []
        pickup = next((line for line in lines if isinstance(line, dict) and _is_pickup(line)), None)
        if pickup is None:
            errors.append(FieldError(["shipping_lines"], "not a local pickup order"))
            return None
        label = str(pickup.get("title") or pickup.get("code") or "")
        for key in (str(pickup.get("location_id", "")), label):
            if context.locations and key in context.locations:
                return context.locations[key]
        for store in context.stores:
            if store.name.lower() in label.lower():
                return store.id
        errors.append(
            FieldError(["shipping_lines", 0, "title"], f"no store matches pickup location {label!r}")
        )
        return None

    def _lines(
        self, payload: dict, context: ChannelContext, errors: list[FieldError], refs: dict[str, list[str]]
    ) -> list[dict]:
        """One line per product: gift cards and free lines as the rules say; a product on two line items
        at the same price becomes one line. `refs` gathers each SKU's line item GIDs (for fulfillment)."""
        lines: list[dict] = []
        for index, item in enumerate(payload.get("line_items") or []):
            if not isinstance(item, dict):
                errors.append(FieldError(["line_items", index], "a line item object is expected"))
                continue
            if item.get("gift_card"):
                if context.rules.gift_cards == "refuse":
                    errors.append(
                        FieldError(["line_items", index], "a gift card: the shop's rules refuse it")
                    )
                continue
            price = _price(item, context.rules)
            if price is None:
                errors.append(FieldError(["line_items", index, "price"], "not a price"))
                continue
            if price == 0 and context.rules.free_lines == "skip":
                continue
            sku = _sku(item, context)
            if sku is None:
                errors.append(FieldError(["line_items", index, "sku"], _unknown_product(item)))
                continue
            if gid := _gid("LineItem", item):
                refs.setdefault(sku, []).append(gid)
            same = next((line for line in lines if (line["sku"], line["unit_price"]) == (sku, price)), None)
            if same and isinstance(same["quantity"], int) and isinstance(item.get("quantity"), int):
                same["quantity"] += item["quantity"]
            else:
                lines.append({"sku": sku, "quantity": item.get("quantity"), "unit_price": price})
        return lines


def _gid(kind: str, thing: dict) -> str | None:
    """Shopify's GraphQL id of an order or line item, as the webhook gives it (else built from `id`)."""
    gid = thing.get("admin_graphql_api_id")
    if isinstance(gid, str) and gid.startswith(f"gid://shopify/{kind}/"):
        return gid
    number = thing.get("id")
    return (
        f"gid://shopify/{kind}/{number}" if isinstance(number, int) and not isinstance(number, bool) else None
    )


def _reference(payload: dict, line_refs: dict[str, list[str]]) -> dict | None:
    """Where the order's progress is reported (ready, collected, cancelled): its GID and its lines'."""
    order = _gid("Order", payload)
    return {"order": order, "lines": line_refs} if order else None


def _is_pickup(line: dict) -> bool:
    label = f"{line.get('code') or ''} {line.get('title') or ''}".strip().lower()
    return line.get("delivery_category") == "pickup" or label.startswith("pickup")


def _text(*values: Any) -> str | None:
    """The first value that is a non-blank text or a number, stripped (Shopify sends nulls and "")."""
    for value in values:
        if isinstance(value, str | int) and not isinstance(value, bool) and str(value).strip():
            return str(value).strip()
    return None


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _customer(payload: dict, rules: ChannelRules) -> dict[str, Any]:
    """Who collects: a name (else the billing or shipping name, else the rules' default), an email and
    a phone wherever Shopify put them (the phone read in E.164 later, in the store's country)."""
    customer, billing, shipping = (
        _dict(payload.get(k)) for k in ("customer", "billing_address", "shipping_address")
    )
    pickup_phones = [_dict(line).get("phone") for line in payload.get("shipping_lines") or []]
    full_name = " ".join(_text(customer.get(k)) or "" for k in ("first_name", "last_name")).strip()
    phones = (payload.get("phone"), customer.get("phone"), billing.get("phone"), shipping.get("phone"))
    return {
        "name": _text(full_name, billing.get("name"), shipping.get("name"), rules.default_name),
        "email": _text(payload.get("email"), payload.get("contact_email"), customer.get("email")),
        "phone": _text(*phones, *pickup_phones),
        "locale": _locale(payload.get("customer_locale"), rules.default_locale),
    }


def _refs(item: dict) -> dict[str, str]:
    """How a line item names its product: SKU (often ""), variant id, barcode (when a flow adds it)."""
    refs = {
        kind: _text(item.get(key))
        for kind, key in (("sku", "sku"), ("variant", "variant_id"), ("barcode", "barcode"))
    }
    return {kind: value for kind, value in refs.items() if value}


def _sku(item: dict, context: ChannelContext) -> str | None:
    """The first of the rules' ways of naming the product that the catalogue knows; else the SKU as
    sent (the basket check then names it as unknown)."""
    refs = _refs(item)
    for kind in context.rules.products:
        if kind in refs and (kind, refs[kind]) in context.products:
            return context.products[(kind, refs[kind])]
    return refs["sku"] if "sku" in refs and "sku" in context.rules.products else None


def _unknown_product(item: dict) -> str:
    named = " or ".join(f"{kind} '{value}'" for kind, value in _refs(item).items() if kind != "sku")
    if not named:
        return "the line names no product: no SKU, variant id or barcode"
    return f"no product in the catalogue for {named}: map the variant or give the line a SKU"


def _decimal(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _price(item: dict, rules: ChannelRules) -> Decimal | None:
    if rules.money == "presentment":
        return _decimal(_dict(_dict(item.get("price_set")).get("presentment_money")).get("amount"))
    return _decimal(item.get("price"))


def _locale(value: Any, default: str) -> str:
    """ "en-GB", "fr", "pt_BR" as our locale; "zh-Hans-CN" keeps its language and region; a language we
    cannot name in two letters ("fil") gets the rules' default."""
    if not isinstance(value, str) or not value:
        return default
    language, *rest = value.replace("_", "-").split("-")
    if len(language) != 2 or not language.isalpha():
        return default
    region = next((part for part in reversed(rest) if len(part) == 2 and part.isalpha()), "")
    return f"{language.lower()}-{region.upper()}" if region else language.lower()


_FIELD_NAMES = {"channel_order_id": "id", "lines": "line_items", "unit_price": "price"}


def _shopify_loc(loc: list) -> list[str | int]:
    """Our model's field path in Shopify's terms, so the error names the field Shopify sent."""
    return [_FIELD_NAMES.get(part, part) if isinstance(part, str) else part for part in loc]
