"""One settings object, read from the environment, with embedded defaults that run on a laptop.

The order policy is declared once, in `domain.policy.OrderPolicy`, and nested here as `policy`; its
fields keep their flat variable names (`OMS_HOLD_PERIOD`, not `OMS_POLICY__HOLD_PERIOD`).
"""

from datetime import timedelta
from pathlib import Path
from typing import Any

from pydantic import Field
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    DotEnvSettingsSource,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from domain.access import Grant, Role
from domain.commands import ProofKind
from domain.ids import TASK_QUEUE
from domain.policy import OrderPolicy
from domain.values import CarrierRate

DEMO_KEYS: dict[str, Grant] = {
    "demo-ops": Grant(role=Role.OPS, name="demo ops"),
    "demo-support": Grant(role=Role.SUPPORT, name="demo support"),
    "demo-channel-webshop": Grant(role=Role.CHANNEL, channel="webshop", name="demo web shop"),
    "demo-store-paris-rivoli": Grant(role=Role.STORE, store_id="paris-rivoli", name="demo Paris Rivoli"),
    "demo-store-lyon-part-dieu": Grant(
        role=Role.STORE, store_id="lyon-part-dieu", name="demo Lyon Part-Dieu"
    ),
    "demo-store-paris-la-defense": Grant(
        role=Role.STORE, store_id="paris-la-defense", name="demo Paris La Défense"
    ),
}
"""Keys `oms up` accepts when no OMS_API_KEYS are configured (documented in the README)."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="OMS_", env_file=".env", extra="ignore", populate_by_name=True
    )

    database_url: str | None = Field(
        default=None,
        validation_alias="DATABASE_URL",
        description="PostgreSQL URL; unset = the embedded PostgreSQL under the data folder",
    )
    temporal_address: str = "localhost:7233"
    temporal_namespace: str = "default"
    task_queue: str = TASK_QUEUE

    data_dir: Path = Path(".data")
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    temporal_port: int = 7233
    temporal_ui_port: int = 8233
    postgres_port: int = 5433

    intake_wait: timedelta = Field(
        default=timedelta(seconds=5), description="how long POST /v1/orders waits for the reservation"
    )
    update_wait: timedelta = Field(
        default=timedelta(seconds=10), description="how long a store or support action waits for the order"
    )
    checkout_hold: timedelta = Field(
        default=timedelta(minutes=15), description="how long a checkout hold lasts"
    )
    policy: OrderPolicy = Field(
        default_factory=OrderPolicy,
        description="fixed into each order when it is placed; each field read as OMS_<FIELD>",
    )

    api_keys: dict[str, Grant] = Field(
        default_factory=dict, description='JSON: {"key": {"role": "store", "store_id": "paris-rivoli"}, ...}'
    )
    demo_keys: bool = Field(default=False, description="accept the documented demo keys (oms up sets it)")
    tracking_secret: str | None = Field(default=None, description="signs customers' tracking links")

    shopify_webhook_secret: str | None = Field(default=None, description="verifies Shopify webhooks")
    shopify_locations: dict[str, str] = Field(
        default_factory=dict, description="JSON: Shopify location id or name -> store id"
    )

    payload_keys: dict[str, str] = Field(
        default_factory=dict,
        description="JSON: key id -> base64 of 32 random bytes; encrypts workflow payloads",
    )
    payload_key_id: str | None = Field(default=None, description="the key that encrypts (default: last id)")
    codec_cors_origins: list[str] = Field(
        default_factory=lambda: ["http://127.0.0.1:8233", "http://localhost:8233"],
        description="Temporal UI origins allowed to call the codec server",
    )

    # Customer messages: without credentials a channel uses the embedded outbox-and-log sender.
    public_url: str = Field(
        default="http://127.0.0.1:8000", description="how providers reach the API (webhooks)"
    )
    twilio_account_sid: str | None = None
    twilio_auth_token: str | None = None
    twilio_from_number: str | None = None
    twilio_api_url: str | None = Field(default=None, description="override of https://api.twilio.com")
    sendgrid_api_key: str | None = None
    sendgrid_from_email: str | None = None
    sendgrid_host: str = "https://api.sendgrid.com"
    sendgrid_webhook_public_key: str | None = Field(
        default=None, description="event webhook verification key"
    )

    carrier_rates: list[CarrierRate] = Field(
        default_factory=list, description="JSON list of carrier rates; empty: the built-in table"
    )

    handover_proof: ProofKind = Field(
        default=ProofKind.CODE, description="proof of handover: code, id_check (type noted) or signature"
    )
    handover_proof_stores: dict[str, ProofKind] = Field(
        default_factory=dict,
        description='JSON: store id -> proof kind where it differs ({"lyon": "id_check"})',
    )

    def proof_for(self, store_id: str) -> ProofKind:
        """What a store's associates check at handover, beyond the pickup code."""
        return self.handover_proof_stores.get(store_id, self.handover_proof)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        assert isinstance(env_settings, EnvSettingsSource)
        assert isinstance(dotenv_settings, DotEnvSettingsSource)
        policy = _FlatPolicy(settings_cls, env_settings, dotenv_settings)
        return init_settings, env_settings, dotenv_settings, policy, file_secret_settings

    # Transitional: services/intake.py and api/routes/availability.py read these until they read
    # `settings.policy`; delete both then.
    def sqlalchemy_url(self) -> str:
        """The database URL in the form SQLAlchemy wants (psycopg 3 driver); without DATABASE_URL, the
        embedded PostgreSQL that `oms up` runs."""
        return to_sqlalchemy_url(self.database_url or self.embedded_database_url())

    def grants(self) -> dict[str, Grant]:
        """The API keys accepted: configured ones, plus the demo keys when enabled."""
        return {**(DEMO_KEYS if self.demo_keys else {}), **self.api_keys}

    def embedded_database_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.postgres_port}/oms"


class _FlatPolicy(PydanticBaseSettingsSource):
    """The order policy's fields under their own names (`OMS_HOLD_PERIOD`), from the environment and the
    .env file, nested into `policy`. An empty value means none (`OMS_QUIET_HOURS_START=`)."""

    def __init__(
        self, settings_cls: type[BaseSettings], env: EnvSettingsSource, dotenv: DotEnvSettingsSource
    ) -> None:
        super().__init__(settings_cls)
        names = {"env_prefix": env.env_prefix, "case_sensitive": env.case_sensitive, "env_parse_none_str": ""}
        # OrderPolicy is a plain model: the sources read only its fields and config.
        self._sources = (
            DotEnvSettingsSource(OrderPolicy, env_file=dotenv.env_file, **names),  # type: ignore[arg-type]
            EnvSettingsSource(OrderPolicy, **names),  # type: ignore[arg-type]
        )

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # unused: __call__ reads whole sources

    def __call__(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for source in self._sources:  # the environment wins over the .env file
            values.update({k: v for k, v in source().items() if k in OrderPolicy.model_fields})
        return {"policy": values} if values else {}


def to_sqlalchemy_url(url: str) -> str:
    for prefix in ("postgresql+psycopg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    raise ValueError(f"not a PostgreSQL URL: {url}")
