"""Rules about one order: transitions, pick and collection checks, pickup codes, the customer's answer.
Pure functions, no I/O."""

import hmac
from collections.abc import Iterator, Sequence
from datetime import datetime
from decimal import Decimal

from domain.commands import CustomerChoice
from domain.decisions import ChoiceRequest
from domain.errors import InvalidChoice, InvalidPick
from domain.order_state import OrderState
from domain.policy import ChoiceOption
from domain.status import OrderStatus, ensure_transition
from domain.values import OrderLine, PickedLine, ShortLine, TimelineEntry

MAX_PICKUP_ATTEMPTS = 5  # wrong codes before collection locks: six digits cannot be guessed in five tries


def apply_transition(
    state: OrderState, target: OrderStatus, *, at: datetime, actor: str, reason: str | None = None
) -> OrderState:
    """Move the order to `target`, recording when, by whom and why; raise TransitionNotAllowed otherwise."""
    ensure_transition(state.status, target)
    state.status = target
    state.timeline.append(TimelineEntry(at=at, status=target, actor=actor, reason=reason))
    state.version += 1
    return state


class PickMismatch(InvalidPick):
    """A pick report that does not match the order's lines; `field` names the offending entry."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}", field)
        self.field = field


def _each_line(
    known: dict[str, int], reported: Sequence[PickedLine | ShortLine], *, unknown: str, twice: str
) -> Iterator[tuple[str, PickedLine | ShortLine, int]]:
    """Each reported line with its field name and the known quantity; a SKU not known or reported
    twice is refused."""
    seen: set[str] = set()
    for index, line in enumerate(reported):
        field = f"lines[{index}]"
        if line.sku not in known:
            raise PickMismatch(f"{field}.sku", f"{line.sku} {unknown}")
        if line.sku in seen:
            raise PickMismatch(f"{field}.sku", f"{line.sku} is {twice} twice")
        seen.add(line.sku)
        yield field, line, known[line.sku]


def check_pick(ordered: list[OrderLine], picked: list[PickedLine]) -> None:
    """A complete pick names every ordered line once, with its full quantity."""
    wanted = {line.sku: line.quantity for line in ordered}
    for field, line, quantity in _each_line(wanted, picked, unknown="is not on this order", twice="reported"):
        assert isinstance(line, PickedLine)
        if line.quantity != quantity:
            raise PickMismatch(
                f"{field}.quantity",
                f"{line.quantity} picked of {quantity} ordered; short picks go through the exception flow",
            )
    for sku in wanted.keys() - {line.sku for line in picked}:
        raise PickMismatch("lines", f"{sku} is missing from the pick report")


def check_short_pick(ordered: list[OrderLine], short: list[ShortLine]) -> None:
    """A short pick names lines of the order once each, never more missing units than ordered."""
    wanted = {line.sku: line.quantity for line in ordered}
    for field, line, quantity in _each_line(wanted, short, unknown="is not on this order", twice="reported"):
        assert isinstance(line, ShortLine)
        if line.missing > quantity:
            raise PickMismatch(f"{field}.missing", f"{line.missing} missing of {quantity} ordered")


def check_collection(available: list[PickedLine], taken: list[PickedLine]) -> None:
    """A partial collection takes, per line, at most what is waiting for the customer."""
    waiting = {line.sku: line.quantity for line in available}
    for field, line, quantity in _each_line(
        waiting, taken, unknown="is not waiting for this customer", twice="listed"
    ):
        assert isinstance(line, PickedLine)
        if line.quantity > quantity:
            raise PickMismatch(f"{field}.quantity", f"{line.quantity} taken of {quantity} waiting")


def left_at_collection(
    waiting: list[PickedLine], taken: list[PickedLine] | None
) -> tuple[dict[str, int], dict[str, int]]:
    """(taken, left) per SKU when the customer takes `taken` of what waits (None: everything)."""
    waits = {line.sku: line.quantity for line in waiting}
    takes = {line.sku: line.quantity for line in taken or waiting}
    left = {sku: waits[sku] - takes.get(sku, 0) for sku in waits if waits[sku] > takes.get(sku, 0)}
    return takes, left


def lines_amount(lines: list[OrderLine], quantities: dict[str, int] | None = None) -> Decimal:
    """What the lines cost, optionally for other quantities of the same SKUs (missing SKUs: none)."""
    if quantities is None:
        return sum((line.amount for line in lines), Decimal("0"))
    return sum((line.unit_price * quantities.get(line.sku, 0) for line in lines), Decimal("0"))


def new_pickup_code(random_int: int) -> str:
    """A six-digit code from a (workflow-deterministic) random integer."""
    return f"{random_int % 1_000_000:06d}"


def pickup_code_matches(expected: str | None, offered: str) -> bool:
    """Compare in constant time, so the code cannot be guessed digit by digit."""
    return expected is not None and hmac.compare_digest(expected.encode(), offered.encode())


def check_answer(answer: CustomerChoice, choice: ChoiceRequest, *, has_address: bool) -> None:
    """The answer is one of the options offered, with what it needs (an offered store, an address);
    InvalidChoice names the field otherwise."""
    if answer.option not in choice.options:
        offered = ", ".join(option.value for option in choice.options)
        raise InvalidChoice(f"{answer.option.value} is not offered; choose one of {offered}", "option")
    if answer.option is ChoiceOption.OTHER_STORE:
        stores = [s.store_id for s in choice.stores]
        if answer.store_id not in stores:
            raise InvalidChoice(f"choose one of the offered stores: {', '.join(stores)}", "store_id")
    if answer.option is ChoiceOption.HOME_DELIVERY and answer.delivery_address is None and not has_address:
        raise InvalidChoice("a delivery address is needed for home delivery", "delivery_address")
