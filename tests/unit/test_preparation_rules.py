"""Store SLAs in opening time, what a short pick does, what the customer may choose, which carrier ships."""

from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from domain import ids
from domain.decisions import RoutingCandidate
from domain.delivery import DEFAULT_RATES, choose_carrier, choose_ship_from
from domain.policy import ChoiceOption, OrderPolicy
from domain.sla import (
    after_short_pick,
    choice_options,
    default_choice,
    missing_lines,
    preparation_sla,
    remaining_lines,
    stock_corrections,
)
from domain.values import (
    OpeningHours,
    OrderLine,
    PickedLine,
    RoutingState,
    ShortLine,
    ShortReason,
    StoreKind,
    StoreProfile,
)

PARIS = ZoneInfo("Europe/Paris")
WEEKDAYS_9_TO_19 = [OpeningHours(weekday=d, opens=time(9), closes=time(19)) for d in range(6)]


def store(store_id: str = "rivoli", lat: float = 48.86, lon: float = 2.34, **extra: object) -> StoreProfile:
    return StoreProfile(
        id=store_id,
        name=store_id,
        city="",
        address="",
        latitude=lat,
        longitude=lon,
        timezone="Europe/Paris",
        opening_hours=WEEKDAYS_9_TO_19,
        **extra,  # type: ignore[arg-type]
    )


def test_store_must_accept_within_30_minutes_and_be_ready_within_2_hours_at_risk_at_80_percent() -> None:
    placed = datetime(2026, 11, 23, 10, 0, tzinfo=PARIS)
    sla = preparation_sla(placed, OrderPolicy(), store())
    assert sla.accept_at_risk == placed + timedelta(minutes=24)
    assert sla.accept_by == placed + timedelta(minutes=30)
    assert sla.ready_at_risk == placed + timedelta(minutes=96)
    assert sla.ready_by == placed + timedelta(hours=2)


def test_sla_counts_opening_time_only_an_order_at_night_is_due_after_opening() -> None:
    placed = datetime(2026, 11, 28, 22, 0, tzinfo=PARIS)  # Saturday night; closed Sunday
    sla = preparation_sla(placed, OrderPolicy(), store())
    monday_9 = datetime(2026, 11, 30, 9, 0, tzinfo=PARIS)
    assert sla.accept_by == monday_9 + timedelta(minutes=30)
    assert sla.ready_by == monday_9 + timedelta(hours=2)


def test_sla_spans_closing_time() -> None:
    placed = datetime(2026, 11, 23, 18, 45, tzinfo=PARIS)
    sla = preparation_sla(placed, OrderPolicy(), store())
    assert sla.accept_at_risk == datetime(2026, 11, 24, 9, 9, tzinfo=PARIS)  # 15 min today, 9 tomorrow
    assert sla.accept_by == datetime(2026, 11, 24, 9, 15, tzinfo=PARIS)
    assert sla.ready_by == datetime(2026, 11, 24, 10, 45, tzinfo=PARIS)


def test_not_found_and_damaged_correct_stock_wrong_item_and_other_do_not() -> None:
    short = [
        ShortLine(sku="A", missing=1, reason=ShortReason.NOT_FOUND),
        ShortLine(sku="B", missing=1, reason=ShortReason.DAMAGED),
        ShortLine(sku="C", missing=1, reason=ShortReason.WRONG_ITEM),
        ShortLine(sku="D", missing=1, reason=ShortReason.OTHER),
    ]
    assert [line.sku for line in stock_corrections(short)] == ["A", "B"]


def test_a_short_pick_leaves_each_line_less_its_missing_units() -> None:
    lines = [
        OrderLine(sku="TENT-2P", quantity=2, unit_price=Decimal("149")),
        OrderLine(sku="STOVE-GAS", quantity=1, unit_price=Decimal("39.5")),
    ]
    kept = after_short_pick(lines, [ShortLine(sku="STOVE-GAS", missing=1, reason=ShortReason.NOT_FOUND)])
    assert kept == [PickedLine(sku="TENT-2P", quantity=2), PickedLine(sku="STOVE-GAS", quantity=0)]
    assert remaining_lines(lines, kept) == [lines[0]]


def test_the_missing_lines_a_split_order_takes_and_its_id() -> None:
    lines = [
        OrderLine(sku="TENT-2P", quantity=3, unit_price=Decimal("149")),
        OrderLine(sku="STOVE-GAS", quantity=1, unit_price=Decimal("39.5")),
        OrderLine(sku="BOTTLE-1L", quantity=2, unit_price=Decimal("19.9")),
    ]
    kept = [PickedLine(sku="TENT-2P", quantity=1), PickedLine(sku="STOVE-GAS", quantity=1)]
    moved = missing_lines(lines, kept)
    assert [(line.sku, line.quantity, line.unit_price) for line in moved] == [
        ("TENT-2P", 2, Decimal("149")),
        ("BOTTLE-1L", 2, Decimal("19.9")),  # nothing of it found: all of it moves
    ]
    first = ids.split_order_id("order-webshop-WEB-1001", 2)
    assert first == "order-webshop-WEB-1001+2" and ids.split_part(first) == "2"
    assert ids.split_part(ids.split_order_id(first, 2)) == "2/2"  # a split of a split
    assert ids.split_part("order-webshop-WEB-1001") is None
    assert ids.order_of_holder(ids.reservation_holder(first, 1)) == first


def test_the_customer_may_always_cancel_and_only_choose_what_is_possible() -> None:
    assert choice_options(other_stores=False, can_ship=False, something_available=False) == [
        ChoiceOption.CANCEL
    ]
    assert choice_options(other_stores=True, can_ship=True, something_available=True) == [
        ChoiceOption.OTHER_STORE,
        ChoiceOption.HOME_DELIVERY,
        ChoiceOption.COLLECT_AVAILABLE,
        ChoiceOption.CANCEL,
    ]


def test_default_choice_falls_back_to_a_refund_when_the_policy_default_is_not_possible() -> None:
    policy = OrderPolicy()  # collect what is there
    assert default_choice(
        policy, [ChoiceOption.COLLECT_AVAILABLE, ChoiceOption.CANCEL], has_address=False
    ) is (ChoiceOption.COLLECT_AVAILABLE)
    assert default_choice(policy, [ChoiceOption.CANCEL], has_address=False) is ChoiceOption.CANCEL
    ship = OrderPolicy(choice_default=ChoiceOption.HOME_DELIVERY)
    options = [ChoiceOption.HOME_DELIVERY, ChoiceOption.CANCEL]
    assert default_choice(ship, options, has_address=True) is ChoiceOption.HOME_DELIVERY
    assert default_choice(ship, options, has_address=False) is ChoiceOption.CANCEL


def test_cheapest_carrier_that_meets_the_promise_as_in_the_manchester_example() -> None:
    assert choose_carrier(DEFAULT_RATES, "GB", 3).carrier == "Evri"  # type: ignore[union-attr]
    assert choose_carrier(DEFAULT_RATES, "GB", 2).carrier == "Royal Mail"  # type: ignore[union-attr]
    assert choose_carrier(DEFAULT_RATES, "GB", 1).carrier == "DPD"  # type: ignore[union-attr]
    assert choose_carrier(DEFAULT_RATES, "GB", 0) is None
    assert choose_carrier(DEFAULT_RATES, "DE", 5) is None


def test_ships_from_the_nearest_location_with_the_whole_basket_warehouse_first_at_equal_distance() -> None:
    basket = [OrderLine(sku="TENT-2P", quantity=2, unit_price=Decimal("149"))]
    near = store()
    warehouse = store("wh", 48.86, 2.34, kind=StoreKind.WAREHOUSE)
    shipping_store = store("shipper", 48.86, 2.34, ships=True)
    far_warehouse = store("wh-far", 45.76, 4.85, kind=StoreKind.WAREHOUSE)
    frozen = store("wh-frozen", 48.86, 2.34, kind=StoreKind.WAREHOUSE, routing=RoutingState.FROZEN)
    plain = store("plain", 48.86, 2.34)

    def c(profile: StoreProfile, units: int = 5) -> RoutingCandidate:
        return RoutingCandidate(store=profile, available={"TENT-2P": units})

    assert choose_ship_from(basket, [c(far_warehouse), c(shipping_store), c(warehouse)], near).id == "wh"  # type: ignore[union-attr]
    assert choose_ship_from(basket, [c(far_warehouse), c(warehouse, 1)], near).id == "wh-far"  # type: ignore[union-attr]
    assert choose_ship_from(basket, [c(frozen), c(plain)], near) is None
