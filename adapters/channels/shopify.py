"""Shopify `orders/create` webhooks for local pickup orders.

A pickup order has a shipping line with `delivery_category` "pickup" (or a code or title starting
"Pickup"); its location is mapped to a store by OMS_SHOPIFY_LOCATIONS (location id or name -> store
id), else by store name in the line's title ("Pickup at Paris Rivoli"). The order id becomes the
channel order id, so a webhook delivered twice is the same order."""

import base64
import hashlib
import hmac
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import ValidationError

from adapters.channels.base import ChannelContext, FieldError, PayloadRejected, SignatureRejected
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

    def to_placement(self, payload: Any, context: ChannelContext) -> OrderPlacement:
        if not isinstance(payload, dict):
            raise PayloadRejected([FieldError([], "an order object is expected")])
        errors: list[FieldError] = []
        customer: dict[str, Any] = payload["customer"] if isinstance(payload.get("customer"), dict) else {}
        name = " ".join(str(customer.get(k) or "") for k in ("first_name", "last_name")).strip()
        fields: dict[str, Any] = {
            "channel": self.name,
            "channel_order_id": str(payload.get("id", "")),
            "store_id": self._store(payload, context, errors),
            "currency": payload.get("currency"),
            "customer": {
                "name": name or None,
                "email": payload.get("email") or customer.get("email"),
                "phone": payload.get("phone") or customer.get("phone") or _shipping_phone(payload),
                "locale": _locale(payload.get("customer_locale")),
            },
            "lines": self._lines(payload, errors),
        }
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

    def _lines(self, payload: dict, errors: list[FieldError]) -> list[dict]:
        lines = []
        for index, item in enumerate(payload.get("line_items") or []):
            if not isinstance(item, dict):
                errors.append(FieldError(["line_items", index], "a line item object is expected"))
                continue
            try:
                price = Decimal(str(item.get("price")))
            except InvalidOperation:
                errors.append(FieldError(["line_items", index, "price"], "not a price"))
                continue
            lines.append({"sku": item.get("sku"), "quantity": item.get("quantity"), "unit_price": price})
        return lines


def _is_pickup(line: dict) -> bool:
    label = f"{line.get('code') or ''} {line.get('title') or ''}".strip().lower()
    return line.get("delivery_category") == "pickup" or label.startswith("pickup")


def _shipping_phone(payload: dict) -> str | None:
    for line in payload.get("shipping_lines") or []:
        if isinstance(line, dict) and line.get("phone"):
            return str(line["phone"])
    return None


def _locale(value: Any) -> str:
    if not isinstance(value, str) or not value:
        return "en"
    language, _, region = value.replace("_", "-").partition("-")
    return f"{language.lower()}-{region.upper()}" if region else language.lower()


_FIELD_NAMES = {"channel_order_id": "id", "lines": "line_items", "unit_price": "price"}


def _shopify_loc(loc: list) -> list[str | int]:
    """Our model's field path in Shopify's terms, so the error names the field Shopify sent."""
    return [_FIELD_NAMES.get(part, part) if isinstance(part, str) else part for part in loc]
