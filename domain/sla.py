"""The store's preparation deadlines, counted in its opening hours, and what an exception does next."""

from datetime import datetime
from zoneinfo import ZoneInfo

from domain.deadlines import ready_by
from domain.policy import ChoiceOption, OrderPolicy
from domain.values import OrderLine, PickedLine, PreparationSla, ShortLine, ShortReason, StoreProfile


def preparation_sla(start: datetime, policy: OrderPolicy, store: StoreProfile) -> PreparationSla:
    """Accept within `accept_within` and be ready within the promise, both in opening time from `start`
    (the store's calendar: weekly hours and special days);
    each is at risk after `at_risk_share` of it."""
    hours, tz, days, share = store.opening_hours, store.timezone, store.special_days, policy.at_risk_share
    return PreparationSla(
        accept_at_risk=ready_by(start, policy.accept_within * share, hours, tz, days),
        accept_by=ready_by(start, policy.accept_within, hours, tz, days),
        ready_at_risk=ready_by(start, policy.preparation_promise * share, hours, tz, days),
        ready_by=ready_by(start, policy.preparation_promise, hours, tz, days),
    )


CORRECTS_STOCK = frozenset({ShortReason.NOT_FOUND, ShortReason.DAMAGED})


def stock_corrections(short: list[ShortLine]) -> list[ShortLine]:
    """The short lines that mean the units are not sellable there: the shelf count is corrected."""
    return [line for line in short if line.reason in CORRECTS_STOCK]


def after_short_pick(lines: list[OrderLine], short: list[ShortLine]) -> list[PickedLine]:
    """What the store still has for the order: each line less its missing units (zero-unit lines kept)."""
    missing = {line.sku: line.missing for line in short}
    return [PickedLine(sku=line.sku, quantity=line.quantity - missing.get(line.sku, 0)) for line in lines]


def remaining_lines(lines: list[OrderLine], kept: list[PickedLine]) -> list[OrderLine]:
    """The order's lines cut down to what is kept; lines with nothing kept are dropped."""
    quantities = {line.sku: line.quantity for line in kept}
    return [
        line.model_copy(update={"quantity": quantities[line.sku]})
        for line in lines
        if quantities.get(line.sku, 0) > 0
    ]


def missing_lines(lines: list[OrderLine], kept: list[PickedLine]) -> list[OrderLine]:
    """The order's lines cut down to what is not kept (a split order's lines); full lines dropped."""
    quantities = {line.sku: line.quantity for line in kept}
    return [
        line.model_copy(update={"quantity": line.quantity - quantities.get(line.sku, 0)})
        for line in lines
        if line.quantity > quantities.get(line.sku, 0)
    ]


def choice_options(*, other_stores: bool, can_ship: bool, something_available: bool) -> list[ChoiceOption]:
    """What the customer may choose: cancelling is always possible."""
    options = []
    if other_stores:
        options.append(ChoiceOption.OTHER_STORE)
    if can_ship:
        options.append(ChoiceOption.HOME_DELIVERY)
    if something_available:
        options.append(ChoiceOption.COLLECT_AVAILABLE)
    options.append(ChoiceOption.CANCEL)
    return options


def default_choice(policy: OrderPolicy, options: list[ChoiceOption], *, has_address: bool) -> ChoiceOption:
    """The policy's default when it is on offer (delivery needs an address on the order); otherwise the
    customer is refunded (cancel)."""
    default = policy.choice_default
    if default is ChoiceOption.HOME_DELIVERY and not has_address:
        return ChoiceOption.CANCEL
    return default if default in options else ChoiceOption.CANCEL


def local_time(moment: datetime, timezone: str) -> str:
    """'14:30 CET': a deadline as the store reads it."""
    return moment.astimezone(ZoneInfo(timezone)).strftime("%H:%M %Z")
