"""One settings object, read from the environment, with embedded defaults that run on a laptop."""

from datetime import time, timedelta
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from domain.access import Grant
from domain.ids import TASK_QUEUE
from domain.policy import ChoiceOption, OrderPolicy, RoutingPolicy, ShortPickPolicy
from domain.values import CarrierRate


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
    preparation_promise: timedelta = timedelta(hours=2)
    reminder_after_ready: timedelta = timedelta(hours=24)
    hold_period: timedelta = timedelta(hours=72)

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

    expiry_warning_before: timedelta | None = timedelta(hours=24)
    quiet_hours_start: time | None = Field(default=time(21), description="store local time; empty for none")
    quiet_hours_end: time = time(8)
    quiet_hours_for_urgent: bool = False

    # Routing and exceptions (docs/routing.md)
    accept_within: timedelta = Field(default=timedelta(minutes=30), description="store acceptance SLA")
    at_risk_share: float = Field(default=0.8, gt=0, lt=1, description="share of an SLA that flags at risk")
    choice_window: timedelta = Field(default=timedelta(hours=24), description="time a customer has to choose")
    choice_default: ChoiceOption = ChoiceOption.COLLECT_AVAILABLE
    short_pick: ShortPickPolicy = ShortPickPolicy.WHOLE_ORDER
    routing: RoutingPolicy = Field(
        default_factory=RoutingPolicy, description='JSON, e.g. {"max_distance_km": 20}'
    )
    carrier_rates: list[CarrierRate] = Field(
        default_factory=list, description="JSON list of carrier rates; empty: the built-in table"
    )

    def order_policy(self) -> OrderPolicy:
        return OrderPolicy(
            accept_within=self.accept_within,
            at_risk_share=self.at_risk_share,
            choice_window=self.choice_window,
            choice_default=self.choice_default,
            short_pick=self.short_pick,
            routing=self.routing,
            preparation_promise=self.preparation_promise,
            reminder_after_ready=self.reminder_after_ready,
            hold_period=self.hold_period,
            expiry_warning_before=self.expiry_warning_before,
            quiet_hours_start=self.quiet_hours_start,
            quiet_hours_end=self.quiet_hours_end,
            quiet_hours_for_urgent=self.quiet_hours_for_urgent,
        )

    def sqlalchemy_url(self) -> str:
        """The database URL in the form SQLAlchemy wants (psycopg 3 driver); without DATABASE_URL, the
        embedded PostgreSQL that `oms up` runs."""
        return to_sqlalchemy_url(self.database_url or self.embedded_database_url())

    def grants(self) -> dict[str, Grant]:
        """The API keys accepted: configured ones, plus the demo keys when enabled."""
        from devstack.demo import DEMO_KEYS

        return {**(DEMO_KEYS if self.demo_keys else {}), **self.api_keys}

    def embedded_database_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.postgres_port}/oms"


def to_sqlalchemy_url(url: str) -> str:
    for prefix in ("postgresql+psycopg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    raise ValueError(f"not a PostgreSQL URL: {url}")
