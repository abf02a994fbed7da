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

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.api.common.v1 import Payload
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter, PayloadCodec

from adapters.customer_keys import CustomerKeyStore, KeyUnavailable, MasterKeys, customer_ref

ENCODING = b"binary/encrypted"
REFUSED = b"binary/unencrypted-refused"  # what an unencrypted payload decodes to: no converter reads it
KEY_ID = "encryption-key-id"
CUSTOMER_PREFIX = "customer:"
_CUSTOMER_FIELDS = {"name", "email", "phone", "locale"}


class UnknownKey(Exception):
    """A payload encrypted with a key this process does not have."""


class EncryptionCodec(PayloadCodec):
    """A payload naming a customer is encrypted with that customer's key (destroyed on erasure); any
    other with the active namespace key.

    An unencrypted payload (a signal or update sent from the Temporal UI or CLI without the codec
    endpoint, by anyone who reaches Temporal) is refused: it decodes to a payload no converter reads, so
    the worker drops such a signal and refuses such an update or query. Raising here instead would fail
    the whole workflow task, again at every retry: one stray signal would wedge the order for good.
    `accept_plaintext` lets through payloads written before encryption was turned on."""

    def __init__(
        self,
        keys: Mapping[str, bytes],
        active_key_id: str,
        customer_keys: CustomerKeyStore | None = None,
        *,
        accept_plaintext: bool = False,
    ) -> None:
        if active_key_id not in keys:
            raise ValueError(f"the active payload key {active_key_id!r} is not among the keys")
        self._ciphers = {key_id: AESGCM(key) for key_id, key in keys.items()}
        self._active = active_key_id
        self._customer_keys = customer_keys
        self._accept_plaintext = accept_plaintext

    @property
    def customer_keys(self) -> CustomerKeyStore | None:
        return self._customer_keys

    async def _cipher_for(self, payload: Payload) -> tuple[str, AESGCM]:
        email = _customer_email(payload) if self._customer_keys else None
        if self._customer_keys and email:
            ref = customer_ref(email)
            return f"{CUSTOMER_PREFIX}{ref}", AESGCM(await self._customer_keys.key_for(ref, create=True))
        return self._active, self._ciphers[self._active]

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        encoded = []
        for payload in payloads:
            key_id, cipher = await self._cipher_for(payload)
            nonce = os.urandom(12)  # never reused: a fresh nonce for every payload
            encoded.append(
                Payload(
                    metadata={"encoding": ENCODING, KEY_ID: key_id.encode()},
                    data=nonce + cipher.encrypt(nonce, payload.SerializeToString(), None),
                )
            )
        return encoded

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        decoded = []
        for payload in payloads:
            if payload.metadata.get("encoding") != ENCODING:
                decoded.append(payload if self._accept_plaintext else _refused(payload))
                continue
            key_id = payload.metadata[KEY_ID].decode()
            if key_id.startswith(CUSTOMER_PREFIX) and self._customer_keys:
                try:
                    cipher = AESGCM(
                        await self._customer_keys.key_for(key_id[len(CUSTOMER_PREFIX) :], create=False)
                    )
                except KeyUnavailable as unavailable:
                    raise UnknownKey(str(unavailable)) from None
            elif key_id in self._ciphers:
                cipher = self._ciphers[key_id]
            else:
                raise UnknownKey(f"payload encrypted with key {key_id!r}, which is not configured")
            try:
                plain = cipher.decrypt(payload.data[:12], payload.data[12:], None)
            except InvalidTag:  # written under a key since destroyed and replaced (erased, then new orders)
                raise UnknownKey(f"payload under key {key_id!r} cannot be read: erased or tampered") from None
            decoded.append(Payload.FromString(plain))
        return decoded


def _refused(payload: Payload) -> Payload:
    encoding = payload.metadata.get("encoding", b"none").decode(errors="replace")[:40]
    return Payload(metadata={"encoding": REFUSED, "refused-encoding": encoding.encode()})


def is_encrypted(payload: Payload) -> bool:
    return payload.metadata.get("encoding") == ENCODING


def parse_keys(keys: Mapping[str, str]) -> dict[str, bytes]:
    """Key id -> base64 of 32 random bytes (AES-256)."""
    parsed = {key_id: base64.b64decode(value) for key_id, value in keys.items()}
    for key_id, key in parsed.items():
        if len(key) != 32:
            raise ValueError(f"payload key {key_id!r} must be 32 bytes (base64 of 32 random bytes)")
    return parsed


_DECODER = json.JSONDecoder()


def _customer_email(payload: Payload) -> str | None:
    """The email of the customer a JSON payload names (an order, a message...), if any."""
    if payload.metadata.get("encoding") != b"json/plain" or b'"email"' not in payload.data:
        return None
    text = payload.data.decode()
    # Most payloads name it under "customer": that object alone is parsed (the whole order's view is
    # parsed only when it is not there), on every payload the worker and the API send.
    at = text.find('"customer":{')
    if at >= 0:
        customer, _ = _DECODER.raw_decode(text, at + len('"customer":'))
        if customer.keys() >= _CUSTOMER_FIELDS and isinstance(customer["email"], str):
            return str(customer["email"])
    stack: list[Any] = [json.loads(text)]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            if value.keys() >= _CUSTOMER_FIELDS and isinstance(value["email"], str):
                return value["email"]
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return None


def customer_key_store(
    engine: AsyncEngine, keys: Mapping[str, str], active_key_id: str | None
) -> CustomerKeyStore:
    """Customer keys in the database, wrapped by master keys derived from the payload keys."""
    master = MasterKeys(parse_keys(keys), active_key_id or sorted(keys)[-1]) if keys else None
    return CustomerKeyStore(engine, master)


def data_converter(
    keys: Mapping[str, str],
    active_key_id: str | None,
    customer_keys: CustomerKeyStore | None = None,
    *,
    accept_plaintext: bool = False,
) -> DataConverter:
    """The pydantic converter, encrypting when keys are configured (per customer with a key store) and
    then refusing unencrypted payloads unless `accept_plaintext`."""
    if not keys:
        return pydantic_data_converter
    active = active_key_id or sorted(keys)[-1]
    codec = EncryptionCodec(parse_keys(keys), active, customer_keys, accept_plaintext=accept_plaintext)
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
