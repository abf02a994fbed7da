"""The worker's sandbox (worker/sandbox.py): activations run inside it; the payloads' serialization
contexts are looked up without entering it, and are the ones Temporal's own runner finds inside it."""

import asyncio
import uuid
from datetime import timedelta
from typing import Any

import pytest
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker
from temporalio.worker.workflow_sandbox._runner import _Instance

from domain.policy import OrderPolicy
from domain.status import OrderStatus
from tests.workflows.fakes import FakeSystems, ServerClock
from tests.workflows.test_pickup_timers import _ready_order
from worker import sandbox
from workflows.delivery import DeliveryWorkflow
from workflows.order import OrderWorkflow


async def test_payload_contexts_are_found_outside_the_sandbox_as_temporal_finds_them_inside(
    time_skipping: WorkflowEnvironment, monkeypatch: pytest.MonkeyPatch
) -> None:
    entered: list[str] = []
    compared: list[object] = []
    run_code = sandbox._CompiledOnceInstance._run_code
    ours = sandbox._CompiledOnceInstance.get_serialization_context

    def counted(self: _Instance, code: str, **extra: Any) -> None:
        entered.append(code)
        run_code(self, code, **extra)  # type: ignore[arg-type]

    def checked(self: _Instance, command_info: Any) -> Any:
        before = len(entered)
        context = ours(self, command_info)  # type: ignore[arg-type]
        assert len(entered) == before  # found without entering the sandbox
        inside = _Instance.get_serialization_context(self, command_info)  # Temporal's: enters it
        assert len(entered) == before + 1 and context == inside
        compared.append(context)
        return context

    monkeypatch.setattr(sandbox._CompiledOnceInstance, "_run_code", counted)
    monkeypatch.setattr(sandbox._CompiledOnceInstance, "get_serialization_context", checked)
    policy = OrderPolicy(reminder_after_ready=timedelta(hours=24), hold_period=timedelta(hours=12))
    order_input = await _ready_order(time_skipping, policy)
    fakes, queue = FakeSystems(), f"tq-{uuid.uuid4()}"
    fakes.clock = ServerClock(time_skipping.get_current_time)
    async with Worker(
        time_skipping.client,
        task_queue=queue,
        workflows=[OrderWorkflow, DeliveryWorkflow],
        activities=fakes.activities(),
        workflow_runner=sandbox.workflow_runner(),
    ):
        handle = await time_skipping.client.start_workflow(
            OrderWorkflow.run, order_input, id=order_input.placement.order_id, task_queue=queue
        )
        final = await asyncio.wait_for(handle.result(), timeout=60)  # a failed check fails its task
    assert final.status is OrderStatus.EXPIRED
    assert len(compared) > 5  # every payload's context was compared with Temporal's
    assert any("__temporal_in_sandbox.activate(" in code for code in entered)  # the workflow ran inside
