"""Return KPIs on a hand-made history: three orders taken home at two stores, returns of some of their
units for various reasons, and orders that never reached the customer (they count for nothing)."""

from collections import Counter
from datetime import UTC, datetime

from api.kpi_documents import report_csv, report_document
from domain.kpi_report import History, kpi_report
from domain.kpi_returns import orders_returned, product_returns, return_kpis, return_rate, return_reasons
from domain.kpis import OrderHistory, Ratio, ReturnedUnits, Tally
from domain.returns import taken_home
from domain.status import OrderStatus as S
from domain.values import TimelineEntry

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def order(
    order_id: str,
    store: str,
    final: S,
    taken: dict[str, int],
    *returned: tuple[str, int, str],
) -> OrderHistory:
    return OrderHistory(
        order_id=order_id,
        store_id=store,
        first_store_id=store,
        placed_at=T0,
        ready_by=None,
        timeline=[TimelineEntry(at=T0, status=final, actor="test")],
        taken_home=taken,
        returned=[ReturnedUnits(sku, quantity, reason) for sku, quantity, reason in returned],
    )


PARIS_TENTS = order("o1", "paris", S.COLLECTED, {"TENT": 2, "LAMP": 1}, ("TENT", 1, "wrong_size"))
PARIS_LAMPS = order(
    "o2", "paris", S.COLLECTED, {"LAMP": 3}, ("LAMP", 1, "defective"), ("LAMP", 1, "defective")
)
LYON_KEPT = order("o3", "lyon", S.SHIPPED, {"TENT": 1, "LAMP": 1})
LYON_CANCELLED = order("o4", "lyon", S.CANCELLED, {})
HISTORY = [PARIS_TENTS, PARIS_LAMPS, LYON_KEPT, LYON_CANCELLED]


def test_the_return_rate_is_units_brought_back_over_units_taken_home() -> None:
    assert return_rate(HISTORY) == Ratio(3, 8)  # 1 tent + 2 lamps of 3 tents and 5 lamps
    assert return_rate([PARIS_TENTS, PARIS_LAMPS]).value == 3 / 6
    assert return_rate([LYON_CANCELLED]).value is None  # nothing taken home: no rate


def test_orders_with_a_return_over_orders_taken_home() -> None:
    assert orders_returned(HISTORY) == Ratio(2, 3)  # the cancelled order was never taken home


def test_reasons_count_units_most_first() -> None:
    assert return_reasons(HISTORY) == [Tally("defective", "", 2), Tally("wrong_size", "", 1)]


def test_per_product_rate_and_reasons_most_returned_first() -> None:
    lamps, tents = product_returns(HISTORY)
    assert (lamps.sku, lamps.return_rate, lamps.reasons) == (
        "LAMP",
        Ratio(2, 5),
        [Tally("defective", "LAMP", 2)],
    )
    assert (tents.sku, tents.return_rate, tents.reasons) == (
        "TENT",
        Ratio(1, 3),
        [Tally("wrong_size", "TENT", 1)],
    )
    assert product_returns([LYON_KEPT])[0].return_rate == Ratio(0, 1)  # taken home, never returned


def test_per_store_the_returns_count_with_the_store_that_prepared_the_order() -> None:
    report = kpi_report(History(orders=HISTORY), T0, T0, None)
    assert report.stores["paris"].returns.return_rate == Ratio(3, 6)
    assert report.stores["lyon"].returns.return_rate == Ratio(0, 2)
    assert report.stores["lyon"].returns.reasons == []
    assert report.total.returns == return_kpis(HISTORY)


def test_the_api_document_and_csv_carry_the_rate_reasons_and_returned_products() -> None:
    report = kpi_report(History(orders=HISTORY), T0, T0, None)
    total = report_document(report)["total"]
    assert (total["return_rate"], total["return_rate_part"], total["return_rate_whole"]) == (0.375, 3, 8)
    assert total["orders_returned"] == 2 / 3
    assert total["return_reasons"] == [
        {"reason": "defective", "units": 2},
        {"reason": "wrong_size", "units": 1},
    ]
    assert [(p["sku"], p["taken_home"], p["returned"]) for p in total["product_returns"]] == [
        ("LAMP", 5, 2),
        ("TENT", 3, 1),
    ]
    rows = report_csv(report).splitlines()
    assert "network,period,return_rate,,0.375" in rows
    assert "paris,period,return_reasons,defective,2" in rows
    assert "network,period,product_return_rate,LAMP,0.4" in rows
    assert "network,period,product_return_reasons,LAMP / defective,2" in rows
    assert not any("product_return_rate" in row for row in rows if row.startswith("lyon,"))


def test_taken_home_is_what_was_collected_or_shipped_and_nothing_before() -> None:
    assert taken_home(S.COLLECTED, {"TENT": 1}, {"TENT": 2}) == Counter({"TENT": 1})  # one left behind
    assert taken_home(S.SHIPPED, {}, {"TENT": 2}) == Counter({"TENT": 2})
    assert taken_home(S.READY, {}, {"TENT": 2}) == Counter()
