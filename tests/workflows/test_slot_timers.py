"""A ready order with a booked pickup slot, on real timers (time-skipping server): the customer is
reminded of the slot before it, among the usual collection messages, and the hold counts from the slot."""

from datetime import datetime, timedelta

from temporalio.testing import WorkflowEnvironment

from domain.order_state import OrderState
from domain.policy import OrderPolicy
from domain.slots import PickupSlot, hold_starts
from tests.workflows.test_cadence import PARIS, PARIS_STORE, next_year, ready_order, sent_local


def _with_slot(ready: datetime, slot: PickupSlot, policy: OrderPolicy) -> OrderState:
    order = ready_order(PARIS_STORE, ready, policy)
    assert order.carry_on_from
    deadline = hold_starts(ready, slot) + policy.hold_period  # as Order.mark_ready sets it
    return order.carry_on_from.model_copy(update={"pickup_slot": slot, "pickup_deadline": deadline})


async def test_the_slot_is_recalled_before_it_and_the_order_is_held_from_it(
    time_skipping: WorkflowEnvironment,
) -> None:
    year = await next_year(time_skipping)
    policy = OrderPolicy()
    ready = datetime(year, 1, 14, 10, 0, tzinfo=PARIS)
    slot = PickupSlot(
        starts_at=datetime(year, 1, 15, 15, 0, tzinfo=PARIS),
        ends_at=datetime(year, 1, 15, 15, 30, tzinfo=PARIS),
    )
    order = ready_order(PARIS_STORE, ready, policy).model_copy(
        update={"carry_on_from": _with_slot(ready, slot, policy)}
    )
    sent = await sent_local(time_skipping, order, PARIS)
    assert sent == [
        ("pickup_reminder", datetime(year, 1, 15, 10, 0, tzinfo=PARIS)),
        ("slot_reminder", datetime(year, 1, 15, 13, 0, tzinfo=PARIS)),  # two hours before the slot
        ("expiry_warning", datetime(year, 1, 17, 15, 0, tzinfo=PARIS)),
        ("order_expired", datetime(year, 1, 18, 15, 0, tzinfo=PARIS)),  # 72 h from the slot, not from ready
    ]
    assert slot.starts_at + timedelta(hours=72) == datetime(year, 1, 18, 15, 0, tzinfo=PARIS)
