"""A step that fails for good parks the order instead of retrying forever: support is alerted, the
timeline and the Temporal UI say why, and support can cancel it, which releases what it holds."""

from decimal import Decimal

from temporalio.api.sdk.v1 import WorkflowMetadata
from temporalio.testing import WorkflowEnvironment

from domain import ids
from domain.commands import Cancellation, StoreAcceptance
from domain.status import OrderStatus
from tests.conftest import placement
from tests.workflows.fakes import HOME, FakeSystems
from tests.workflows.test_exceptions import _send, _until
from tests.workflows.test_pickup_timers import running
from workflows.contracts import OrderInput

SUPPORT = Cancellation(actor="support:ana", reason="the payment cannot be recorded")


async def test_an_order_whose_payment_the_ledger_cannot_hold_is_parked_holding_nothing_then_cancelled(
    time_skipping: WorkflowEnvironment,
) -> None:
    fakes = FakeSystems(ledger_limit=Decimal("5.00"))  # the order's 10.00 is beyond what it can hold
    async with running(time_skipping, OrderInput(placement=placement()), fakes) as (handle, fakes):
        parked = await _until(time_skipping, handle, lambda s: s.status is OrderStatus.PARKED)
        reason = parked.timeline[-1].reason or ""
        assert reason.startswith("reserve_order failed for good: PaymentUnrecordable: ")
        assert "10.00" in reason
        # One transaction: the reservation went with the payment that failed.
        assert fakes.reserved == {} and fakes.stock[HOME] == {"TENT-2P": 5} and fakes.payments == []
        [alert] = fakes.alerts.values()
        assert (alert.kind, alert.order_id) == ("order_parked", parked.order_id)
        assert "PaymentUnrecordable" in alert.detail and "cancel" in alert.detail
        assert fakes.records[-1].status is OrderStatus.PARKED
        metadata = await handle.query("__temporal_workflow_metadata", result_type=WorkflowMetadata)
        assert "**Parked for support:** reserve_order failed for good" in metadata.current_details
        await _send(handle, ids.UPDATE_CANCEL, SUPPORT)
        cancelled = await _until(time_skipping, handle, lambda s: s.status is OrderStatus.CANCELLED)
        await handle.result()
    assert cancelled.timeline[-1].actor == "support:ana"
    assert fakes.records[-1].status is OrderStatus.CANCELLED and fakes.kinds() == ["order_cancelled"]
    assert fakes.stock[HOME] == {"TENT-2P": 5} and fakes.reserved == {}
    assert [kind for kind, _ in fakes.payments] == [
        "void"
    ]  # nothing authorised: the real void writes nothing


async def test_an_order_parked_while_it_holds_stock_releases_it_and_voids_its_payment_when_cancelled(
    time_skipping: WorkflowEnvironment,
) -> None:
    fakes = FakeSystems(unrecordable=OrderStatus.ACCEPTED)  # the read model refuses the accepted order
    async with running(time_skipping, OrderInput(placement=placement()), fakes) as (handle, fakes):
        await _until(time_skipping, handle, lambda s: s.status is OrderStatus.RESERVED)
        assert fakes.held(HOME) == {"TENT-2P": 1} and fakes.payments == [("authorize", "10.00")]
        await _send(handle, ids.UPDATE_ACCEPT, StoreAcceptance(actor=f"store:{HOME}"))
        parked = await _until(time_skipping, handle, lambda s: s.status is OrderStatus.PARKED)
        assert (parked.timeline[-1].reason or "").startswith("record_order failed for good: DataRefused")
        assert [a.kind for a in fakes.alerts.values()] == ["order_parked"]
        await handle.signal(ids.SIGNAL_CANCEL, SUPPORT)  # from the Temporal UI, as well as the API
        await _until(time_skipping, handle, lambda s: s.status is OrderStatus.CANCELLED)
        await handle.result()
    assert fakes.held(HOME) == {} and fakes.stock[HOME] == {"TENT-2P": 5}
    assert fakes.payments == [("authorize", "10.00"), ("void", "10.00")]
    assert fakes.kinds() == ["order_confirmed", "order_cancelled"]
