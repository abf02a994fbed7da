"""Recorded order histories must replay on today's workflow code without non-determinism.

`tests/histories/` holds orders recorded on the current path (one transaction per step, messages
within their workflow task, a step's message sent by the step's own local activity);
`tests/histories/before-messages-with-steps/` orders started before that last patch (each message a
local activity of its own); `tests/histories/before-local-messages/` orders started before the
messages' patch (every message a regular activity); `tests/histories/before-one-transaction/` orders
started before one transaction per step, which running orders of the time still follow;
`tests/histories/returns/` holds return workflows, `tests/histories/events/` order event deliveries (a
subscription's pump). Record the current ones again with `OMS_RECORD_HISTORIES=1 ./dev test
tests/integration` after a deliberate, versioned change to the workflow; move the ones they replace
into a folder of their own first, so both paths stay covered."""

import base64
import json
from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from worker.sandbox import workflow_runner
from workflows.delivery import DeliveryWorkflow
from workflows.event_delivery import EventDeliveryWorkflow
from workflows.order import OrderWorkflow
from workflows.order.patches import PATCH_LOCAL_MESSAGES, PATCH_MESSAGES_WITH_STEPS, PATCH_ONE_TRANSACTION
from workflows.returns import ReturnWorkflow

ROOT = Path(__file__).parent / "histories"
CURRENT = sorted(ROOT.glob("*.json"))
BEFORE_MESSAGES_WITH_STEPS = sorted((ROOT / "before-messages-with-steps").glob("*.json"))
BEFORE_LOCAL_MESSAGES = sorted((ROOT / "before-local-messages").glob("*.json"))
BEFORE_ONE_TRANSACTION = sorted((ROOT / "before-one-transaction").glob("*.json"))
RETURNS = sorted((ROOT / "returns").glob("*.json"))  # ReturnWorkflow histories
EVENTS = sorted((ROOT / "events").glob("*.json"))  # EventDeliveryWorkflow histories
OLDER = BEFORE_MESSAGES_WITH_STEPS + BEFORE_LOCAL_MESSAGES + BEFORE_ONE_TRANSACTION
HISTORIES = CURRENT + OLDER + RETURNS + EVENTS
EXITS = {
    "collected",
    "cancelled_by_support",
    "cancelled_by_signal",
    "expired",
    "rejected_short_stock",
    "rerouted_by_stock_at_risk",
    "rerouted_after_short_pick",
    "alternative_store_at_intake",
}


def _name(path: Path) -> str:
    return str(path.relative_to(ROOT).with_suffix(""))


@pytest.mark.parametrize("path", HISTORIES, ids=[_name(path) for path in HISTORIES])
async def test_recorded_history_replays_deterministically(path: Path) -> None:
    replayer = Replayer(  # the worker's own sandbox: our packages passed through
        workflows=[OrderWorkflow, DeliveryWorkflow, ReturnWorkflow, EventDeliveryWorkflow],
        data_converter=pydantic_data_converter,
        workflow_runner=workflow_runner(),
    )
    result = await replayer.replay_workflow(WorkflowHistory.from_json(path.stem, path.read_text()))
    assert result.replay_failure is None


@pytest.mark.parametrize(
    "histories",
    [CURRENT, BEFORE_MESSAGES_WITH_STEPS, BEFORE_LOCAL_MESSAGES, BEFORE_ONE_TRANSACTION],
    ids=["current", "before-messages-with-steps", "before-local-messages", "before-one-transaction"],
)
def test_histories_cover_every_exit_on_both_paths(histories: list[Path]) -> None:
    assert {path.stem for path in histories} >= EXITS


def _patches(path: Path) -> set[str]:
    """The patch ids a recorded history's markers carry."""
    events = json.loads(path.read_text())["events"]
    markers = [e["markerRecordedEventAttributes"] for e in events if "markerRecordedEventAttributes" in e]
    return {
        json.loads(base64.b64decode(marker["details"]["patch-data"]["payloads"][0]["data"]))["id"]
        for marker in markers
        if marker["markerName"] == "core_patch"
    }


def test_the_current_histories_took_one_transaction_per_step_and_the_others_did_not() -> None:
    assert all(PATCH_ONE_TRANSACTION in _patches(path) for path in CURRENT)
    assert not any(PATCH_ONE_TRANSACTION in _patches(path) for path in BEFORE_ONE_TRANSACTION)
    assert "parked_then_cancelled" in {path.stem for path in CURRENT}


def test_the_current_histories_send_messages_within_their_workflow_task_and_the_older_did_not() -> None:
    assert all(PATCH_LOCAL_MESSAGES in _patches(path) for path in CURRENT)
    assert not any(PATCH_LOCAL_MESSAGES in _patches(path) for path in BEFORE_LOCAL_MESSAGES)


def test_the_current_histories_send_a_steps_message_from_the_step_and_the_older_did_not() -> None:
    ends = {"collected", "cancelled_by_support", "cancelled_by_signal", "expired", "parked_then_cancelled"}
    assert all(PATCH_MESSAGES_WITH_STEPS in _patches(path) for path in CURRENT if path.stem in ends)
    assert not any(PATCH_MESSAGES_WITH_STEPS in _patches(path) for path in OLDER)
