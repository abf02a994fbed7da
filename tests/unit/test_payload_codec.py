"""The payload codec refuses what reaches the worker unencrypted, without wedging a workflow (issue 19 #7)."""

import pytest
from temporalio.contrib.pydantic import pydantic_data_converter

from adapters.codec import EncryptionCodec

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
