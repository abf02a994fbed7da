"""Return KPIs over the orders of a period: how much of what customers took home came back, and why, in
all and per product. Pure arithmetic; an order's returns count with the order (in the period it was
placed, at the store that prepared it), whenever and wherever they were brought back."""

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from domain.kpis import OrderHistory, Ratio, Tally


@dataclass(frozen=True)
class ProductReturns:
    """One product: units returned of the units taken home, and the reasons by units."""

    sku: str
    return_rate: Ratio
    reasons: list[Tally] = field(default_factory=list)


@dataclass(frozen=True)
class ReturnKpis:
    return_rate: Ratio = Ratio()  # units returned / units taken home
    orders_returned: Ratio = Ratio()  # orders with a return / orders taken home
    reasons: list[Tally] = field(default_factory=list)  # units by reason, most first
    products: list[ProductReturns] = field(default_factory=list)  # most returned first


def _taken_home(histories: Iterable[OrderHistory]) -> list[OrderHistory]:
    return [h for h in histories if sum(h.taken_home.values()) > 0]


def return_rate(histories: Iterable[OrderHistory]) -> Ratio:
    """Units brought back / units taken home, over the orders customers took home."""
    taken = _taken_home(histories)
    returned = sum(line.quantity for h in taken for line in h.returned)
    return Ratio(returned, sum(sum(h.taken_home.values()) for h in taken))


def orders_returned(histories: Iterable[OrderHistory]) -> Ratio:
    """Orders with at least one unit brought back / orders taken home."""
    taken = _taken_home(histories)
    return Ratio(sum(bool(h.returned) for h in taken), len(taken))


def return_reasons(histories: Iterable[OrderHistory]) -> list[Tally]:
    """Units brought back by reason, most first (detail left empty)."""
    counted: Counter[str] = Counter()
    for h in histories:
        for line in h.returned:
            counted[line.reason] += line.quantity
    return [Tally(reason, "", units) for reason, units in sorted(counted.items(), key=_most)]


def product_returns(histories: Iterable[OrderHistory]) -> list[ProductReturns]:
    """Per product taken home: its return rate (units) and reasons; most returned units first."""
    taken: Counter[str] = Counter()
    returned: dict[str, Counter[str]] = {}
    for h in _taken_home(histories):
        taken.update(h.taken_home)
        for line in h.returned:
            returned.setdefault(line.sku, Counter())[line.reason] += line.quantity
    products = [
        ProductReturns(
            sku,
            Ratio(sum(returned.get(sku, Counter()).values()), units),
            [Tally(reason, sku, n) for reason, n in sorted(returned.get(sku, Counter()).items(), key=_most)],
        )
        for sku, units in taken.items()
    ]
    return sorted(products, key=lambda p: (-p.return_rate.part, p.sku))


def _most(item: tuple[str, int]) -> tuple[int, str]:
    return (-item[1], item[0])


def return_kpis(histories: Sequence[OrderHistory]) -> ReturnKpis:
    return ReturnKpis(
        return_rate=return_rate(histories),
        orders_returned=orders_returned(histories),
        reasons=return_reasons(histories),
        products=product_returns(histories),
    )
