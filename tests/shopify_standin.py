"""A local HTTP server answering as Shopify's Admin GraphQL API does for local pickup orders.

Every request is parsed and validated (graphql-core) against SDL_SUBSET, a small part of Shopify's schema
written from its reference (version 2025-10) for the documents the OMS sends; its variables are coerced
against the operation's declarations; then it runs against an in-memory shop, which applies each change
as Shopify would (a prepared fulfillment order goes IN_PROGRESS, a fulfillment lowers the remaining
quantities, a cancelled order gets `cancelledAt`). A request that does not validate is answered with
GraphQL errors and kept in `invalid`, which every test expects empty.

`script` makes the next requests fail: "throttle" (THROTTLED, as Shopify answers with 200), "429", "500",
"401", or "drop-after" (the change is applied, then the connection closes unanswered: a crash between
Shopify's commit and our reading its answer)."""

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from graphql import GraphQLError, build_schema, graphql_sync, parse, validate
from graphql.execution.values import get_variable_values
from graphql.language import OperationDefinitionNode

VERSION = "2025-10"
TOKEN = "shpat_test_token"

SDL_SUBSET = """
scalar DateTime

type Query { order(id: ID!): Order }

type Mutation {
  fulfillmentOrderLineItemsPreparedForPickup(
    input: FulfillmentOrderLineItemsPreparedForPickupInput!
  ): FulfillmentOrderLineItemsPreparedForPickupPayload
  fulfillmentCreate(fulfillment: FulfillmentInput!, message: String): FulfillmentCreatePayload
  orderCancel(
    orderId: ID!, reason: OrderCancelReason!, restock: Boolean!, refund: Boolean,
    refundMethod: OrderCancelRefundMethodInput, notifyCustomer: Boolean, staffNote: String
  ): OrderCancelPayload
}

type Order {
  id: ID!
  cancelledAt: DateTime
  fulfillments(first: Int): [Fulfillment!]!
  fulfillmentOrders(first: Int, after: String): FulfillmentOrderConnection!
}

enum FulfillmentStatus { CANCELLED ERROR FAILURE OPEN PENDING SUCCESS }
type Fulfillment {
  id: ID!
  status: FulfillmentStatus!
  fulfillmentLineItems(first: Int, after: String): FulfillmentLineItemConnection!
}
type FulfillmentLineItemConnection { nodes: [FulfillmentLineItem!]! }
type FulfillmentLineItem { id: ID! quantity: Int lineItem: LineItem! }
type LineItem { id: ID! sku: String quantity: Int! }

enum FulfillmentOrderStatus { CANCELLED CLOSED INCOMPLETE IN_PROGRESS ON_HOLD OPEN SCHEDULED }
type FulfillmentOrderConnection { nodes: [FulfillmentOrder!]! }
type FulfillmentOrder {
  id: ID!
  status: FulfillmentOrderStatus!
  lineItems(first: Int, after: String): FulfillmentOrderLineItemConnection!
}
type FulfillmentOrderLineItemConnection { nodes: [FulfillmentOrderLineItem!]! }
type FulfillmentOrderLineItem { id: ID! remainingQuantity: Int! totalQuantity: Int! lineItem: LineItem! }

input FulfillmentOrderLineItemsPreparedForPickupInput {
  lineItemsByFulfillmentOrder: [PreparedFulfillmentOrderLineItemsInput!]!
}
input PreparedFulfillmentOrderLineItemsInput { fulfillmentOrderId: ID! }
enum FulfillmentOrderLineItemsPreparedForPickupUserErrorCode {
  FULFILLMENT_ORDER_INVALID NO_LINE_ITEMS_TO_PREPARE_FOR_FULFILLMENT_ORDER UNABLE_TO_PREPARE_QUANTITY
}
type FulfillmentOrderLineItemsPreparedForPickupUserError {
  code: FulfillmentOrderLineItemsPreparedForPickupUserErrorCode
  field: [String!]
  message: String!
}
type FulfillmentOrderLineItemsPreparedForPickupPayload {
  userErrors: [FulfillmentOrderLineItemsPreparedForPickupUserError!]!
}

input FulfillmentInput {
  lineItemsByFulfillmentOrder: [FulfillmentOrderLineItemsInput!]!
  notifyCustomer: Boolean
  trackingInfo: FulfillmentTrackingInput
}
input FulfillmentTrackingInput { company: String number: String url: String }
input FulfillmentOrderLineItemsInput {
  fulfillmentOrderId: ID!
  fulfillmentOrderLineItems: [FulfillmentOrderLineItemInput!]
}
input FulfillmentOrderLineItemInput { id: ID! quantity: Int! }
type UserError { field: [String!] message: String! }
type FulfillmentCreatePayload { fulfillment: Fulfillment userErrors: [UserError!]! }

enum OrderCancelReason { CUSTOMER DECLINED FRAUD INVENTORY OTHER STAFF }
input OrderCancelRefundMethodInput {
  originalPaymentMethodsRefund: Boolean
  storeCreditRefund: OrderCancelStoreCreditRefundInput
}
input OrderCancelStoreCreditRefundInput { expiresAt: DateTime }
type Job { id: ID! done: Boolean! }
enum OrderCancelUserErrorCode { INVALID NOT_FOUND NO_REFUND_PERMISSION }
type OrderCancelUserError { code: OrderCancelUserErrorCode field: [String!] message: String! }
type OrderCancelPayload {
  job: Job
  orderCancelUserErrors: [OrderCancelUserError!]!
  userErrors: [UserError!]!
}
"""

SCHEMA = build_schema(SDL_SUBSET)


@dataclass
class Call:
    """A request that validated and ran: its operation's root field and variables."""

    field: str
    variables: dict[str, Any]


@dataclass
class Shop:
    """The orders the stand-in knows, as Shopify's objects (dicts the GraphQL resolvers read)."""

    orders: dict[str, dict[str, Any]] = field(default_factory=dict)
    counter: int = 0
    cancel_lag: int = 0  # reads of an order before its cancellation shows (orderCancel runs as a job)
    pending: dict[str, int] = field(default_factory=dict)  # order -> reads before it shows cancelled

    def next_id(self, kind: str) -> str:
        self.counter += 1
        return f"gid://shopify/{kind}/{9000 + self.counter}"

    def add_order(self, order_id: str, fulfillment_orders: list[dict[str, int]]) -> None:
        """An unfulfilled order: one fulfillment order per dict (line item GID -> quantity)."""
        nodes = []
        for lines in fulfillment_orders:
            items = [
                {
                    "id": self.next_id("FulfillmentOrderLineItem"),
                    "remainingQuantity": quantity,
                    "totalQuantity": quantity,
                    "lineItem": {"id": line_item, "sku": None, "quantity": quantity},
                }
                for line_item, quantity in lines.items()
            ]
            nodes.append(
                {"id": self.next_id("FulfillmentOrder"), "status": "OPEN", "lineItems": {"nodes": items}}
            )
        self.orders[order_id] = {
            "id": order_id,
            "cancelledAt": None,
            "fulfillments": [],
            "fulfillmentOrders": {"nodes": nodes},
        }

    def fulfillment_orders(self, order_id: str) -> list[dict[str, Any]]:
        return list(self.orders[order_id]["fulfillmentOrders"]["nodes"])

    def fulfilled(self, order_id: str) -> dict[str, int]:
        """Units fulfilled per line item."""
        units: dict[str, int] = {}
        for fulfillment in self.orders[order_id]["fulfillments"]:
            for item in fulfillment["fulfillmentLineItems"]["nodes"]:
                units[item["lineItem"]["id"]] = units.get(item["lineItem"]["id"], 0) + item["quantity"]
        return units

    def _fo(self, fo_id: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
        for order in self.orders.values():
            for fo in order["fulfillmentOrders"]["nodes"]:
                if fo["id"] == fo_id:
                    return order, fo
        return None

    # ---- the mutations, as Shopify applies them -------------------------------------------------

    def prepare(self, _info: object, input: dict[str, Any]) -> dict[str, Any]:
        errors = []
        for entry in input["lineItemsByFulfillmentOrder"]:
            found = self._fo(entry["fulfillmentOrderId"])
            if found is None or found[1]["status"] != "OPEN":
                errors.append(_error("FULFILLMENT_ORDER_INVALID", "the fulfillment order cannot be prepared"))
        if not errors:
            for entry in input["lineItemsByFulfillmentOrder"]:
                self._fo(entry["fulfillmentOrderId"])[1]["status"] = "IN_PROGRESS"  # type: ignore[index]
        return {"userErrors": errors}

    def fulfil(self, _info: object, fulfillment: dict[str, Any], **_: Any) -> dict[str, Any]:
        fulfilled = []
        for entry in fulfillment["lineItemsByFulfillmentOrder"]:
            found = self._fo(entry["fulfillmentOrderId"])
            if found is None or found[1]["status"] not in ("OPEN", "IN_PROGRESS"):
                return {
                    "fulfillment": None,
                    "userErrors": [_error(None, "fulfillment order not fulfillable")],
                }
            order, fo = found
            by_id = {item["id"]: item for item in fo["lineItems"]["nodes"]}
            wanted = entry.get("fulfillmentOrderLineItems") or [
                {"id": item["id"], "quantity": item["remainingQuantity"]} for item in by_id.values()
            ]
            for line in wanted:
                item = by_id.get(line["id"])
                if item is None or line["quantity"] > item["remainingQuantity"] or line["quantity"] <= 0:
                    message = "Invalid fulfillment order line item quantity requested."
                    return {"fulfillment": None, "userErrors": [_error(None, message)]}
            for line in wanted:
                item = by_id[line["id"]]
                item["remainingQuantity"] -= line["quantity"]
                fulfilled.append(
                    {
                        "id": self.next_id("FulfillmentLineItem"),
                        "quantity": line["quantity"],
                        "lineItem": item["lineItem"],
                    }
                )
            done = all(item["remainingQuantity"] == 0 for item in by_id.values())
            fo["status"] = "CLOSED" if done else "IN_PROGRESS"
        created = {
            "id": self.next_id("Fulfillment"),
            "status": "SUCCESS",
            "fulfillmentLineItems": {"nodes": fulfilled},
        }
        order["fulfillments"].append(created)
        return {"fulfillment": created, "userErrors": []}

    def cancel(self, _info: object, orderId: str, **_: Any) -> dict[str, Any]:
        order = self.orders.get(orderId)
        if order is None:
            return {
                "job": None,
                "orderCancelUserErrors": [_error("NOT_FOUND", "order not found")],
                "userErrors": [],
            }
        if order["cancelledAt"] or order["fulfillments"] or orderId in self.pending:
            return {
                "job": None,
                "orderCancelUserErrors": [_error("INVALID", "cannot cancel")],
                "userErrors": [],
            }
        if self.cancel_lag:
            self.pending[orderId] = self.cancel_lag
        else:
            self._cancelled(order)
        job = {"id": self.next_id("Job"), "done": not self.cancel_lag}
        return {"job": job, "orderCancelUserErrors": [], "userErrors": []}

    def _cancelled(self, order: dict[str, Any]) -> None:
        order["cancelledAt"] = "2026-01-01T00:00:00Z"
        for fo in order["fulfillmentOrders"]["nodes"]:
            fo["status"] = "CLOSED"

    def read(self, _info: object, id: str) -> dict[str, Any] | None:
        """The order as a query sees it: a cancellation job in progress shows after its reads."""
        if id in self.pending:
            self.pending[id] -= 1
            if self.pending[id] <= 0:
                del self.pending[id]
                self._cancelled(self.orders[id])
        return self.orders.get(id)


def _error(code: str | None, message: str) -> dict[str, Any]:
    return {"code": code, "field": None, "message": message}


THROTTLED = {
    "errors": [
        {"message": "Throttled", "extensions": {"code": "THROTTLED", "documentation": "https://shopify.dev"}}
    ],
    "extensions": {
        "cost": {
            "requestedQueryCost": 10,
            "actualQueryCost": None,
            "throttleStatus": {"maximumAvailable": 2000, "currentlyAvailable": 0, "restoreRate": 100},
        }
    },
}


class ShopifyStandIn:
    """The stand-in server; `calls` are the requests that ran, `invalid` those that did not validate."""

    def __init__(self) -> None:
        self.shop = Shop()
        self.calls: list[Call] = []
        self.invalid: list[str] = []
        self.tokens: list[str | None] = []
        self.script: list[str] = []
        self.served: list[str] = []  # the scripted faults answered
        self.lock = threading.Lock()
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with stand_in.lock:
                    status, body = stand_in.answer(self.path, self.headers.get("X-Shopify-Access-Token"), raw)
                if status == 0:  # "drop-after": applied, never answered
                    self.close_connection = True
                    return
                encoded = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(encoded)))
                self.end_headers()
                self.wfile.write(encoded)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/admin/api/{VERSION}/graphql.json"

    def mutations(self) -> list[Call]:
        return [call for call in self.calls if call.field != "order"]

    def answer(self, path: str, token: str | None, raw: bytes) -> tuple[int, Any]:
        self.tokens.append(token)
        if path != f"/admin/api/{VERSION}/graphql.json":
            return 404, {"errors": "Not Found"}
        fault = self.script.pop(0) if self.script else None
        if fault:
            self.served.append(fault)
        if token != TOKEN or fault == "401":
            return 401, {
                "errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"
            }
        if fault == "429":
            return 429, {
                "errors": "Exceeded 2 calls per second for api client. Reduce request rates to resume."
            }
        if fault == "500":
            return 500, {"errors": "Internal Server Error"}
        if fault == "throttle":
            return 200, THROTTLED
        request = json.loads(raw)
        body = self.run(request.get("query", ""), request.get("variables") or {})
        return (0 if fault == "drop-after" else 200), body

    def run(self, document: str, variables: dict[str, Any]) -> dict[str, Any]:
        """Validate the document and coerce its variables against the SDL subset, then execute it."""
        try:
            ast = parse(document)
        except GraphQLError as error:
            self.invalid.append(f"parse: {error.message}")
            return {"errors": [{"message": error.message}]}
        problems = [error.message for error in validate(SCHEMA, ast)]
        [operation] = [d for d in ast.definitions if isinstance(d, OperationDefinitionNode)]
        coerced = get_variable_values(SCHEMA, operation.variable_definitions or (), variables)
        if isinstance(coerced, list):
            problems += [error.message for error in coerced]
        if problems:
            self.invalid.extend(problems)
            return {"errors": [{"message": message} for message in problems]}
        shop = self.shop
        mutations = {
            "fulfillmentOrderLineItemsPreparedForPickup": shop.prepare,
            "fulfillmentCreate": shop.fulfil,
            "orderCancel": shop.cancel,
        }
        root = {"order": shop.read} if operation.operation.value == "query" else mutations
        result = graphql_sync(SCHEMA, document, root_value=root, variable_values=variables)
        if result.errors:
            self.invalid.extend(error.message for error in result.errors)
            return {"errors": [{"message": error.message} for error in result.errors]}
        [selection] = operation.selection_set.selections
        self.calls.append(Call(selection.name.value, variables))  # type: ignore[attr-defined]
        return {"data": result.data}

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
