"""Workflow payloads encrypted with AES-GCM before they reach Temporal, so customers' names, emails,
phones and addresses never sit in clear in workflow histories.

Each payload records the id of the key that encrypted it: rotation adds a new key and makes it the
active one; older keys stay configured to read older histories (see docs/access.md)."""

import base64
import dataclasses
import json
import os
from collections.abc import Mapping, Sequence
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter, PayloadCodec

ENCODING = b"binary/encrypted"
KEY_ID = "encryption-key-id"


class UnknownKey(Exception):
    """A payload encrypted with a key this process does not have."""


class EncryptionCodec(PayloadCodec):
    def __init__(self, keys: Mapping[str, bytes], active_key_id: str) -> None:
        if active_key_id not in keys:
            raise ValueError(f"the active payload key {active_key_id!r} is not among the keys")
        self._ciphers = {key_id: AESGCM(key) for key_id, key in keys.items()}
        self._active = active_key_id

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        cipher, encoded = self._ciphers[self._active], []
        for payload in payloads:
            nonce = os.urandom(12)  # never reused: a fresh nonce for every payload
            encoded.append(
                Payload(
                    metadata={"encoding": ENCODING, KEY_ID: self._active.encode()},
                    data=nonce + cipher.encrypt(nonce, payload.SerializeToString(), None),
                )
            )
        return encoded

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        decoded = []
        for payload in payloads:
            if payload.metadata.get("encoding") != ENCODING:
                decoded.append(payload)  # written before encryption was turned on
                continue
            key_id = payload.metadata[KEY_ID].decode()
            if key_id not in self._ciphers:
                raise UnknownKey(f"payload encrypted with key {key_id!r}, which is not configured")
            plain = self._ciphers[key_id].decrypt(payload.data[:12], payload.data[12:], None)
            decoded.append(Payload.FromString(plain))
        return decoded


def parse_keys(keys: Mapping[str, str]) -> dict[str, bytes]:
    """Key id -> base64 of 32 random bytes (AES-256)."""
    parsed = {key_id: base64.b64decode(value) for key_id, value in keys.items()}
    for key_id, key in parsed.items():
        if len(key) != 32:
            raise ValueError(f"payload key {key_id!r} must be 32 bytes (base64 of 32 random bytes)")
    return parsed


def data_converter(keys: Mapping[str, str], active_key_id: str | None) -> DataConverter:
    """The pydantic converter, encrypting when keys are configured."""
    if not keys:
        return pydantic_data_converter
    codec = EncryptionCodec(parse_keys(keys), active_key_id or sorted(keys)[-1])
    return dataclasses.replace(pydantic_data_converter, payload_codec=codec)


def new_key_file(path: "os.PathLike[str] | str") -> dict[str, Any]:
    """Create (or read) a key file for the embedded setup: {"keys": {...}, "active": "..."}."""
    if not os.path.exists(path):
        document = {"keys": {"k1": base64.b64encode(os.urandom(32)).decode()}, "active": "k1"}
        with open(path, "w") as file:
            json.dump(document, file)
        os.chmod(path, 0o600)
    with open(path) as file:
        return json.load(file)
