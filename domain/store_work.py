"""The store associate's work on an order: the pick list walked in shelf order, a scan checked against it,
the deadline the queue counts down to. Pure rules, tested without servers."""

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from domain.order_state import OrderView
from domain.status import OrderStatus
from domain.values import CheckIn, OrderLine, PreparationSla

# What the store console shows, in the order associates work through them.
QUEUE_SECTIONS = (
    OrderStatus.RESERVED,
    OrderStatus.ACCEPTED,
    OrderStatus.PICKED,
    OrderStatus.READY,
    OrderStatus.AWAITING_CUSTOMER,
)


def ean13_check_digit(first_twelve: str) -> int:
    """GS1 check digit: weights 1 and 3 alternating from the left over the first twelve digits."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first_twelve))
    return (10 - total % 10) % 10


def valid_ean13(code: str) -> bool:
    return len(code) == 13 and code.isdigit() and ean13_check_digit(code[:12]) == int(code[12])


@dataclass(frozen=True)
class Product:
    """What the shelf knows about a SKU in one store."""

    sku: str
    name: str
    barcode: str | None = None  # the one shown: the first of its barcodes
    location: str | None = None  # aisle-bay-shelf, e.g. "A03-B2"
    other_barcodes: tuple[str, ...] = ()  # a product may carry several GTINs (docs/integration.md)

    def answers_to(self, code: str) -> bool:
        """A scan or typed code names this product: any of its barcodes, or the SKU itself."""
        return code in (self.barcode, self.sku, *self.other_barcodes)


@dataclass(frozen=True)
class PickLine:
    product: Product
    ordered: int
    counted: int = 0

    @property
    def done(self) -> bool:
        return self.counted >= self.ordered


def pick_list(lines: list[OrderLine], products: dict[str, Product]) -> list[PickLine]:
    """The order's lines in walking order: by shelf location, lines without one last."""
    found = [PickLine(products.get(line.sku) or Product(line.sku, line.sku), line.quantity) for line in lines]
    return sorted(
        found, key=lambda line: (line.product.location is None, line.product.location or "", line.product.sku)
    )


def with_counts(lines: list[PickLine], counts: dict[str, int]) -> list[PickLine]:
    """The pick list with the units counted so far (typed or scanned), each kept within 0..ordered."""
    return [
        replace(line, counted=max(0, min(counts.get(line.product.sku, 0), line.ordered))) for line in lines
    ]


class ScanOutcome(StrEnum):
    COUNTED = "counted"
    NOT_ON_ORDER = "not_on_order"  # a wrong item: refused
    NOTHING = "nothing"  # an empty scan: nothing to count
    ALREADY_COMPLETE = "already_complete"  # every unit of that line is already counted


@dataclass(frozen=True)
class Scan:
    outcome: ScanOutcome
    lines: list[PickLine]
    line: PickLine | None = None


def scan(lines: list[PickLine], code: str) -> Scan:
    """One scanned unit: counted on its line when the order wants more of it, refused otherwise. The SKU
    itself is accepted as well as the barcode (a label without a barcode is typed)."""
    code = code.strip()
    if not code:
        return Scan(ScanOutcome.NOTHING, lines)
    for index, line in enumerate(lines):
        if code and line.product.answers_to(code):
            if line.done:
                return Scan(ScanOutcome.ALREADY_COMPLETE, lines, line)
            counted = replace(line, counted=line.counted + 1)
            return Scan(ScanOutcome.COUNTED, [*lines[:index], counted, *lines[index + 1 :]], counted)
    return Scan(ScanOutcome.NOT_ON_ORDER, lines)


def fully_picked(lines: list[PickLine]) -> bool:
    return all(line.done for line in lines)


# ---- batch picking: several orders in one walk, each into its own tote ---------------------------

BATCH_MAX = 8  # orders in one walk: as many totes as a picking trolley holds


@dataclass(frozen=True)
class ToteLine:
    """One line of one order in a batch walk, and the tote its units go in (tote n: the n-th order)."""

    tote: int
    order_id: str
    line: PickLine

    @property
    def key(self) -> str:
        return f"{self.tote}-{self.line.product.sku}"


def batch_pick_list(orders: list[tuple[str, list[PickLine]]]) -> list[ToteLine]:
    """Every line of the orders in one walk: by shelf location (lines without one last), then tote."""
    rows = [
        ToteLine(tote, order_id, line) for tote, (order_id, lines) in enumerate(orders, 1) for line in lines
    ]

    def walk(row: ToteLine) -> tuple[bool, str, str, int]:
        product = row.line.product
        return (product.location is None, product.location or "", product.sku, row.tote)

    return sorted(rows, key=walk)


def batch_with_counts(rows: list[ToteLine], counts: dict[str, int]) -> list[ToteLine]:
    """The walk with the units counted so far per tote and SKU (`<tote>-<sku>`), each within 0..ordered."""
    return [
        replace(row, line=replace(row.line, counted=max(0, min(counts.get(row.key, 0), row.line.ordered))))
        for row in rows
    ]


@dataclass(frozen=True)
class BatchScan:
    outcome: "ScanOutcome"
    rows: list[ToteLine]
    row: ToteLine | None = None


def batch_scan(rows: list[ToteLine], code: str) -> BatchScan:
    """One scanned unit goes in the tote of the first order (in walking order) that still wants one."""
    code = code.strip()
    if not code:
        return BatchScan(ScanOutcome.NOTHING, rows)
    wanted = [i for i, row in enumerate(rows) if row.line.product.answers_to(code)]
    if not wanted:
        return BatchScan(ScanOutcome.NOT_ON_ORDER, rows)
    for index in wanted:
        row = rows[index]
        if not row.line.done:
            counted = replace(row, line=replace(row.line, counted=row.line.counted + 1))
            return BatchScan(ScanOutcome.COUNTED, [*rows[:index], counted, *rows[index + 1 :]], counted)
    return BatchScan(ScanOutcome.ALREADY_COMPLETE, rows, rows[wanted[0]])


@dataclass(frozen=True)
class QueueOrder:
    """What the queue shows of an order: read narrowly from the read model (not the whole view), since a
    busy store's queue lists hundreds of them on every refresh."""

    order_id: str
    status: OrderStatus
    channel_order_id: str
    customer_name: str
    units: int  # units the order still holds
    sla: PreparationSla | None = None
    sla_at_risk: bool = False
    stock_at_risk: bool = False
    staging_location: str | None = None
    check_in: CheckIn | None = None  # the customer's "on my way" / "I'm here"


@dataclass(frozen=True)
class Deadline:
    """The next SLA deadline of an order in the queue, and from when it is at risk."""

    due: datetime
    at_risk_from: datetime

    def at_risk(self, now: datetime) -> bool:
        return now >= self.at_risk_from


def next_deadline(order: OrderView | QueueOrder) -> Deadline | None:
    """Accept-by while the order waits for the store, ready-by while it is prepared; none afterwards."""
    if order.sla is None:
        return None
    if order.status is OrderStatus.RESERVED:
        return Deadline(order.sla.accept_by, order.sla.accept_at_risk)
    if order.status in (OrderStatus.ACCEPTED, OrderStatus.PICKED):
        return Deadline(order.sla.ready_by, order.sla.ready_at_risk)
    return None


def flagged(order: OrderView | QueueOrder, now: datetime) -> bool:
    """At risk: the workflow said so (SLA or stock taken off the shelf), or the deadline is close."""
    deadline = next_deadline(order)
    return order.sla_at_risk or bool(order.stock_at_risk) or (deadline is not None and deadline.at_risk(now))


def matches(order: QueueOrder, query: str) -> bool:
    """A queue search: the customer's name or the channel's order id, in part and in any case."""
    needle = query.strip().casefold()
    haystack = (order.customer_name, order.channel_order_id, order.order_id)
    return not needle or any(needle in text.casefold() for text in haystack)
