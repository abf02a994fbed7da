"""Recorded order histories must replay on today's workflow code without non-determinism.

Record them again with `OMS_RECORD_HISTORIES=1 ./dev test tests/integration` after a deliberate,
versioned change to the workflow."""

from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from workflows.delivery import DeliveryWorkflow
from workflows.order import OrderWorkflow

HISTORIES = sorted((Path(__file__).parent / "histories").glob("*.json"))


@pytest.mark.parametrize("path", HISTORIES, ids=[path.stem for path in HISTORIES])
async def test_recorded_history_replays_deterministically(path: Path) -> None:
    replayer = Replayer(workflows=[OrderWorkflow, DeliveryWorkflow], data_converter=pydantic_data_converter)
    result = await replayer.replay_workflow(WorkflowHistory.from_json(path.stem, path.read_text()))
    assert result.replay_failure is None


def test_histories_cover_every_exit() -> None:
    assert {path.stem for path in HISTORIES} >= {
        "collected",
        "cancelled_by_support",
        "cancelled_by_signal",
        "expired",
        "rejected_short_stock",
        "rerouted_by_stock_at_risk",
        "rerouted_after_short_pick",
        "alternative_store_at_intake",
    }
