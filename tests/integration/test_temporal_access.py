"""Who acted is who the API key or Temporal says, never what a body claims; Temporal takes no
unencrypted payload from whoever reaches it (issue 19 #7)."""

import httpx
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from domain import ids
from domain.commands import Cancellation
from tests.conftest import placement
from tests.integration.flow import place, prepare, step

SUPPORT = {"X-API-Key": "test-support"}


async def test_a_cancellation_records_the_keys_identity_and_the_stated_actor_as_a_note(
    api: httpx.AsyncClient,
) -> None:
    order = placement(lines=[("BOTTLE-1L", 1)])
    assert (await place(api, order)).status_code == 201
    cancelled = await api.post(
        f"/v1/orders/{order.order_id}/cancel",
        json={"reason": "customer left", "actor": "system"},
        headers=SUPPORT,
    )
    assert cancelled.status_code == 200, cancelled.text
    last = cancelled.json()["timeline"][-1]
    assert (last["actor"], last["reason"]) == ("support", "customer left (stated by the caller: system)")


async def test_a_store_step_records_the_key_that_took_it_not_the_store_in_the_path(
    api: httpx.AsyncClient,
) -> None:
    order = placement(lines=[("BOTTLE-1L", 1)])
    assert (await place(api, order)).status_code == 201
    accepted = await step(api, order, "accept", {"associate": "lea"})  # the tests' default key: ops
    assert accepted.json()["timeline"][-1]["actor"] == "ops/lea"
    paris = {"X-API-Key": "test-store-paris"}
    picked = await api.post(
        f"/v1/stores/paris-rivoli/orders/{order.order_id}/pick",
        json={"lines": [{"sku": "BOTTLE-1L", "quantity": 1}], "associate": "tom"},
        headers=paris,
    )
    assert picked.json()["timeline"][-1]["actor"] == "store:paris-rivoli/tom"


async def test_an_unencrypted_signal_is_dropped_and_the_order_carries_on(
    api: httpx.AsyncClient, client: Client, temporal: WorkflowEnvironment
) -> None:
    order = placement(lines=[("BOTTLE-1L", 1)])
    assert (await place(api, order)).status_code == 201
    await prepare(api, order)
    plain = temporal.client.get_workflow_handle(order.order_id)  # no codec: the UI or CLI without one
    await plain.signal(ids.SIGNAL_CANCEL, Cancellation(reason="nobody asked", actor="support"))

    encrypted = client.get_workflow_handle(order.order_id)
    await encrypted.signal(ids.SIGNAL_CANCEL, Cancellation(reason="duplicate order", actor="ops:ui"))
    final = await encrypted.result()
    assert final["status"] == "cancelled"  # the workflow went on past the refused signal
    cancellations = [entry for entry in final["timeline"] if entry["status"] == "cancelled"]
    assert [(e["actor"], e["reason"]) for e in cancellations] == [("temporal:ops:ui", "duplicate order")]
