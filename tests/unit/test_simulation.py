"""The simulated day: seeded, on the hourly curve, with the fates in their shares."""

from collections import Counter

from domain.simulation import CLOSING, FATES, OPENING, Fate, plan_day

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
