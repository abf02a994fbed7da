"""The database schema (SQLAlchemy Core). Alembic migrations in adapters/db/migrations create it."""

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Identity,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

metadata = MetaData()

stores = Table(
    "stores",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", Text, nullable=False),
    Column("city", Text, nullable=False),
    Column("address", Text, nullable=False),
    Column("latitude", Float, nullable=False),
    Column("longitude", Float, nullable=False),
    Column("timezone", Text, nullable=False),
    Column("opening_hours", JSONB, nullable=False),
    Column("special_days", JSONB, nullable=False, server_default=text("'[]'")),  # migration 0013
    Column("email", Text),  # where store alerts go
    Column("kind", String(16), nullable=False, server_default="store"),  # store | warehouse
    Column("routing", String(16), nullable=False, server_default="open"),  # open | closed | frozen
    Column("orders_per_hour", Integer),
    Column("orders_per_day", Integer),
    Column("ships", Boolean, nullable=False, server_default=false()),
    Column("country", String(2)),
)

products = Table(
    "products",
    metadata,
    Column("sku", String(64), primary_key=True),
    Column("name", Text, nullable=False),
    Column("unit_price", Numeric(12, 2), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("barcode", String(14), unique=True, index=True),  # GTIN/EAN (migration 0009): the first one
    Column("active", Boolean, nullable=False, server_default=text("true")),  # migration 0015
)

# Every barcode of a product (migration 0015); products.barcode repeats the first one.
product_barcodes = Table(
    "product_barcodes",
    metadata,
    Column("barcode", String(14), primary_key=True),
    Column("sku", String(64), ForeignKey("products.sku"), nullable=False, index=True),
    Column("position", SmallInteger, nullable=False, server_default="0"),
)

# API keys created by ops (migration 0015): only the SHA-256 digest of the secret is kept.
api_keys = Table(
    "api_keys",
    metadata,
    Column("id", String(16), primary_key=True),
    Column("name", Text, nullable=False),
    Column("role", String(16), nullable=False),
    Column("store_id", String(64)),
    Column("channel", String(64)),
    Column("digest", String(64), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("revoked_at", DateTime(timezone=True)),
    Column("replaced_by", String(16)),
)

shelf_locations = Table(
    "shelf_locations",
    metadata,
    Column("store_id", String(64), ForeignKey("stores.id"), nullable=False),
    Column("sku", String(64), ForeignKey("products.sku"), nullable=False),
    Column("location", String(32), nullable=False),  # aisle-bay-shelf, e.g. "A03-B2"
    PrimaryKeyConstraint("store_id", "sku"),
)

channel_products = Table(
    "channel_products",
    metadata,
    Column("channel", String(64), nullable=False),
    Column("account", String(120), nullable=False, server_default=""),  # '' = every account
    Column("variant_id", String(64), nullable=False),
    Column("sku", String(64), ForeignKey("products.sku"), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("channel", "account", "variant_id"),
)

stock_levels = Table(
    "stock_levels",
    metadata,
    Column("store_id", String(64), ForeignKey("stores.id"), nullable=False),
    Column("sku", String(64), ForeignKey("products.sku"), nullable=False),
    Column("on_hand", Integer, nullable=False),
    Column("reserved", Integer, nullable=False, server_default="0"),
    Column("safety_stock", Integer, nullable=False, server_default="0"),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("store_id", "sku"),
    CheckConstraint("on_hand >= 0", name="on_hand_not_negative"),
    CheckConstraint("reserved >= 0", name="reserved_not_negative"),
)

reservations = Table(
    "reservations",
    metadata,
    Column("order_id", String(160), nullable=False),
    Column("sku", String(64), nullable=False),
    Column("store_id", String(64), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("state", String(16), nullable=False),  # active | released | committed
    Column("expires_at", DateTime(timezone=True)),  # set for checkout holds, null for orders
    Column("at_risk", Boolean, nullable=False, server_default=false()),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("order_id", "sku"),
    CheckConstraint("quantity > 0", name="reservation_quantity_positive"),
)

payment_entries = Table(
    "payment_entries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("order_id", String(160), nullable=False, index=True),
    Column("kind", String(16), nullable=False),  # authorization | capture | void | refund
    Column("amount", Numeric(12, 2), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("idempotency_key", String(240), nullable=False, unique=True),
    Column("reason", Text),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

notifications = Table(
    "notifications",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("order_id", String(160), nullable=False, index=True),
    Column("kind", String(40), nullable=False),
    Column("sequence", Integer, nullable=False),
    Column("channel", String(16), nullable=False),  # email | sms
    Column("recipient", Text, nullable=False),
    Column("subject", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("status", String(16), nullable=False),  # pending | sending | sent | failed | suppressed
    Column("provider", String(32), nullable=False),
    Column("language", String(8)),
    Column("provider_message_id", String(120), index=True),
    Column("delivery_status", String(32)),  # from the provider's callbacks: delivered, bounce, undelivered...
    Column("failure", Text),
    Column("sent_at", DateTime(timezone=True)),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    UniqueConstraint("order_id", "kind", "sequence", "channel", name="one_message_per_event"),
)

orders = Table(
    "orders",
    metadata,
    Column("id", String(160), primary_key=True),
    Column("channel", String(64), nullable=False),
    Column("channel_order_id", String(64), nullable=False),
    Column("store_id", String(64), nullable=False),  # indexed with (status,) created_at, id (migration 0018)
    Column("status", String(32), nullable=False, index=True),
    Column("view", JSONB, nullable=False),  # the OrderView the workflow last recorded
    Column("at_risk", Boolean, nullable=False, server_default=false()),
    Column("version", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("step_in_doubt_since", DateTime(timezone=True)),  # migration 0014: a step's answer was lost
    Column("step_in_doubt", JSONB),  # that step: {"update": name, "request": body}
    Index(
        "orders_steps_in_doubt",
        "step_in_doubt_since",
        postgresql_where=text("step_in_doubt_since IS NOT NULL"),
    ),
)

order_events = Table(
    "order_events",
    metadata,
    Column("order_id", String(160), ForeignKey("orders.id"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("status", String(32), nullable=False),
    Column("actor", Text, nullable=False),
    Column("reason", Text),
    PrimaryKeyConstraint("order_id", "seq"),
)

stock_movements = Table(
    "stock_movements",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("store_id", String(64), nullable=False),
    Column("sku", String(64), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("on_hand_delta", Integer, nullable=False),
    Column("reserved_delta", Integer, nullable=False),
    Column("holder_id", String(160)),
    Column("reason", Text, nullable=False),
    Column("source", Text, nullable=False),
    Column("idempotency_key", String(240), nullable=False, unique=True),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

inventory_events = Table(
    "inventory_events",
    metadata,
    Column("event_id", String(120), primary_key=True),
    Column("store_id", String(64), nullable=False),
    Column("sku", String(64), nullable=False),
    Column("type", String(16), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("on_hand_delta", Integer, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

inventory_event_rejections = Table(
    "inventory_event_rejections",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("event_id", String(120)),
    Column("payload", JSONB, nullable=False),
    Column("reasons", JSONB, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

replenishment_alerts = Table(
    "replenishment_alerts",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("store_id", String(64), nullable=False),
    Column("sku", String(64), nullable=False),
    Column("on_hand", Integer, nullable=False),
    Column("reserved", Integer, nullable=False),
    Column("safety_stock", Integer, nullable=False),
    Column("raised_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("cleared_at", DateTime(timezone=True)),
)

support_alerts = Table(
    "support_alerts",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("order_id", String(160), nullable=False, index=True),
    Column("kind", String(40), nullable=False),
    Column("detail", Text, nullable=False),
    Column("idempotency_key", String(240), nullable=False, unique=True),
    Column("raised_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("resolved_at", DateTime(timezone=True)),
)

dead_letters = Table(
    "dead_letters",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("channel", String(64), nullable=False),
    Column("payload", JSONB, nullable=False),
    Column("reasons", JSONB, nullable=False),
    Column("status", String(16), nullable=False, server_default="open"),  # open | replayed
    Column("order_id", String(160)),
    Column("received_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

customer_keys = Table(
    "customer_keys",
    metadata,
    Column("customer_ref", String(64), primary_key=True),
    Column("key", LargeBinary),  # null once the customer's data was erased
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("erased_at", DateTime(timezone=True)),
)

shipments = Table(
    "shipments",
    metadata,
    Column("order_id", String(160), primary_key=True),
    Column("ship_from", String(64), nullable=False),
    Column("carrier", Text, nullable=False),
    Column("service", Text, nullable=False),
    Column("tracking_number", String(64), nullable=False, unique=True),
    Column("cost", Numeric(12, 2), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("promised_days", Integer, nullable=False),
    Column("lines", JSONB, nullable=False),
    Column("address", JSONB, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

# Pickup slots (migration 0011): staffing per weekday, places taken per slot, one booking per order.
pickup_slot_rules = Table(
    "pickup_slot_rules",
    metadata,
    Column("store_id", String(64), ForeignKey("stores.id"), nullable=False),
    Column("weekday", SmallInteger, nullable=False),  # 0 = Monday
    Column("minutes", Integer, nullable=False),
    Column("capacity", Integer, nullable=False),
    PrimaryKeyConstraint("store_id", "weekday"),
)

pickup_slots = Table(
    "pickup_slots",
    metadata,
    Column("store_id", String(64), ForeignKey("stores.id"), nullable=False),
    Column("starts_at", DateTime(timezone=True), nullable=False),
    Column("booked", Integer, nullable=False, server_default="0"),
    PrimaryKeyConstraint("store_id", "starts_at"),
)

pickup_slot_bookings = Table(
    "pickup_slot_bookings",
    metadata,
    Column("order_id", String(160), primary_key=True),
    Column("store_id", String(64), nullable=False),
    Column("starts_at", DateTime(timezone=True), nullable=False),
    Column("ends_at", DateTime(timezone=True), nullable=False),
    Column("booked_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    ForeignKeyConstraint(["store_id", "starts_at"], ["pickup_slots.store_id", "pickup_slots.starts_at"]),
)

returns = Table(
    "returns",
    metadata,
    Column("id", String(200), primary_key=True),  # return_workflow_id(order, number) (migration 0012)
    Column("order_id", String(160), ForeignKey("orders.id"), nullable=False),
    Column("number", Integer, nullable=False),
    Column("request_key", String(120), nullable=False, unique=True),
    Column("store_id", String(64), nullable=False),
    Column("status", String(16), nullable=False),
    Column("lines", JSONB, nullable=False),
    Column("refund", Numeric(12, 2), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("actor", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    UniqueConstraint("order_id", "number"),
)

# The code an order was handed over against (migration 0016): once used it opens nothing, but the
# returns counter finds the order by it (the customer's QR encodes it).
collected_pickup_codes = Table(
    "collected_pickup_codes",
    metadata,
    Column("order_id", String(160), ForeignKey("orders.id"), primary_key=True),
    Column("code", String(6), nullable=False, index=True),
    Column("collected_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
