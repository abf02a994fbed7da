"""The routing policy: the customer's store first, then the lowest score among stores that can take it all."""

from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from domain.decisions import RoutingCandidate, StoreLoad
from domain.policy import RoutingPolicy
from domain.routing import choose_store, load_ratio, offers, trace_lines, why_chosen
from domain.values import OpeningHours, OrderLine, RoutingState, StoreKind, StoreProfile

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")
OPEN_9_TO_20 = [OpeningHours(weekday=d, opens=time(9), closes=time(20)) for d in range(7)]
BASKET = [OrderLine(sku="TENT-2P", quantity=2, unit_price=Decimal("149.00"))]
MONDAY_10H = datetime(2026, 11, 23, 10, 0, tzinfo=PARIS)
TWO_HOURS = timedelta(hours=2)
POLICY = RoutingPolicy()


def store(
    store_id: str, lat: float, lon: float, *, tz: str = "Europe/Paris", **extra: object
) -> StoreProfile:
    return StoreProfile(
        id=store_id,
        name=store_id,
        city="",
        address="",
        latitude=lat,
        longitude=lon,
        timezone=tz,
        opening_hours=extra.pop("hours", OPEN_9_TO_20),  # type: ignore[arg-type]
        **extra,  # type: ignore[arg-type]
    )


RIVOLI = store("rivoli", 48.8606, 2.3429)
BASTILLE = store("bastille", 48.8532, 2.3691)  # ~2 km from Rivoli
LA_DEFENSE = store("la-defense", 48.8918, 2.2380)  # ~8 km
VERSAILLES = store("versailles", 48.8049, 2.1204)  # ~17 km
LYON = store("lyon", 45.7609, 4.8566)  # ~390 km


def candidate(profile: StoreProfile, units: int = 5, **load: int) -> RoutingCandidate:
    return RoutingCandidate(store=profile, available={"TENT-2P": units}, load=StoreLoad(**load))


def choose(candidates: list[RoutingCandidate], **kwargs: object):  # type: ignore[no-untyped-def]
    return choose_store(
        BASKET,
        RIVOLI,
        candidates,
        now=kwargs.pop("now", MONDAY_10H),  # type: ignore[arg-type]
        promise=TWO_HOURS,
        policy=kwargs.pop("policy", POLICY),  # type: ignore[arg-type]
        reason="test",
        **kwargs,  # type: ignore[arg-type]
    )


def test_the_customers_store_wins_when_it_can_take_the_order_even_if_another_scores_lower() -> None:
    busy_rivoli = store("rivoli", 48.8606, 2.3429, orders_per_hour=10)
    origin_candidate = RoutingCandidate(
        store=busy_rivoli, available={"TENT-2P": 5}, load=StoreLoad(in_preparation=15)
    )
    decision = choose([candidate(BASTILLE), origin_candidate])
    assert decision.chosen == "rivoli"
    assert "customer's chosen store" in decision.why


def test_nearest_store_with_the_whole_basket_wins_when_the_chosen_store_cannot() -> None:
    decision = choose([candidate(RIVOLI, units=1), candidate(LA_DEFENSE), candidate(BASTILLE)])
    assert decision.chosen == "bastille"
    rivoli = next(c for c in decision.candidates if c.store_id == "rivoli")
    assert rivoli.excluded == "cannot serve TENT-2P (1 of 2)"
    assert "next la-defense" in decision.why


def test_load_against_capacity_can_outweigh_distance() -> None:
    busy_bastille = store("bastille", 48.8532, 2.3691, orders_per_hour=4)
    quiet_defense = store("la-defense", 48.8918, 2.2380, orders_per_hour=4)
    decision = choose(
        [
            candidate(RIVOLI, units=0),
            candidate(busy_bastille, in_preparation=7),  # 7 of 8 it can prepare within the 2 h promise
            candidate(quiet_defense, in_preparation=0),
        ]
    )
    by_id = {c.store_id: c for c in decision.candidates}
    assert decision.chosen == "la-defense"
    assert by_id["bastille"].load == 0.875
    assert by_id["bastille"].score == round(by_id["bastille"].distance_km + 0.875 * 40, 2)
    assert by_id["la-defense"].score == by_id["la-defense"].distance_km


def test_a_store_at_capacity_is_excluded_per_hour_or_per_day() -> None:
    full_hour = store("bastille", 48.8532, 2.3691, orders_per_hour=2)
    full_day = store("la-defense", 48.8918, 2.2380, orders_per_day=30)
    decision = choose(
        [
            candidate(RIVOLI, units=0),
            candidate(full_hour, in_preparation=4),
            candidate(full_day, placed_today=30),
        ]
    )
    assert decision.chosen is None
    excluded = {c.store_id: c.excluded for c in decision.candidates}
    assert excluded["bastille"] == "at capacity (100%)"
    assert excluded["la-defense"] == "at capacity (100%)"
    assert decision.why == "none of 3 stores can take the whole order"


def test_load_ratio_without_capacity_is_unknown_not_zero() -> None:
    assert load_ratio(BASTILLE, StoreLoad(in_preparation=100), TWO_HOURS) is None


def test_closed_frozen_warehouse_and_already_tried_stores_are_excluded_with_their_reason() -> None:
    closed = store("bastille", 48.8532, 2.3691, routing=RoutingState.CLOSED)
    frozen = store("la-defense", 48.8918, 2.2380, routing=RoutingState.FROZEN)
    warehouse = store("wh-ile-de-france", 48.80, 2.30, kind=StoreKind.WAREHOUSE)
    decision = choose(
        [
            candidate(closed),
            candidate(frozen),
            candidate(warehouse),
            candidate(VERSAILLES),
            candidate(RIVOLI),
        ],
        exclude=frozenset({"rivoli"}),
    )
    excluded = {c.store_id: c.excluded for c in decision.candidates}
    assert excluded == {
        "bastille": "store is closed",
        "la-defense": "store is frozen",
        "wh-ile-de-france": "not a pickup location",
        "rivoli": "already tried for this order",
        "versailles": None,
    }
    assert decision.chosen == "versailles"


def test_stores_beyond_the_radius_are_excluded_but_may_be_offered_within_the_offer_radius() -> None:
    decision = choose([candidate(RIVOLI, units=0), candidate(LYON), candidate(VERSAILLES)], radius_km=10)
    assert decision.chosen is None
    wider = choose(
        [candidate(RIVOLI, units=0), candidate(LYON), candidate(VERSAILLES)],
        radius_km=POLICY.offer_distance_km,
    )
    assert [c.store_id for c in offers(wider, 3)] == ["versailles"]


def test_a_store_that_cannot_be_ready_before_closing_is_penalised() -> None:
    # 19:00 in Paris: a 2 h promise runs past the 20:00 closing, in both stores; Bastille closes at 22:00
    late = datetime(2026, 11, 23, 19, 0, tzinfo=PARIS)
    late_bastille = store(
        "bastille",
        48.8532,
        2.3691,
        hours=[OpeningHours(weekday=d, opens=time(9), closes=time(22)) for d in range(7)],
    )
    decision = choose([candidate(RIVOLI, units=0), candidate(late_bastille), candidate(LA_DEFENSE)], now=late)
    by_id = {c.store_id: c for c in decision.candidates}
    assert by_id["bastille"].ready_today and not by_id["la-defense"].ready_today
    assert by_id["la-defense"].score == round(
        by_id["la-defense"].distance_km + POLICY.points_if_not_ready_today, 2
    )
    assert decision.chosen == "bastille"


def test_ready_today_is_judged_in_each_stores_own_timezone() -> None:
    # 15:00 in New York is 21:00 in Paris: the New York store is open, a Paris store is not
    ny = store("soho", 40.7233, -73.9985, tz="America/New_York")
    ny_origin = store("brooklyn", 40.6782, -73.9442, tz="America/New_York")
    now = datetime(2026, 11, 23, 15, 0, tzinfo=NEW_YORK)
    decision = choose_store(
        BASKET,
        ny_origin,
        [candidate(ny)],
        now=now,
        promise=TWO_HOURS,
        policy=POLICY,
        reason="test",
    )
    [soho] = decision.candidates
    assert soho.ready_today
    assert soho.ready_by == datetime(2026, 11, 23, 17, 0, tzinfo=NEW_YORK)


def test_ties_go_to_the_nearer_store_then_by_id() -> None:
    twin_a = store("a-store", 48.8532, 2.3691)
    twin_b = store("b-store", 48.8532, 2.3691)
    decision = choose([candidate(twin_b), candidate(twin_a)])
    assert decision.chosen == "a-store"
    weights = RoutingPolicy(points_per_km=0)
    flat = choose([candidate(LA_DEFENSE), candidate(BASTILLE)], policy=weights)
    assert flat.chosen == "bastille"  # same score 0: nearer wins


def test_the_trace_names_every_candidate_and_why_the_winner_won() -> None:
    decision = choose([candidate(RIVOLI, units=0), candidate(BASTILLE), candidate(LYON)])
    lines = trace_lines(decision)
    assert lines[0].startswith("routing (test) from rivoli: bastille: lowest score")
    assert any("lyon" in line and "beyond 30 km" in line for line in lines)
    assert any("rivoli" in line and "cannot serve" in line for line in lines[1:])


def test_a_runner_up_taken_after_the_winner_fell_through_says_so() -> None:
    decision = choose([candidate(RIVOLI, units=0), candidate(BASTILLE), candidate(LA_DEFENSE)])
    assert why_chosen(decision, "bastille") == decision.why
    defense = next(c for c in decision.candidates if c.store_id == "la-defense")
    assert why_chosen(decision, "la-defense") == (
        f"la-defense: score {defense.score}, next best once bastille could not reserve"
    )
    assert why_chosen(decision, "lyon") == "lyon: not among the scored stores"
