"""What `oms up` keeps in its data folder (tracking secret, payload keys: private files from their first
byte), the embedded Temporal UI's codec endpoint, and the banner that says where to look."""

import json
import os
from pathlib import Path
from typing import Any

from config.settings import Settings


def private_file(path: Path, text: str) -> str:
    """The file's text, creating it with `text` when missing: readable by its owner only from its first
    byte (mode 0600 at creation, not a chmod after), and never through a link planted in its place."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        if path.is_symlink():
            raise FileExistsError(f"{path} is a link; remove it, it is not followed") from None
        return path.read_text()
    with os.fdopen(descriptor, "w") as file:
        file.write(text)
    return text


def tracking_secret(data_dir: Path) -> str:
    """A secret for customers' tracking links, kept in the data folder so links survive restarts."""
    import secrets

    return private_file(data_dir / "tracking_secret", secrets.token_urlsafe(32)).strip()


def payload_keys(data_dir: Path) -> dict[str, Any]:
    """The embedded setup's payload keys, kept in the data folder: {"keys": {id: base64}, "active": id}."""
    import base64

    new = {"keys": {"k1": base64.b64encode(os.urandom(32)).decode()}, "active": "k1"}
    return dict(json.loads(private_file(data_dir / "payload_keys.json", json.dumps(new))))


def embedded_ui_codec(settings: Settings) -> str:
    """The codec endpoint of the embedded Temporal UI: this run's API at /codec/ui/<a token drawn for this
    run> (the dev server's UI sends no key; docs/operations.md)."""
    import secrets

    if not settings.codec_ui_token:
        settings.codec_ui_token = secrets.token_urlsafe(24)
    host = "127.0.0.1" if settings.api_host in ("", "0.0.0.0", "::") else settings.api_host
    api = f"http://{f'[{host}]' if ':' in host else host}:{settings.api_port}"
    return f"{api}/codec/ui/{settings.codec_ui_token}"


def banner(settings: Settings, postgres_url: str) -> str:
    api = f"http://{settings.api_host}:{settings.api_port}"
    ui = f"http://127.0.0.1:{settings.temporal_ui_port}/namespaces/{settings.temporal_namespace}/workflows"
    try_key = "demo-ops" if settings.demo_keys else "<an ops key from OMS_API_KEYS>"
    return "\n".join(
        [
            "",
            "Click & collect OMS is running.",
            f"  API docs     {api}/docs",
            f"  Store console {api}/store/"
            + ("   (demo login: store key demo-store-paris-rivoli, any name)" if settings.demo_keys else ""),
            f"  Customer page {api}/track/<order>/<token>   (the link in every message to the customer;"
            " GET /v1/orders/{id}/tracking-link gives it)",
            f"  Ops dashboard {api}/ops/"
            + ("   (demo login: ops key demo-ops)" if settings.demo_keys else ""),
            f"  Temporal UI  {ui}",
            f"  Temporal     {settings.temporal_address} (task queue {settings.task_queue})",
            f"  PostgreSQL   {postgres_url}",
            f"  Data folder  {settings.data_dir.resolve()}",
            f"  Try          curl -H 'X-API-Key: {try_key}' {api}/v1/stores"
            + ("   (demo keys: see README)" if settings.demo_keys else ""),
            "Press Ctrl-C to stop.",
            "",
        ]
    )


def configuration_summary(settings: Settings) -> str:
    """What `oms check-config` prints when the settings are good: where each part goes, no secret."""
    where = settings.database_url and settings.database_url.rpartition("@")[2]  # no password shown
    versioned = (
        f"versioned as {settings.deployment_name}:{settings.build_id}" if settings.build_id else "unversioned"
    )
    shop = (
        f"{settings.shopify_shop_domain} (Admin API {settings.shopify_api_version})"
        if settings.shopify_shop_domain
        else "no shop"
    )
    return (
        f"configuration ok: PostgreSQL {where or 'embedded'}, Temporal {settings.temporal_address} "
        f"(namespace {settings.temporal_namespace}, task queue {settings.task_queue}), "
        f"{len(settings.payload_keys)} payload key(s), tracking links "
        + ("signed" if settings.tracking_secret else "off")
        + f", workers {versioned}, Shopify orders reported to {shop}, tracing {settings.tracing}"
    )
