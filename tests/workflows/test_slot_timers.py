"""A ready order with a booked pickup slot, on real timers (time-skipping server): the customer is
reminded of the slot before it, among the usual collection messages, and the hold counts from the slot;
a slot changed meanwhile (the pickup page's signal) moves them."""

from datetime import datetime, time, timedelta

from temporalio.testing import WorkflowEnvironment

from domain import ids
from domain.deadlines import pickup_deadline
from domain.order_state import OrderState
from domain.policy import OrderPolicy
from domain.slots import PickupSlot, hold_starts
from domain.values import StoreProfile
from tests.workflows.test_cadence import PARIS, PARIS_STORE, next_year, ready_order, sent_local
from tests.workflows.test_pickup_timers import running


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


async def test_a_slot_changed_while_ready_moves_the_reminders_and_the_hold(
    time_skipping: WorkflowEnvironment,
) -> None:
    year = await next_year(time_skipping)
    policy = OrderPolicy()
    ready = datetime(year, 1, 14, 10, 0, tzinfo=PARIS)
    first = PickupSlot(
        starts_at=datetime(year, 1, 15, 15, 0, tzinfo=PARIS),
        ends_at=datetime(year, 1, 15, 15, 30, tzinfo=PARIS),
    )
    later = PickupSlot(
        starts_at=datetime(year, 1, 16, 15, 0, tzinfo=PARIS),
        ends_at=datetime(year, 1, 16, 15, 30, tzinfo=PARIS),
    )
    store = StoreProfile.model_validate(PARIS_STORE)
    state = _with_slot(ready, first, policy).model_copy(
        update={"pickup_deadline": pickup_deadline(first.starts_at, policy.hold_period, store)}
    )
    order = ready_order(PARIS_STORE, ready, policy).model_copy(update={"carry_on_from": state})
    async with running(time_skipping, order) as (handle, fakes):
        await handle.signal(ids.SIGNAL_SLOT_BOOKED, later)
        await handle.result()
    sent = [
        (m.kind.value, at.astimezone(PARIS).replace(microsecond=0))
        for m, at in zip(fakes.sent, fakes.sent_at, strict=True)
    ]
    deadline = pickup_deadline(later.starts_at, policy.hold_period, store)  # closing time, from the new slot
    assert deadline.astimezone(PARIS).time() in {time(19), time(20)}  # the store's closing that day
    assert sent == [
        ("pickup_reminder", datetime(year, 1, 15, 10, 0, tzinfo=PARIS)),
        ("slot_reminder", datetime(year, 1, 16, 13, 0, tzinfo=PARIS)),  # before the new slot, not the first
        ("expiry_warning", (deadline - timedelta(hours=24)).astimezone(PARIS)),
        ("order_expired", deadline.astimezone(PARIS)),
    ]
