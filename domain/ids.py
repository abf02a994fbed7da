"""Every identifier shared by the API, the worker and the workflows lives here."""

import base64
import hashlib
import hmac
import re
from typing import Any

from temporalio.common import SearchAttributeKey

TASK_QUEUE = "click-and-collect"

# Workflow handler names, so the API, the CLI and `temporal workflow signal` agree.
UPDATE_CONFIRM_INTAKE = "confirm_intake"
UPDATE_ACCEPT = "accept"
UPDATE_PICK = "pick"
UPDATE_MARK_READY = "mark_ready"
UPDATE_COLLECT = "collect"
UPDATE_CANCEL = "cancel"
UPDATE_RESEND_NOTIFICATION = "resend_notification"
UPDATE_UNLOCK_PICKUP = "unlock_pickup"
UPDATE_REJECT = "reject"
UPDATE_REPORT_SHORT_PICK = "report_short_pick"
UPDATE_CHOOSE = "choose"
UPDATE_CHECK_IN = "check_in"
UPDATE_NAME_COLLECTOR = "name_collector"
QUERY_PICKUP_CODE = "pickup_code"
SIGNAL_CANCEL = "cancel_order"
SIGNAL_STOCK_AT_RISK = "stock_at_risk"
SIGNAL_SLOT_BOOKED = "pickup_slot_booked"
QUERY_STATE = "state"

SA_ORDER_STATUS = SearchAttributeKey.for_keyword("OrderStatus")
SA_STORE_ID = SearchAttributeKey.for_keyword("StoreId")
SA_CHANNEL = SearchAttributeKey.for_keyword("Channel")
SA_STOCK_AT_RISK = SearchAttributeKey.for_bool("StockAtRisk")
SA_SLA_AT_RISK = SearchAttributeKey.for_bool("SlaAtRisk")
SA_CHECKED_IN = SearchAttributeKey.for_bool("CheckedIn")  # the customer said "I'm on my way" or "I'm here"
SEARCH_ATTRIBUTES = (
    SA_ORDER_STATUS,
    SA_STORE_ID,
    SA_CHANNEL,
    SA_STOCK_AT_RISK,
    SA_SLA_AT_RISK,
    SA_CHECKED_IN,
)

CHANNEL_REF_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
_CHANNEL_REF = re.compile(CHANNEL_REF_PATTERN)


def order_workflow_id(channel: str, channel_order_id: str) -> str:
    """An order's id is its workflow id: stable per channel order, readable in the Temporal UI."""
    for value in (channel, channel_order_id):
        if not _CHANNEL_REF.match(value):
            raise ValueError(f"not a valid channel reference: {value!r}")
    return f"order-{channel}-{channel_order_id}"


TRACKING_PATH = "/v1/track"  # a customer's link: TRACKING_PATH/<order id>/<token>; kept out of logs


def tracking_token(secret: str, order_id: str) -> str:
    """An HMAC of the order id: unguessable without the secret, nothing stored. It carries nothing
    else (no pickup code): rotating OMS_TRACKING_SECRET voids every link at once."""
    digest = hmac.new(secret.encode(), order_id.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")[:32]


def search_attribute_type(key: SearchAttributeKey[Any]) -> str:
    """The type name Temporal's CLI uses (Keyword, Bool)."""
    return "Bool" if key.value_type is bool else "Keyword"


def search_attribute_flags() -> list[str]:
    """`temporal server start-dev` flags registering every search attribute the OMS uses."""
    return [f"--search-attribute={key.name}={search_attribute_type(key)}" for key in SEARCH_ATTRIBUTES]


# Activity names: workflows call activities by name so workflow modules import no I/O code.
ACTIVITY_LOAD_STORE = "load_store"
ACTIVITY_RECORD_ORDER = "record_order"
ACTIVITY_RECORD_AND_TELL = "record_order_and_tell"
ACTIVITY_RESERVE_STOCK = "reserve_stock"
ACTIVITY_RELEASE_STOCK = "release_stock"
ACTIVITY_COMMIT_STOCK = "commit_stock"
ACTIVITY_AUTHORIZE_PAYMENT = "authorize_payment"
ACTIVITY_CAPTURE_PAYMENT = "capture_payment"
ACTIVITY_VOID_PAYMENT = "void_payment"
ACTIVITY_NOTIFY_CUSTOMER = "notify_customer"
ACTIVITY_RAISE_SUPPORT_ALERT = "raise_support_alert"
ACTIVITY_RESOLVE_SUPPORT_ALERT = "resolve_support_alert"
ACTIVITY_FIND_STORES = "find_stores"
ACTIVITY_RELEASE_LINES = "release_lines"
ACTIVITY_WRITE_OFF_STOCK = "write_off_stock"
ACTIVITY_REFUND_PAYMENT = "refund_payment"
ACTIVITY_QUOTE_CARRIERS = "quote_carriers"
ACTIVITY_BOOK_SHIPMENT = "book_shipment"
ACTIVITY_REMIND_STORE = "remind_store"
# One per step of an order: the step's whole database work in one transaction.
ACTIVITY_RESERVE_ORDER = "reserve_order"
ACTIVITY_SETTLE_COLLECTION = "settle_collection"
ACTIVITY_SETTLE_COMPENSATION = "settle_compensation"
ACTIVITY_SETTLE_DROPPED_LINES = "settle_dropped_lines"
ACTIVITY_LEAVE_STORE = "leave_store"
ACTIVITY_SETTLE_SHIPMENT = "settle_shipment"
ACTIVITY_RECORD_PICKUP_UNLOCKED = "record_pickup_unlocked"
ACTIVITY_RECONCILE = "reconcile"
ACTIVITY_CHANNEL_READY = "report_ready_to_channel"
ACTIVITY_CHANNEL_COLLECTED = "report_collected_to_channel"
ACTIVITY_CHANNEL_ENDED = "report_ended_to_channel"

WORKFLOW_ORDER = "OrderWorkflow"
WORKFLOW_DELIVERY = "DeliveryWorkflow"
WORKFLOW_RETURN = "ReturnWorkflow"
QUERY_RETURN_STATE = "return_state"
ACTIVITY_RESTOCK_RETURN = "restock_return"
ACTIVITY_REFUND_RETURN = "refund_return"
ACTIVITY_RECORD_RETURN = "record_return"
WORKFLOW_RECONCILIATION = "ReconciliationWorkflow"
RECONCILIATION_SCHEDULE_ID = "nightly-reconciliation"
RECONCILIATION_WORKFLOW_ID = "nightly-reconciliation"  # the Schedule appends the run's time
WORKFLOW_EVENT_DELIVERY = "EventDeliveryWorkflow"
ACTIVITY_PUMP_EVENTS = "pump_events"


def reservation_holder(order_id: str, route: int) -> str:
    """The holder id of an order's reservation at its `route`-th store (0: the first, the order id)."""
    return order_id if route == 0 else f"{order_id}@{route}"


def delivery_holder(order_id: str) -> str:
    return f"{order_id}@delivery"


def order_of_holder(holder_id: str) -> str:
    """The order (workflow id) a reservation holder belongs to; '@' never appears in an order id."""
    return holder_id.split("@", 1)[0]


def split_order_id(order_id: str, part: int) -> str:
    """The order (and workflow) id of part `part` of a channel order split across stores; '+' never
    appears in a channel reference, so it cannot collide with another order."""
    return f"{order_id}+{part}"


def split_part(order_id: str) -> str | None:
    """How a split order is told apart from the rest of its channel order: '2', or '2/2' for a split of a
    split; None for the order the channel placed."""
    return order_id.split("+", 1)[1].replace("+", "/") if "+" in order_id else None


def delivery_workflow_id(order_id: str) -> str:
    return f"{order_id}-delivery"


def return_workflow_id(order_id: str, number: int) -> str:
    """A return's id is its workflow id: the order's id and the return's number within the order."""
    return f"return-{order_id}-{number}"


def event_delivery_workflow_id(subscription_id: str) -> str:
    """The one workflow delivering a subscription's events."""
    return f"events-{subscription_id}"
