"""The hold ends while the store is open: at closing time of the hold period's last day, skipping the
days the store is closed (its weekly closures and special days)."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain.policy import OrderPolicy
from domain.status import OrderStatus
from domain.values import OpeningHours
from tests.unit.order_builders import Clock, an_order, store

PARIS = ZoneInfo("Europe/Paris")
# Monday to Saturday 09:30–20:00, closed on Sunday (the demo's Rivoli, less its Sunday).
SHOP_HOURS = [OpeningHours(weekday=day, opens=time(9, 30), closes=time(20, 0)) for day in range(6)]
SHOP = store("paris-rivoli", opening_hours=SHOP_HOURS)


def test_an_order_ready_before_opening_is_held_until_closing_time_not_until_before_opening() -> None:
    """Found by trying it: ready at 08:42 on Monday, the customer was told "before Thursday 08:42"
    although the store opens at 09:30."""
    clock = Clock()
    clock.now = datetime(2026, 11, 23, 8, 42, tzinfo=PARIS).astimezone(UTC)  # a Monday
    order = an_order(OrderStatus.PICKED, policy=OrderPolicy(), store=SHOP, clock=clock)
    order.mark_ready("shelf B3", "store:paris-rivoli", lambda: 123456)
    assert order.state.pickup_deadline == datetime(2026, 11, 26, 20, 0, tzinfo=PARIS)  # Thursday, closing


def test_a_hold_ending_on_a_sunday_the_store_is_closed_runs_to_monday_closing() -> None:
    clock = Clock()
    clock.now = datetime(2026, 11, 26, 15, 0, tzinfo=PARIS).astimezone(UTC)  # a Thursday: +72 h is Sunday
    order = an_order(OrderStatus.PICKED, policy=OrderPolicy(), store=SHOP, clock=clock)
    order.mark_ready("shelf B3", "store:paris-rivoli", lambda: 123456)
    assert order.state.pickup_deadline == datetime(2026, 11, 30, 20, 0, tzinfo=PARIS)
    assert date(2026, 11, 29).weekday() == 6 and timedelta(hours=72) == OrderPolicy().hold_period


def test_a_policy_may_keep_the_hold_on_the_clock() -> None:
    clock = Clock()
    clock.now = datetime(2026, 11, 23, 8, 42, tzinfo=PARIS).astimezone(UTC)
    policy = OrderPolicy(hold_until_closing=False)
    order = an_order(OrderStatus.PICKED, policy=policy, store=SHOP, clock=clock)
    order.mark_ready("shelf B3", "store:paris-rivoli", lambda: 123456)
    assert order.state.pickup_deadline == datetime(2026, 11, 26, 8, 42, tzinfo=PARIS)
