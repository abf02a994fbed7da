"""The simulated day: seeded, on the hourly curve, with the fates in their shares; the counter sale that
puts a reservation at risk, the slot a customer asks for."""

from collections import Counter
from datetime import UTC, datetime, timedelta

from domain.simulation import (
    CLOSING,
    FATES,
    FEED_LATE,
    OPENING,
    SLOT_ASKS,
    DayMix,
    Fate,
    SlotAsk,
    counter_sale,
    first_slot,
    plan_day,
)

STORES, SKUS = ["paris", "lyon"], ["TENT", "LAMP", "STOVE", "BOTTLE"]


def test_the_same_seed_plays_the_same_day() -> None:
    assert plan_day(7, 50, STORES, SKUS, 600) == plan_day(7, 50, STORES, SKUS, 600)
    assert plan_day(7, 50, STORES, SKUS, 600) != plan_day(8, 50, STORES, SKUS, 600)


def test_orders_follow_the_hourly_curve_within_the_compressed_day() -> None:
    day = plan_day(1, 2000, STORES, SKUS, 1200)
    hour = 1200 / (CLOSING - OPENING)
    per_hour = Counter(int(order.at // hour) for order in day)
    assert all(0 <= order.at < 1200 for order in day)
    assert [a.at for a in day] == sorted(a.at for a in day)
    assert per_hour[3] > 2 * per_hour[0] and per_hour[9] > 2 * per_hour[11]  # noon and evening peaks


def test_fates_come_in_their_shares_and_baskets_are_real() -> None:
    day = plan_day(3, 4000, STORES, SKUS, 600)
    fates = Counter(order.fate for order in day)
    for fate, share in FATES.items():
        assert abs(fates[fate] / 4000 - share) < 0.02, fate
    assert fates[Fate.COLLECTED] > fates[Fate.NO_SHOW]
    assert all(order.lines and order.store_id in STORES for order in day)
    assert all(len({sku for sku, _ in order.lines}) == len(order.lines) for order in day)


def test_some_customers_ask_for_a_slot_at_checkout_or_on_the_page() -> None:
    day = plan_day(4, 4000, STORES, SKUS, 600)
    asks = Counter(order.slot for order in day)
    for ask, share in SLOT_ASKS.items():
        assert abs(asks[ask] / 4000 - share) < 0.02, ask
    assert asks[None] > asks[SlotAsk.AT_INTAKE] + asks[SlotAsk.ON_PAGE]


def test_a_day_mix_changes_the_shares_and_half_the_counter_sales_reach_the_oms_late() -> None:
    mix = DayMix(fates={Fate.COLLECTED: 0.5, Fate.SOLD_AT_THE_COUNTER: 0.5}, slots={SlotAsk.ON_PAGE: 1.0})
    day = plan_day(5, 2000, STORES, SKUS, 600, mix)
    assert {order.fate for order in day} == {Fate.COLLECTED, Fate.SOLD_AT_THE_COUNTER}
    assert all(order.slot is SlotAsk.ON_PAGE for order in day)
    sold = [order for order in day if order.fate is Fate.SOLD_AT_THE_COUNTER]
    assert abs(sum(order.feed_late for order in sold) / len(sold) - FEED_LATE) < 0.05


def test_a_counter_sale_leaves_the_shelf_one_unit_short_of_what_is_reserved() -> None:
    assert counter_sale(on_hand=12, reserved=3) == 10  # 9 free units and one held
    assert 12 - counter_sale(12, 3) == 3 - 1
    assert counter_sale(on_hand=3, reserved=3) == 1
    assert counter_sale(on_hand=2, reserved=5) == 1  # already short: one more unit goes
    assert counter_sale(on_hand=12, reserved=0) == 0  # nothing held: no order to put at risk
    assert counter_sale(on_hand=0, reserved=2) == 0  # nothing on the shelf to sell


def test_the_slot_asked_at_checkout_is_the_earliest_with_a_place_left_far_enough_ahead() -> None:
    now = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    at = [now + timedelta(minutes=m) for m in (0, 10, 30, 60, 90)]
    slots = [(at[4], 3), (at[0], 5), (at[1], 2), (at[2], 0), (at[3], 1)]
    assert first_slot(slots, now, timedelta(minutes=20)) == at[3]  # 10:30 is full, 10:00 and 10:10 too soon
    assert first_slot(slots, now, timedelta(minutes=5)) == at[1]
    assert first_slot([(at[2], 0)], now, timedelta(0)) is None
