"""Intake: a placed order is reserved at its store (or a nearby one the channel accepted), or refused."""

from datetime import datetime

from domain import ids
from domain.deadlines import ready_by
from domain.decisions import CandidateScore, RoutingDecision
from domain.errors import ChannelOrderConflict
from domain.order.core import SYSTEM, OrderCore
from domain.order_state import OrderState
from domain.routing import offers
from domain.status import OrderStatus
from domain.values import MissingLine, OrderPlacement, RoutingState, SplitOrigin, StoreProfile, TimelineEntry


def placed(placement: OrderPlacement, at: datetime, split_from: SplitOrigin | None = None) -> OrderState:
    """A new order, received from its channel (or split off another order by the OMS); why a contact
    is not used (an unreadable phone) is said on its first timeline entry."""
    split = split_from
    note = placement.customer.contact_note
    return OrderState(
        order_id=ids.split_order_id(split.order_id, split.part) if split else placement.order_id,
        placement=placement,
        status=OrderStatus.RECEIVED,
        timeline=[
            TimelineEntry(
                at=at,
                status=OrderStatus.RECEIVED,
                actor=SYSTEM if split else f"channel:{placement.channel}",
                reason=f"split from {split.order_id}: {split.reason}" if split else note,
            )
        ],
        split_from=split,
    )


class Intake(OrderCore):
    def confirm_intake(self, fingerprint: str) -> bool:
        """True the first time; a repeat of the same placement is not a new order, and another placement
        under this channel order id is refused."""
        if fingerprint != self.state.placement.fingerprint():
            raise ChannelOrderConflict("this channel order id was already used for a different order")
        created = self.state.intake_confirmations == 0
        self.state.intake_confirmations += 1
        return created

    def store_found(self, store: StoreProfile) -> None:
        """The chosen store's profile; routing measures distances from it."""
        self.state.store = store
        if self.routing_enabled:
            self.state.origin = store

    @property
    def store_takes_new_orders(self) -> bool:
        """A store closed or frozen for new orders takes none: the customer is offered the others."""
        store = self.state.store
        return not (self.routing_enabled and store is not None and store.routing is not RoutingState.OPEN)

    def short_of_stock(self, missing: list[MissingLine]) -> None:
        self.state.missing = missing

    def offer_alternatives(self, decision: RoutingDecision) -> list[CandidateScore]:
        """The nearby stores that can serve the basket, best first: recorded, and returned to try."""
        self.state.alternatives = offers(decision, self.policy.routing.alternatives)
        return offers(decision, self.policy.routing.alternatives)

    def take_alternative(self, store_id: str) -> None:
        """A nearby store reserved the basket (the channel allowed it): the order is prepared there."""
        self.state.store = self.state.candidates[store_id]
        self.state.missing = []

    def reserve(self) -> None:
        """Every line is held: the store's deadlines start (with routing, the full SLA)."""
        state = self.state
        store = state.store
        assert store
        if self.routing_enabled:
            self._start_sla()
        else:
            hours = self.calendar_of(store)
            state.ready_by = ready_by(
                self.now,
                self.policy.preparation_promise,
                hours.opening_hours,
                hours.timezone,
                hours.special_days,
            )
        moved = store.id != state.placement.store_id
        self._transition(
            OrderStatus.RESERVED,
            SYSTEM,
            f"at {store.id}: {state.routing[-1].why}" if moved and state.routing else None,
        )

    def refuse(self) -> None:
        """Nothing was held: rejected, naming the missing lines (or the closed store)."""
        state, store = self.state, self.state.store
        short = ", ".join(f"{line.sku} ({line.available} of {line.requested})" for line in state.missing)
        if state.missing or store is None:
            reason = f"insufficient stock: {short}"
        else:
            reason = f"{store.id} takes no new orders ({store.routing.value})"
        if state.routing:
            reason += f"; {len(state.routing[-1].alternatives)} other store(s) can serve it"
        self._transition(OrderStatus.REJECTED, SYSTEM, reason)
