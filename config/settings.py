"""One settings object, read from the environment, with embedded defaults that run on a laptop.

The order policy is declared once, in `domain.policy.OrderPolicy`, and nested here as `policy`; its
fields keep their flat variable names (`OMS_HOLD_PERIOD`, not `OMS_POLICY__HOLD_PERIOD`).
"""

import re
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal, Self

from pydantic import Field, ValidationError, ValidationInfo, field_validator, model_validator
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    DotEnvSettingsSource,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
)

from domain.access import Grant, Role
from domain.channel_rules import ChannelRules
from domain.commands import ProofKind
from domain.event_delivery import DeliveryPolicy
from domain.ids import TASK_QUEUE
from domain.policy import OrderPolicy
from domain.returns import ReturnPolicy
from domain.stock import FeedWindow
from domain.values import CarrierRate

SHOPIFY_API_VERSION = "2025-10"  # the Admin API version the fulfillment sync documents are written for

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
    max_cached_workflows: int = Field(
        default=1000,
        ge=0,
        description="open orders a worker keeps in memory (Temporal's sticky cache); the others are "
        "replayed from their history when they next move",
    )

    deployment_name: str | None = Field(
        default=None,
        description="the Temporal Worker Deployment the worker joins (Worker Versioning, docs/deploy.md); "
        "unset: an unversioned worker",
    )
    build_id: str | None = Field(
        default=None,
        validate_default=True,
        description="this release's build id in that deployment (the image tag, say); set with "
        "OMS_DEPLOYMENT_NAME",
    )

    data_dir: Path = Path(".data")
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    temporal_port: int = 7233
    temporal_ui_port: int = 8233
    postgres_port: int = 5433

    intake_wait: timedelta = Field(
        default=timedelta(seconds=5), description="how long POST /v1/orders waits for the reservation"
    )
    database_connect_timeout: timedelta = Field(
        default=timedelta(seconds=3), description="how long a connection attempt to PostgreSQL may take"
    )
    database_pool_timeout: timedelta = Field(
        default=timedelta(seconds=3), description="how long an API request waits for a free connection"
    )
    update_wait: timedelta = Field(
        default=timedelta(seconds=10), description="how long a store or support action waits for the order"
    )
    checkout_hold: timedelta = Field(
        default=timedelta(minutes=15), description="how long a checkout hold lasts"
    )
    returns: ReturnPolicy = Field(
        default_factory=ReturnPolicy,
        description="the return window after collection or delivery, per channel when it differs",
    )
    stock_feed_skew: timedelta = Field(
        default=FeedWindow().ahead, description="how far ahead of our clock a stock event may be dated"
    )
    stock_feed_max_age: timedelta = Field(
        default=FeedWindow().behind, description="how old a stock event may be when it arrives"
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
    tracking_grace: timedelta = Field(
        default=timedelta(days=30), description="how long a tracking link works after its order ended"
    )

    event_retry_for: timedelta = Field(
        default=timedelta(hours=24),
        ge=timedelta(hours=24),
        description="how long an order event is retried before it is dead-lettered (at least a day)",
    )
    event_longest_wait: timedelta = Field(
        default=timedelta(minutes=10), description="the longest wait between two tries of an order event"
    )

    shopify_webhook_secret: str | None = Field(default=None, description="verifies Shopify webhooks")
    shopify_locations: dict[str, str] = Field(
        default_factory=dict, description="JSON: Shopify location id or name -> store id"
    )
    shopify_shop_domain: str | None = Field(
        default=None,
        pattern=r"^[a-z0-9][a-z0-9-]*\.myshopify\.com$",
        description="the shop whose orders are kept in step (jsmith.myshopify.com); with the token",
    )
    shopify_admin_token: str | None = Field(
        default=None, description="Admin API access token (fulfillment orders and orders, read and write)"
    )
    shopify_api_version: str = Field(
        default=SHOPIFY_API_VERSION,
        pattern=r"^(20[0-9]{2}-(01|04|07|10)|unstable)$",
        description="the Admin API version every request names (the documents were checked against it)",
    )
    shopify_admin_url: str | None = Field(
        default=None, description="override of https://<shop>/admin/api/<version>/graphql.json (tests)"
    )
    channel_rules: dict[str, ChannelRules] = Field(
        default_factory=dict,
        description='JSON: "<channel>" or "<channel>:<account>" -> rules (docs/channels.md)',
    )

    payload_keys: dict[str, str] = Field(
        default_factory=dict,
        description="JSON: key id -> base64 of 32 random bytes; encrypts workflow payloads",
    )
    payload_key_id: str | None = Field(default=None, description="the key that encrypts (default: last id)")
    payload_accept_plaintext: bool = Field(
        default=False,
        description="take unencrypted payloads from Temporal (only while workflows started before "
        "encryption was turned on still run)",
    )
    codec_cors_origins: list[str] = Field(
        default_factory=lambda: ["http://127.0.0.1:8233", "http://localhost:8233"],
        description="Temporal UI origins allowed to call the codec server",
    )
    sdk_metrics_address: str | None = Field(
        default=None,
        description="host:port where the Temporal SDK serves its Prometheus metrics (/metrics); unset: off",
    )
    tracing: Literal["off", "otlp"] = Field(
        default="off",
        description="otlp: OpenTelemetry traces of the API and the workflows, sent to "
        "OTEL_EXPORTER_OTLP_ENDPOINT (needs the tracing extra); off: none",
    )
    codec_ui_token: str | None = Field(
        default=None,
        description="opens /codec/ui/<token> to the Temporal UI's origins without a key (oms up draws one "
        "per run for its embedded UI); unset: closed",
    )

    # Customer messages: without credentials a channel uses the embedded outbox-and-log sender.
    public_url: str = Field(
        default="http://127.0.0.1:8000",
        description="how customers and providers reach the API; unset: the API's own host and port",
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

    @field_validator(
        "deployment_name",
        "build_id",
        "shopify_shop_domain",
        "shopify_admin_token",
        "shopify_admin_url",
        mode="before",
    )
    @classmethod
    def _empty_is_unset(cls, value: Any) -> Any:
        return None if value == "" else value

    @field_validator("deployment_name")
    @classmethod
    def _deployment_name_without_dots(cls, name: str | None) -> str | None:
        """Temporal ignores, without a word, the polls of a worker whose deployment name has a dot."""
        if name is not None and ("." in name or not name.strip() or name != name.strip()):
            raise ValueError("a deployment name has no dot and no surrounding spaces (oms, oms-eu)")
        return name

    @field_validator("build_id")
    @classmethod
    def _versioned_with_both(cls, build_id: str | None, info: ValidationInfo) -> str | None:
        """A versioned worker needs its deployment and its build id; neither: unversioned."""
        if "deployment_name" not in info.data:  # its own error is reported already
            return build_id
        if (build_id is None) != (info.data["deployment_name"] is None):
            raise ValueError("set OMS_DEPLOYMENT_NAME and OMS_BUILD_ID together, or neither")
        return build_id

    def proof_for(self, store_id: str) -> ProofKind:
        """What a store's associates check at handover, beyond the pickup code."""
        return self.handover_proof_stores.get(store_id, self.handover_proof)

    @model_validator(mode="after")
    def _public_url_where_the_api_listens(self) -> Self:
        """Unset, the public URL is the API's own address, its port included (`oms up --api-port`)."""
        if "public_url" not in self.model_fields_set:
            host = "127.0.0.1" if self.api_host in ("", "0.0.0.0", "::") else self.api_host
            self.public_url = f"http://{f'[{host}]' if ':' in host else host}:{self.api_port}"
        return self

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

    def delivery_policy(self) -> DeliveryPolicy:
        return DeliveryPolicy(retry_for=self.event_retry_for, longest_wait=self.event_longest_wait)

    def feed_window(self) -> FeedWindow:
        """How far from now stock events may be dated (store feed and counts)."""
        return FeedWindow(ahead=self.stock_feed_skew, behind=self.stock_feed_max_age)

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


SECRET_WORDS = ("secret", "token", "key", "password", "database_url")


class ConfigurationError(Exception):
    """Settings the process cannot run with: one line per bad variable, naming it and the reason."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{variable}: {reason}" for variable, reason in problems))
        self.problems = problems

    def lines(self) -> list[str]:
        return [f"configuration error: {variable}: {reason}" for variable, reason in self.problems]


def load_settings(**overrides: Any) -> Settings:
    """The settings from the environment (and `overrides`), or a ConfigurationError naming each bad one."""
    try:
        settings = Settings(**overrides)
    except ValidationError as invalid:
        raise ConfigurationError([_problem(error) for error in invalid.errors()]) from None
    except SettingsError as unreadable:  # a JSON value that does not parse
        raise ConfigurationError([(_unreadable_variable(unreadable), _cause(unreadable))]) from None
    if bool(settings.shopify_shop_domain) != bool(settings.shopify_admin_token):
        missing = "shopify_admin_token" if settings.shopify_shop_domain else "shopify_shop_domain"
        raise ConfigurationError(
            [(variable_name(missing), "set both the Shopify shop domain and token, or neither")]
        )
    if settings.database_url is not None:
        try:
            to_sqlalchemy_url(settings.database_url)
        except ValueError:
            raise ConfigurationError([("DATABASE_URL", "not a PostgreSQL URL (postgresql://...)")]) from None
    return settings


def variable_name(field: str) -> str:
    """The environment variable a setting (or an order policy field) is read from."""
    alias = Settings.model_fields[field].validation_alias if field in Settings.model_fields else None
    return alias if isinstance(alias, str) else f"OMS_{field.upper()}"


def _problem(error: Any) -> tuple[str, str]:
    location = [str(part) for part in error["loc"]]
    field = location[1] if location[0] == "policy" and len(location) > 1 else location[0]
    inner = ".".join(location[2:] if location[0] == "policy" else location[1:])
    reason = error["msg"] + (f" (at {inner})" if inner else "")
    if any(word in field for word in SECRET_WORDS):  # never echo a secret into a log
        return variable_name(field), reason
    shown = "an empty value (none), which this setting cannot be" if error.get("input") is None else None
    return variable_name(field), f"{reason}; got {shown or _shown(error.get('input'))}"


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _unreadable_variable(error: SettingsError) -> str:
    found = re.search(r'field "([^"]+)"', str(error))
    return variable_name(found.group(1)) if found else "OMS_*"


def _cause(error: SettingsError) -> str:
    cause = error.__cause__
    return f"not valid JSON ({cause})" if cause else str(error)


def to_sqlalchemy_url(url: str) -> str:
    for prefix in ("postgresql+psycopg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    raise ValueError(f"not a PostgreSQL URL: {url}")
