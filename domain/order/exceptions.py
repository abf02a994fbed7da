"""Exceptions during preparation: a store that rejects, a short pick, stock at risk, a missed deadline;
and what they lead to: the order (or its missing lines) moves to another store, or the customer chooses."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from domain import ids
from domain.commands import ShortPick, StoreRejection
from domain.decisions import CandidateScore, RoutingCandidate, RoutingDecision
from domain.errors import ExceptionPending, StepNotAllowed
from domain.notifications import StoreReminder
from domain.order.core import OrderCore
from domain.order.rules import check_short_pick, lines_amount
from domain.policy import ShortPickPolicy
from domain.routing import choose_store, offers
from domain.sla import after_short_pick, missing_lines, remaining_lines, stock_corrections
from domain.status import BEFORE_PICKING, GONE_FROM_STORE, IN_PREPARATION, OrderStatus
from domain.values import OrderLine, OrderPlacement, PreparationSla, ShortLine, StockAtRisk, StoreProfile


class Escalation(StrEnum):
    """What an exception leads to, by the short-pick policy; each falls back to asking the customer."""

    SPLIT = "split"  # keep what the store found; a store within reach prepares the rest
    MOVE = "move"  # move the whole order to the best store within reach
    ASK = "ask"  # ask the customer


@dataclass(frozen=True)
class Reroute:
    """The store and reservation an order leaves; they are released once the new store holds it."""

    holder: str
    store: StoreProfile | None


@dataclass(frozen=True)
class SplitPlan:
    """The lines a store could not find, to be prepared elsewhere as order `order_id` (part `part`)."""

    order_id: str
    part: int
    lines: list[OrderLine]


class Exceptions(OrderCore):
    # ---- what the store and the stock feed report ---------------------------------------------

    def ensure_rejectable(self) -> None:
        self._ensure_exception_possible(IN_PREPARATION, "rejected")

    def reject(self, rejection: StoreRejection) -> None:
        """The store cannot prepare the order: it moves to another store, or the customer chooses."""
        self.state.problem = f"rejected by {rejection.actor}: {rejection.reason}"
        self.state.problem_actor = rejection.actor

    def ensure_short_pick(self, lines: list[ShortLine]) -> None:
        self._ensure_exception_possible({OrderStatus.ACCEPTED}, "short-picked")
        check_short_pick(self.state.current_lines, lines)

    def report_short_pick(self, report: ShortPick) -> list[ShortLine]:
        """Units missing at picking; returns the lines whose shelf count is wrong (to write off)."""
        state = self.state
        state.problem = "short pick: " + ", ".join(
            f"{line.missing} × {line.sku} {line.reason.value.replace('_', ' ')}" for line in report.lines
        )
        state.short = report.lines
        state.problem_actor = report.actor
        state.picked = after_short_pick(state.current_lines, report.lines)
        state.version += 1
        return stock_corrections(report.lines)

    def _ensure_exception_possible(
        self, allowed: set[OrderStatus] | frozenset[OrderStatus], step: str
    ) -> None:
        if self.status not in allowed:
            raise StepNotAllowed(
                f"order is {self.status.value}; only an order in preparation can be {step}", self.status.value
            )
        if self.state.problem is not None or not self.routing_enabled:
            raise ExceptionPending("the order is already being moved on; try again in a moment")

    def flag_stock_at_risk(self, risk: StockAtRisk) -> bool:
        """Flag the order (once per SKU, while its store still holds stock for it); True when flagged.
        Before picking starts the order moves to a store that has the stock; later, staff decide."""
        state = self.state
        if state.status in GONE_FROM_STORE or any(r.sku == risk.sku for r in state.stock_at_risk):
            return False
        if risk.store_id != state.store_id:  # about a store this order already left
            return False
        state.stock_at_risk.append(risk)
        state.version += 1
        self._changed()
        if self.routing_enabled and state.problem is None and state.status in BEFORE_PICKING:
            state.problem = f"stock at risk: {risk.sku} short by {risk.short_by} at {risk.store_id}"
        return True

    @property
    def moved_on(self) -> bool:
        """An exception is raised, or the store finished preparing (or the order ended)."""
        return self.state.problem is not None or self.status not in IN_PREPARATION

    def problem_handled(self) -> None:
        self.state.problem = self.state.problem_actor = None

    # ---- the store's deadlines ----------------------------------------------------------------

    def preparation_sla(self) -> PreparationSla:
        """The deadlines at the order's store (started now for orders reserved before SLAs)."""
        return self.state.sla or self._start_sla()

    def flag_sla_at_risk(self, step: str, due: datetime) -> StoreReminder:
        """Most of the time to `step` is gone: the order is flagged and the store reminded (once per
        deadline and route)."""
        state = self.state
        assert state.store
        state.sla_at_risk = True
        state.version += 1
        self._changed()
        return StoreReminder(
            order_id=state.order_id,
            channel_order_id=state.placement.channel_order_id,
            store=state.store,
            step=step,
            due=due,
            sequence=self.routes,
        )

    def clear_sla_at_risk(self) -> bool:
        """The store made it in time: the flag goes (True when it was set)."""
        if not (self.state.sla_at_risk and self.status in IN_PREPARATION):
            return False
        self.state.sla_at_risk = False
        self.state.version += 1
        self._changed()
        return True

    # ---- where the order goes -----------------------------------------------------------------

    def escalation(self) -> Escalation:
        """After a short pick the policy decides; any other exception moves the whole order."""
        short_pick, policy = bool(self.state.short), self.policy.short_pick
        if short_pick and policy is ShortPickPolicy.MISSING_LINES and self.found_something:
            return Escalation.SPLIT
        if not short_pick or policy is not ShortPickPolicy.ASK_CUSTOMER:
            return Escalation.MOVE
        return Escalation.ASK

    @property
    def found_something(self) -> bool:
        return any(line.quantity > 0 for line in self.state.picked)

    @property
    def routing_origin(self) -> StoreProfile:
        """Routing measures from the store the customer chose."""
        origin = self.state.origin or self.state.store
        assert origin
        return origin

    def route(
        self, reason: str, candidates: list[RoutingCandidate], *, radius_km: float, lines: list[OrderLine]
    ) -> RoutingDecision:
        """Score the candidate stores for `lines`, never one the order was at; the trace is kept."""
        state = self.state
        state.candidates = {c.store.id: c.store for c in candidates}
        decision = choose_store(
            lines,
            self.routing_origin,
            candidates,
            now=self.now,
            promise=self.policy.preparation_promise,
            policy=self.policy.routing,
            reason=reason,
            exclude=self.tried_stores,
            radius_km=radius_km,
        )
        state.routing = [*state.routing, decision][-10:]
        self._changed()
        return decision

    def stores_to_try(self, decision: RoutingDecision) -> list[CandidateScore]:
        """The stores to move to unasked, best first."""
        return offers(decision, self.policy.routing.alternatives)

    def reroute_to(self, store_id: str) -> Reroute:
        """The new store holds the order now (its reservation made); returns what it leaves behind."""
        state = self.state
        left = Reroute(holder=self.holder, store=state.store)
        state.previous_stores.append(state.store_id)
        state.store = state.candidates[store_id]
        return left

    def rerouted(self, reason: str, left: Reroute) -> None:
        """At its new store the order starts over: picks, short lines, flags and any choice are forgotten,
        and the store's deadlines run from now."""
        state = self.state
        state.picked, state.short, state.stock_at_risk = [], [], []
        state.choice, state.sla_at_risk = None, False
        self._start_sla()
        came_from = left.store.id if left.store else "?"
        self._transition(
            OrderStatus.RESERVED,
            self.escalated_by,
            f"re-routed from {came_from} to {state.store_id}: {reason}",
        )

    # ---- dropping what the store did not find ---------------------------------------------------

    def split_plan(self) -> SplitPlan:
        """The missing lines, as the next split order of this one."""
        part = len(self.state.splits) + 2
        return SplitPlan(
            order_id=ids.split_order_id(self.state.order_id, part),
            part=part,
            lines=missing_lines(self.state.current_lines, self.state.picked),
        )

    def split_placement(self, plan: SplitPlan, store_id: str) -> OrderPlacement:
        """The split order's placement: the missing lines at the store that has them."""
        return self.state.placement.model_copy(
            update={"store_id": store_id, "lines": plan.lines, "hold_id": None, "accept_alternative": None}
        )

    def split_off(self, plan: SplitPlan, store_id: str, why: str) -> None:
        """The missing lines left with their split order; this one goes on with what was found."""
        self.state.splits = [*self.state.splits, plan.order_id]
        moved = ", ".join(f"{line.quantity} × {line.sku}" for line in plan.lines)
        self._transition(
            OrderStatus.PICKED,
            self.escalated_by,
            f"{moved} split off to {plan.order_id} at {store_id} ({why})",
        )

    def missing_units(self) -> dict[str, int]:
        """Per SKU, the units the store did not find."""
        kept = {line.sku: line.quantity for line in self.state.picked}
        return {line.sku: line.quantity - kept.get(line.sku, 0) for line in self.state.current_lines}

    def amount_of(self, quantities: dict[str, int]) -> Decimal:
        """What `quantities` of the order's lines cost."""
        return lines_amount(self.state.current_lines, quantities)

    def drop_missing(self) -> None:
        """The order goes on with what the store found (once the rest is released and paid back)."""
        state = self.state
        state.lines = remaining_lines(state.current_lines, state.picked)
        state.picked = [line for line in state.picked if line.quantity > 0]
        state.short = []
