"""A store device's session: a signed cookie naming the store and the associate, and the CSRF token every
form carries. The cookie is HttpOnly, SameSite=Strict, Secure over HTTPS; it holds no API key."""

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import asdict, dataclass, replace
from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import FormData

from config.settings import Settings
from domain.access import Grant, Role

COOKIE = "oms_console"
TRACK_COOKIE = "oms_track"
OPS_COOKIE = "oms_ops"
LIFETIME = 12 * 3600  # a shift; the device signs in again afterwards


class NotSignedIn(Exception):
    """The page needs a signed-in store device."""


class CsrfRefused(Exception):
    """A form arrived without this session's CSRF token."""


class OpsNotSignedIn(Exception):
    """The page needs a device signed in with an ops key (the ops dashboard)."""


class OtherStore(Exception):
    """The order belongs to another store than the device's."""


@dataclass(frozen=True)
class DeviceSession:
    csrf: str
    issued: int
    store_id: str | None = None
    store_name: str = ""
    timezone: str = "UTC"
    associate: str = ""
    language: str | None = None
    ops: bool = False  # signed in with an ops key, on the ops pages (their own cookie, under /ops)

    @property
    def signed_in(self) -> bool:
        return self.store_id is not None

    @property
    def actor(self) -> str:
        """Who took a step, as the order's timeline records it."""
        return f"store:{self.store_id}/associate:{self.associate}"

    @property
    def grant(self) -> Grant:
        return Grant(role=Role.STORE, store_id=self.store_id, name=self.associate)


def fresh() -> DeviceSession:
    return DeviceSession(csrf=secrets.token_urlsafe(24), issued=int(time.time()))


def session_secret(settings: Settings) -> bytes:
    """Derived from the tracking secret when there is one (every API process agrees), else per process."""
    if settings.tracking_secret:
        return hmac.new(settings.tracking_secret.encode(), b"store-console-session", hashlib.sha256).digest()
    return secrets.token_bytes(32)


def _signature(secret: bytes, body: bytes) -> str:
    return base64.urlsafe_b64encode(hmac.new(secret, body, hashlib.sha256).digest()).decode().rstrip("=")


def seal(secret: bytes, session: DeviceSession) -> str:
    body = base64.urlsafe_b64encode(json.dumps(asdict(session)).encode())
    return f"{body.decode()}.{_signature(secret, body)}"


def unseal(secret: bytes, cookie: str | None) -> DeviceSession | None:
    """The session in a cookie this server signed and that has not expired; None otherwise."""
    body, _, signature = (cookie or "").partition(".")
    if not body or not hmac.compare_digest(signature, _signature(secret, body.encode())):
        return None
    try:
        session = DeviceSession(**json.loads(base64.urlsafe_b64decode(body)))
    except (ValueError, TypeError):
        return None
    return session if time.time() - session.issued < LIFETIME else None


def cookie_scope(request: Request) -> tuple[str, str]:
    """The cookie's name and path: the console's under /store; the customer page keeps its own under
    /track (an anonymous session: its CSRF token and language, never a staff session); the ops
    dashboard its own under /ops (a store device's session never opens it, nor the other way)."""
    if request.url.path.startswith("/ops/"):
        return OPS_COOKIE, "/ops"
    return (TRACK_COOKIE, "/track") if request.url.path.startswith("/track/") else (COOKIE, "/store")


def current(request: Request) -> DeviceSession:
    """This device's session, or a new anonymous one (which still has a CSRF token for the sign-in form)."""
    known: DeviceSession | None = getattr(request.state, "console_session", None)
    if known is None:
        cookie = request.cookies.get(cookie_scope(request)[0])
        known = unseal(request.app.state.console_secret, cookie) or fresh()
        request.state.console_session = known
    return known


def remember(request: Request, session: DeviceSession) -> DeviceSession:
    """Use this session for the rest of the request (the response carries it)."""
    request.state.console_session = session
    return session


def signed_in(request: Request) -> DeviceSession:
    session = current(request)
    if not session.signed_in:
        raise NotSignedIn()
    return session


async def checked_form(request: Request) -> FormData:
    """The posted form, refused unless it carries this session's CSRF token."""
    form = await request.form()
    token = form.get("csrf")
    if not isinstance(token, str) or not hmac.compare_digest(token, current(request).csrf):
        raise CsrfRefused()
    return form


def ops_signed_in(request: Request) -> DeviceSession:
    session = current(request)
    if not session.ops:
        raise OpsNotSignedIn()
    return session


def with_language(session: DeviceSession, language: str) -> DeviceSession:
    return replace(session, language=language)


Device = Annotated[DeviceSession, Depends(signed_in)]
Ops = Annotated[DeviceSession, Depends(ops_signed_in)]
Anyone = Annotated[DeviceSession, Depends(current)]
Form = Annotated[FormData, Depends(checked_form)]
