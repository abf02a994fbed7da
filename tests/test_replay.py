"""Recorded order histories must replay on today's workflow code without non-determinism.

`tests/histories/` holds orders recorded on the current path (started since the baseline patch: one
marker for every patch before it, search attributes upserted only when they change);
`tests/histories/before-baseline/` orders on the same path started before the baseline (one marker per
patch); `tests/histories/before-messages-with-steps/` orders started before that last patch (each message a
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
from workflows.order.patches import (
    PATCH_BASELINE,
    PATCH_LOCAL_MESSAGES,
    PATCH_MESSAGES_WITH_STEPS,
    PATCH_ONE_TRANSACTION,
    PATCH_REFUND_REFUSED,
    SETTLED_BY_BASELINE,
    patched,
)
from workflows.returns import ReturnWorkflow

ROOT = Path(__file__).parent / "histories"
CURRENT = sorted(ROOT.glob("*.json"))
BEFORE_BASELINE = sorted((ROOT / "before-baseline").glob("*.json"))
BEFORE_MESSAGES_WITH_STEPS = sorted((ROOT / "before-messages-with-steps").glob("*.json"))
BEFORE_LOCAL_MESSAGES = sorted((ROOT / "before-local-messages").glob("*.json"))
BEFORE_ONE_TRANSACTION = sorted((ROOT / "before-one-transaction").glob("*.json"))
RETURNS = sorted((ROOT / "returns").glob("*.json"))  # ReturnWorkflow histories
EVENTS = sorted((ROOT / "events").glob("*.json"))  # EventDeliveryWorkflow histories
OLDER = BEFORE_MESSAGES_WITH_STEPS + BEFORE_LOCAL_MESSAGES + BEFORE_ONE_TRANSACTION
HISTORIES_BEFORE_BASELINE = BEFORE_BASELINE + OLDER
HISTORIES = CURRENT + HISTORIES_BEFORE_BASELINE + RETURNS + EVENTS
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
    [CURRENT, BEFORE_BASELINE, BEFORE_MESSAGES_WITH_STEPS, BEFORE_LOCAL_MESSAGES, BEFORE_ONE_TRANSACTION],
    ids=[
        "current",
        "before-baseline",
        "before-messages-with-steps",
        "before-local-messages",
        "before-one-transaction",
    ],
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


def test_the_current_histories_carry_the_baseline_marker_alone_and_the_others_never_do() -> None:
    assert all(_patches(path) == {PATCH_BASELINE} for path in CURRENT)
    assert not any(PATCH_BASELINE in _patches(path) for path in HISTORIES_BEFORE_BASELINE)


def test_the_baseline_settles_every_patch_an_order_before_it_may_carry() -> None:
    carried = set().union(*(_patches(path) for path in HISTORIES_BEFORE_BASELINE))
    assert carried and carried <= SETTLED_BY_BASELINE


def test_a_patch_after_the_baseline_is_not_asked_through_it() -> None:
    # Orders started between the baseline and a later patch would take that patch's path on replay.
    for later in (PATCH_REFUND_REFUSED, "a-fix-after-the-baseline"):
        with pytest.raises(ValueError, match="after the baseline"):
            patched(later)


def _upserts(path: Path) -> list[set[str]]:
    """The order's search attributes each of its upserts set (not the patches' TemporalChangeVersion)."""
    events = json.loads(path.read_text())["events"]
    upserts = [
        set(e["upsertWorkflowSearchAttributesEventAttributes"]["searchAttributes"]["indexedFields"])
        for e in events
        if "upsertWorkflowSearchAttributesEventAttributes" in e
    ]
    return [names for names in upserts if names != {"TemporalChangeVersion"}]


def test_the_current_histories_upsert_only_what_changed() -> None:
    # Before the baseline, every upsert set all five of the order's attributes, the first one before
    # anything had changed; since, an upsert carries what changed, and there is none without a change.
    collected = _upserts(ROOT / "collected.json")
    assert collected and all(changed == {"OrderStatus"} for changed in collected)
    assert all(len(changed) == 5 for changed in _upserts(ROOT / "before-baseline" / "collected.json"))


def test_the_histories_before_the_baseline_took_one_transaction_per_step_and_the_older_did_not() -> None:
    assert all(PATCH_ONE_TRANSACTION in _patches(path) for path in BEFORE_BASELINE)
    assert not any(PATCH_ONE_TRANSACTION in _patches(path) for path in BEFORE_ONE_TRANSACTION)
    assert "parked_then_cancelled" in {path.stem for path in CURRENT}


def test_the_histories_before_the_baseline_send_messages_within_their_task_and_the_older_did_not() -> None:
    assert all(PATCH_LOCAL_MESSAGES in _patches(path) for path in BEFORE_BASELINE)
    assert not any(PATCH_LOCAL_MESSAGES in _patches(path) for path in BEFORE_LOCAL_MESSAGES)


def test_the_histories_before_the_baseline_send_a_steps_message_from_the_step_and_the_older_did_not() -> None:
    ends = {"collected", "cancelled_by_support", "cancelled_by_signal", "expired", "parked_then_cancelled"}
    assert all(PATCH_MESSAGES_WITH_STEPS in _patches(path) for path in BEFORE_BASELINE if path.stem in ends)
    assert not any(PATCH_MESSAGES_WITH_STEPS in _patches(path) for path in OLDER)
