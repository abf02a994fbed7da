"""Order events on the real stack, delivered to a real HTTP receiver run by the test: signed as documented,
in order per order under concurrency, nothing lost while the receiver is down, dead-lettered when it
never answers, then replayed by ops; recorded in the step's own transaction, once."""

import asyncio
import json
import random
import re
import socket
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.client import Client
from temporalio.worker import Worker

from activities.event_delivery import EventDeliveryActivities
from adapters.db import event_delivery, orders, stock
from adapters.db.event_tables import event_deliveries, outbound_events
from domain import ids
from domain.event_delivery import DeliveryPolicy
from domain.order_events import OrderEvent
from domain.values import OrderPlacement
from services import order_events
from tests.conftest import placement
from tests.integration.conftest import eventually, keep_history
from tests.integration.flow import pickup_code, place, prepare, step
from tests.integration.test_returns import closed, return_body
from tests.integration.test_stock import _event, new_sku, receipt
from workflows.activities import defined_activities
from workflows.event_delivery import EventDeliveryWorkflow

STORE = "lyon-part-dieu"
SECRET = "s3cret-for-the-receiver-" + uuid.uuid4().hex
DOCS = Path(__file__).parents[2] / "docs" / "integration.md"


def documented_verifier() -> Callable[[str, str, bytes], bool]:
    """The Python snippet of docs/integration.md, run as a receiver would copy it."""
    section = DOCS.read_text().split("## Subscribing and verifying signatures", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert code, "the verification snippet is missing from docs/integration.md"
    namespace: dict[str, Any] = {}
    exec(code.group(1), namespace)  # noqa: S102 - our own documentation
    return namespace["verify_oms_signature"]


class Receiver:
    """A channel's endpoint: a real HTTP server on a local port, answering `status` (after `delay`),
    `failures` times 503 first; stopped and started again on the same port."""

    def __init__(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.requests: list[dict[str, Any]] = []  # every request, with the answer given
        self.status, self.failures, self.delay = 200, 0, 0.0
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/oms-events"

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the http.server API
                body = self.rfile.read(int(self.headers["Content-Length"]))
                time.sleep(receiver.delay * random.random())
                with receiver._lock:
                    answer = 503 if receiver.failures > 0 else receiver.status
                    receiver.failures = max(receiver.failures - 1, 0)
                    event = json.loads(body)
                    receiver.requests.append(
                        {
                            "answer": answer,
                            "body": body,
                            "signature": self.headers["OMS-Signature"],
                            "event_id": self.headers["OMS-Event-Id"],
                            "event": event,
                        }
                    )
                self.send_response(answer)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def accepted(self, order_id: str | None = None) -> list[dict[str, Any]]:
        """The events it answered 2xx, in the order they arrived."""
        with self._lock:
            return [
                r["event"]
                for r in self.requests
                if r["answer"] < 300 and (order_id is None or r["event"]["order_id"] == order_id)
            ]


@pytest.fixture
def receiver() -> Any:
    receiver = Receiver()
    receiver.start()
    yield receiver
    receiver.stop()


def channel() -> str:
    return f"evt-{uuid.uuid4().hex[:10]}"


async def subscribe(api: httpx.AsyncClient, channel: str, url: str, **extra: Any) -> str:
    answer = await api.post(
        "/v1/admin/subscriptions", json={"channel": channel, "url": url, "secret": SECRET, **extra}
    )
    assert answer.status_code == 201, answer.text
    return answer.json()["id"]


async def an_order(engine: AsyncEngine, channel: str, units: int = 1) -> OrderPlacement:
    sku = await new_sku(engine, on_hand=units, store_id=STORE)
    return placement(store_id=STORE, lines=[(sku, units)], channel=channel)


async def delivered_types(receiver: Receiver, order_id: str, count: int) -> list[str]:
    async def check() -> list[str] | None:
        types = [event["type"] for event in receiver.accepted(order_id)]
        return types if len(types) >= count else None

    return await eventually(check, timeout=60)


async def test_a_collected_order_is_heard_step_by_step_signed_as_documented(
    api: httpx.AsyncClient, engine: AsyncEngine, receiver: Receiver
) -> None:
    own = channel()
    subscription = await subscribe(api, own, receiver.url)
    order = await an_order(engine, own)
    assert (await place(api, order)).status_code == 201
    await prepare(api, order)
    code = await pickup_code(api, order)
    assert (await step(api, order, "collect", {"pickup_code": code})).status_code == 200

    types = await delivered_types(receiver, order.order_id, 5)

    assert types == [
        "order.reserved",
        "order.accepted",
        "order.picked",
        "order.ready_for_pickup",
        "order.collected",
    ]
    events = receiver.accepted(order.order_id)
    assert [event["sequence"] for event in events] == [1, 2, 3, 4, 5]
    assert {(e["channel"], e["channel_order_id"], e["version"]) for e in events} == {
        (own, order.channel_order_id, 1)
    }
    ready = events[3]["order"]
    assert ready["status"] == "ready_for_pickup" and ready["staging_location"] == "shelf B3"
    assert ready["pickup_deadline"] and ready["store_id"] == STORE
    for event in events:  # the published contract (docs/events.schema.json is generated from it)
        assert OrderEvent.model_validate(event).model_dump(mode="json", by_alias=True) == event
    verify = documented_verifier()
    for request in receiver.requests:
        assert verify(SECRET, request["signature"], request["body"])
        assert not verify("another-secret-entirely", request["signature"], request["body"])
        assert not verify(SECRET, request["signature"], request["body"] + b" ")
    assert (await api.delete(f"/v1/admin/subscriptions/{subscription}")).status_code == 204


async def test_each_orders_events_arrive_in_sequence_while_orders_are_delivered_side_by_side(
    api: httpx.AsyncClient, engine: AsyncEngine, receiver: Receiver
) -> None:
    own = channel()
    subscription = await subscribe(api, own, receiver.url)
    receiver.delay = 0.05  # answers take up to 50 ms: deliveries of different orders overlap
    placed = [await an_order(engine, own) for _ in range(6)]

    async def run(order: OrderPlacement) -> None:
        assert (await place(api, order)).status_code == 201
        await prepare(api, order)
        cancelled = await api.post(f"/v1/orders/{order.order_id}/cancel", json={"reason": "test"})
        assert cancelled.status_code == 200, cancelled.text

    await asyncio.gather(*(run(order) for order in placed))

    for order in placed:
        types = await delivered_types(receiver, order.order_id, 5)
        assert types == [
            "order.reserved",
            "order.accepted",
            "order.picked",
            "order.ready_for_pickup",
            "order.cancelled",
        ]
        assert [event["sequence"] for event in receiver.accepted(order.order_id)] == [1, 2, 3, 4, 5]
    ids_accepted = [event["id"] for event in receiver.accepted()]
    assert len(ids_accepted) == len(set(ids_accepted)) == 30
    assert (await api.delete(f"/v1/admin/subscriptions/{subscription}")).status_code == 204


async def test_a_receiver_down_for_a_while_loses_nothing_and_retries_carry_the_same_id(
    api: httpx.AsyncClient, engine: AsyncEngine, receiver: Receiver
) -> None:
    own = channel()
    receiver.stop()  # connection refused
    subscription = await subscribe(api, own, receiver.url)
    order = await an_order(engine, own)
    assert (await place(api, order)).status_code == 201
    assert (await step(api, order, "accept")).status_code == 200

    async def failed_attempts() -> int:
        async with engine.connect() as conn:
            return int(
                await conn.scalar(  # type: ignore[arg-type]
                    select(func.coalesce(func.sum(event_deliveries.c.attempts), 0)).where(
                        event_deliveries.c.subscription_id == subscription,
                        event_deliveries.c.last_error.is_not(None),
                    )
                )
            )

    await eventually(failed_attempts, timeout=30)
    metrics = (await api.get("/metrics")).text
    assert f'oms_event_backlog{{subscription="{subscription}"}} 2' in metrics  # what ops watch
    receiver.failures = 1  # back up, but the first answer is a 503
    receiver.start()

    assert await delivered_types(receiver, order.order_id, 2) == ["order.reserved", "order.accepted"]
    sent_ids = [request["event_id"] for request in receiver.requests]
    assert sent_ids[0] == sent_ids[1]  # the 503 then the retry: the same event, the documented retry
    assert [request["answer"] for request in receiver.requests] == [503, 200, 200]
    assert len({event["id"] for event in receiver.accepted()}) == 2
    assert (await api.delete(f"/v1/admin/subscriptions/{subscription}")).status_code == 204


@pytest.fixture
async def short_retry_queue(client: Client, engine: AsyncEngine) -> AsyncIterator[str]:
    """A worker whose events are given up after 2 s rather than a day, on a task queue of its own."""
    queue = f"events-short-{uuid.uuid4().hex[:8]}"
    policy = DeliveryPolicy(
        first_retry=timedelta(milliseconds=200),
        longest_wait=timedelta(milliseconds=500),
        retry_for=timedelta(seconds=2),
    )
    activities = defined_activities(EventDeliveryActivities(engine, policy))
    async with Worker(client, task_queue=queue, workflows=[EventDeliveryWorkflow], activities=activities):
        yield queue


async def test_a_receiver_that_never_accepts_gets_a_dead_letter_that_ops_replay_in_order(
    api: httpx.AsyncClient, client: Client, engine: AsyncEngine, receiver: Receiver, short_retry_queue: str
) -> None:
    own = channel()
    receiver.status = 500
    subscription = await order_events.subscribe(
        client, engine, short_retry_queue, own, receiver.url, SECRET, []
    )
    order = await an_order(engine, own)
    assert (await place(api, order)).status_code == 201
    assert (await step(api, order, "accept")).status_code == 200
    letter_channel = f"events:{subscription.id}"

    async def letters() -> list[dict[str, Any]]:
        return (await api.get("/v1/dead-letters", params={"channel": letter_channel})).json()

    [letter] = await eventually(letters, timeout=30)
    assert letter["payload"]["type"] == "order.reserved" and letter["payload"]["sequence"] == 1
    assert "HTTP 500" in letter["reasons"][0]["msg"]
    groups = (await api.get("/v1/dead-letters/groups")).json()
    assert any(group["channel"] == letter_channel for group in groups)  # the ops dashboard lists it
    await asyncio.sleep(1)
    sent = {request["event"]["type"] for request in receiver.requests}
    assert sent == {"order.reserved"}  # the later event waits behind the dead one: order per order

    receiver.status = 200
    replayed = await api.post(f"/v1/dead-letters/{letter['id']}/replay")

    assert replayed.status_code == 202, replayed.text
    assert replayed.json()["order_id"] == order.order_id
    assert await delivered_types(receiver, order.order_id, 2) == ["order.reserved", "order.accepted"]
    assert await letters() == []  # no longer open: replayed
    again = await api.post(f"/v1/dead-letters/{letter['id']}/replay")
    assert again.status_code == 404
    await order_events.unsubscribe(engine, subscription.id)
    handle = client.get_workflow_handle(ids.event_delivery_workflow_id(subscription.id))
    await asyncio.wait_for(handle.result(), timeout=30)  # the workflow ends once the subscription is gone
    await keep_history(client, handle.id, "events/subscription_deleted")


async def test_events_are_recorded_with_the_step_once_even_without_subscribers(
    api: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    order = await an_order(engine, channel())
    assert (await place(api, order)).status_code == 201
    await prepare(api, order)
    collected = await step(api, order, "collect", {"pickup_code": await pickup_code(api, order)})
    assert collected.status_code == 200
    lines: dict[str, Any] = {order.lines[0].sku: ["resellable"]}
    returned = await api.post("/v1/returns", json=return_body(order.order_id, **lines))
    assert returned.status_code == 201, returned.text
    await closed(api, returned.json()["return_id"])

    async def outbox() -> list[tuple[int, str]]:
        async with engine.connect() as conn:
            rows = await conn.execute(
                select(outbound_events.c.sequence, outbound_events.c.type)
                .where(outbound_events.c.order_id == order.order_id)
                .order_by(outbound_events.c.sequence)
            )
            return [tuple(row) for row in rows]  # type: ignore[misc]

    recorded = await outbox()
    assert recorded == list(
        enumerate(
            [
                "order.reserved",
                "order.accepted",
                "order.picked",
                "order.ready_for_pickup",
                "order.collected",
                "return.received",
                "return.inspected",
                "return.refunded",
                "return.closed",
            ],
            start=1,
        )
    )
    async with engine.begin() as conn:  # a step repeated after it committed (an activity retry)
        view = await orders.get(conn, order.order_id)
        assert view is not None
        await orders.record(conn, view)
        await orders.record(conn, view.model_copy(update={"version": view.version - 1}))
    assert await outbox() == recorded


async def test_ops_manage_subscriptions_and_never_read_a_secret_back(api: httpx.AsyncClient) -> None:
    own = channel()
    created = await api.post(
        "/v1/admin/subscriptions",
        json={
            "channel": own,
            "url": "https://shop.example.com/hook",
            "secret": SECRET,
            "event_types": ["order.collected"],
        },
    )
    assert created.status_code == 201, created.text
    subscription = created.json()
    assert "secret" not in subscription and subscription["event_types"] == ["order.collected"]
    listed = (await api.get("/v1/admin/subscriptions", params={"channel": own})).json()
    assert [found["id"] for found in listed] == [subscription["id"]] and "secret" not in listed[0]
    one = await api.get(f"/v1/admin/subscriptions/{subscription['id']}")
    assert one.status_code == 200 and "secret" not in one.json()
    assert SECRET not in one.text and SECRET not in created.text

    store_key = {"X-API-Key": "test-store-paris"}
    assert (await api.get("/v1/admin/subscriptions", headers=store_key)).status_code == 403
    for field, value in [("url", "not a url"), ("secret", "short"), ("event_types", ["order.teleported"])]:
        body = {"channel": own, "url": "https://shop.example.com/hook", "secret": SECRET, field: value}
        refused = await api.post("/v1/admin/subscriptions", json=body)
        assert refused.status_code == 422, (field, refused.text)
        assert field in refused.text

    assert (await api.delete(f"/v1/admin/subscriptions/{subscription['id']}")).status_code == 204
    assert (await api.get(f"/v1/admin/subscriptions/{subscription['id']}")).status_code == 404
    assert (await api.delete(f"/v1/admin/subscriptions/{subscription['id']}")).status_code == 404


async def test_one_pump_per_subscription_at_a_time_and_a_dead_pumps_lease_runs_out(
    engine: AsyncEngine,
) -> None:
    subscription = "sub-lease-" + uuid.uuid4().hex[:12]
    async with engine.begin() as conn:
        await event_delivery.add_subscription(conn, subscription, channel(), "http://x", SECRET, [])
    short = timedelta(milliseconds=300)
    assert await order_events.claim_pump(engine, subscription, "pump-a", short) is True
    assert await order_events.claim_pump(engine, subscription, "pump-b", short) is False
    assert await order_events.claim_pump(engine, subscription, "pump-a", short) is True  # renewed
    await asyncio.sleep(0.5)  # pump a died: its lease ran out
    assert await order_events.claim_pump(engine, subscription, "pump-b", short) is True
    await order_events.release_pump(engine, subscription, "pump-b")
    assert await order_events.claim_pump(engine, subscription, "pump-c", short) is True
    await order_events.unsubscribe(engine, subscription)
    assert await order_events.claim_pump(engine, subscription, "pump-c", short) is None


async def test_a_pump_whose_worker_stops_is_taken_over_by_another_worker(
    api: httpx.AsyncClient, client: Client, engine: AsyncEngine, receiver: Receiver
) -> None:
    own, queue = channel(), f"events-handover-{uuid.uuid4().hex[:8]}"
    activities = defined_activities(EventDeliveryActivities(engine, DeliveryPolicy()))
    order = await an_order(engine, own)
    async with Worker(client, task_queue=queue, workflows=[EventDeliveryWorkflow], activities=activities):
        subscription = await order_events.subscribe(client, engine, queue, own, receiver.url, SECRET, [])
        assert (await place(api, order)).status_code == 201
        assert await delivered_types(receiver, order.order_id, 1) == ["order.reserved"]
    # the first worker is gone in the middle of its pump; the order moves on meanwhile
    assert (await step(api, order, "accept")).status_code == 200
    async with Worker(client, task_queue=queue, workflows=[EventDeliveryWorkflow], activities=activities):
        assert await delivered_types(receiver, order.order_id, 2) == ["order.reserved", "order.accepted"]
        await order_events.unsubscribe(engine, subscription.id)
        handle = client.get_workflow_handle(ids.event_delivery_workflow_id(subscription.id))
        await asyncio.wait_for(handle.result(), timeout=60)
    assert [event["sequence"] for event in receiver.accepted(order.order_id)] == [1, 2]


async def test_a_pos_sale_that_moves_an_order_raises_rerouted_from_and_to(
    api: httpx.AsyncClient, engine: AsyncEngine, nearby_store: str
) -> None:
    sku = await new_sku(engine, on_hand=1, store_id="paris-rivoli")
    async with engine.begin() as conn:
        await stock.record(conn, [receipt(nearby_store, sku, 2)])
    order = placement(lines=[(sku, 1)], channel=channel())
    assert (await place(api, order)).status_code == 201
    sale = _event(f"pos-{uuid.uuid4().hex[:8]}", sku, "sale", 1, datetime.now(UTC), store_id="paris-rivoli")
    assert (await api.post("/v1/inventory/events", json=[sale])).status_code == 200

    async def outbox() -> list[dict[str, Any]] | None:
        async with engine.connect() as conn:
            bodies = list(
                await conn.scalars(
                    select(outbound_events.c.body)
                    .where(outbound_events.c.order_id == order.order_id)
                    .order_by(outbound_events.c.sequence)
                )
            )
        return bodies if len(bodies) >= 2 else None

    reserved, rerouted = await eventually(outbox)
    assert (reserved["type"], rerouted["type"]) == ("order.reserved", "order.rerouted")
    assert rerouted["sequence"] == 2 and rerouted["order"]["store_id"] == nearby_store
    assert rerouted["details"]["from_store"] == "paris-rivoli"
    assert rerouted["details"]["to_store"] == nearby_store
    assert rerouted["order"]["previous_stores"] == ["paris-rivoli"]
