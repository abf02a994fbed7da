"""The payload codec refuses what reaches the worker unencrypted, without wedging a workflow (issue 19 #7)."""

import json

import pytest
from temporalio.api.common.v1 import Payload
from temporalio.contrib.pydantic import pydantic_data_converter

from adapters.codec import EncryptionCodec, _customer_email

KEYS = {"k1": b"k" * 32}
CONVERTER = pydantic_data_converter.payload_converter


async def test_an_unencrypted_payload_decodes_to_one_no_converter_reads_when_keys_are_configured() -> None:
    plain = CONVERTER.to_payload({"reason": "x", "actor": "ops"})
    [refused] = await EncryptionCodec(KEYS, "k1").decode([plain])
    with pytest.raises(KeyError, match="unencrypted"):
        CONVERTER.from_payload(refused, dict)  # a signal carrying it is dropped, an update refused


async def test_encrypted_payloads_round_trip_and_plaintext_passes_only_when_accepted() -> None:
    codec = EncryptionCodec(KEYS, "k1")
    payload = CONVERTER.to_payload({"a": 1})
    assert await codec.decode(await codec.encode([payload])) == [payload]
    assert await EncryptionCodec(KEYS, "k1", accept_plaintext=True).decode([payload]) == [payload]


def _json(data: object) -> Payload:
    return Payload(
        metadata={"encoding": b"json/plain"}, data=json.dumps(data, separators=(",", ":")).encode()
    )


CUSTOMER = {"name": "Camille", "email": "camille@example.com", "phone": "+33600000000", "locale": "fr"}


def test_the_customer_a_payload_names_is_found_under_customer_or_anywhere_else() -> None:
    """The key a payload is encrypted under is its customer's (erasure destroys it): the customer is read
    from the "customer" object when there is one, else found anywhere in the payload."""
    order = {"order_id": "o-1", "note": 'a "customer":{ in text', "placement": {"customer": CUSTOMER}}
    assert _customer_email(_json(order)) == "camille@example.com"
    assert _customer_email(_json({"to": [CUSTOMER]})) == "camille@example.com"  # not under "customer"
    partial = {"customer": {"email": "x@example.com"}, "lines": [{"who": CUSTOMER}]}
    assert _customer_email(_json(partial)) == "camille@example.com"  # not a customer object: looked further
    assert _customer_email(_json({"customer": None, "email": "x@example.com"})) is None
    assert _customer_email(Payload(metadata={"encoding": b"binary/plain"}, data=b'"email"')) is None
