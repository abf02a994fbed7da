"""The customer's choice, when no store within reach can take the order unasked: another store, home
delivery, collecting what is there, or a refund; the policy's default when they do not answer."""

from domain.commands import CustomerChoice
from domain.decisions import CandidateScore, ChoiceRequest, RoutingCandidate, RoutingDecision
from domain.delivery import choose_ship_from
from domain.errors import StepNotAllowed
from domain.order.core import SYSTEM, OrderCore
from domain.order.rules import check_answer
from domain.routing import offers
from domain.sla import choice_options, default_choice
from domain.status import OrderStatus
from domain.values import Address, Shipment

CHOICE_STORE_LIMIT = 5  # stores offered to the customer


class CustomerChoices(OrderCore):
    def stores_to_offer(self, decision: RoutingDecision) -> list[CandidateScore]:
        return offers(decision, CHOICE_STORE_LIMIT)

    def ask_customer(
        self, reason: str, stores: list[CandidateScore], shipping: list[RoutingCandidate]
    ) -> ChoiceRequest:
        """Offer what is possible (`stores` to move to; home delivery when one of the `shipping`
        locations has every line) until the choice window closes; the store's deadlines pause."""
        state = self.state
        can_ship = choose_ship_from(state.current_lines, shipping, state.store) is not None
        options = choice_options(
            other_stores=bool(stores), can_ship=can_ship, something_available=self.found_something_short
        )
        has_address = state.placement.delivery_address is not None
        state.choice = ChoiceRequest(
            reason=reason,
            options=options,
            stores=stores,
            deadline=self.now + self.policy.choice_window,
            default=default_choice(self.policy, options, has_address=has_address),
        )
        state.sla_at_risk = False
        self._transition(OrderStatus.AWAITING_CUSTOMER, self.escalated_by, reason)
        return state.choice

    @property
    def found_something_short(self) -> bool:
        """After a short pick, some units were found: the customer may collect them."""
        return any(line.quantity > 0 for line in self.state.picked) and bool(self.state.short)

    def ensure_answerable(self, answer: CustomerChoice) -> None:
        """An answer to the open choice (one only), with one of the options offered."""
        state = self.state
        if (
            self.status is not OrderStatus.AWAITING_CUSTOMER
            or state.choice is None
            or state.answer is not None
        ):
            raise StepNotAllowed(
                f"order is {self.status.value}; there is no choice to make", self.status.value
            )
        check_answer(answer, state.choice, has_address=state.placement.delivery_address is not None)

    def answer(self, answer: CustomerChoice) -> None:
        """The customer's answer, applied by the workflow."""
        self.state.answer = answer

    @property
    def answered(self) -> bool:
        """Answered, or no longer waiting for an answer."""
        return self.state.answer is not None or self.status is not OrderStatus.AWAITING_CUSTOMER

    def answer_by_default(self) -> None:
        """No answer by the deadline: the default applies (another store: the best one offered)."""
        choice = self.state.choice
        assert choice
        self.state.answer = CustomerChoice(
            option=choice.default,
            store_id=choice.stores[0].store_id if choice.stores else None,
            actor=SYSTEM,
        )

    def take_answer(self) -> CustomerChoice:
        answer, self.state.answer = self.state.answer, None
        assert answer
        return answer

    @staticmethod
    def who_chose(answer: CustomerChoice) -> str:
        """Who made the choice, as the timeline says it."""
        return f"no answer by the deadline: {answer.actor}" if answer.actor == SYSTEM else answer.actor

    @staticmethod
    def stores_chosen(answer: CustomerChoice, choice: ChoiceRequest) -> list[str]:
        """The chosen store first, then the others offered, in case its stock went meanwhile."""
        assert answer.store_id
        return [answer.store_id] + [s.store_id for s in choice.stores if s.store_id != answer.store_id]

    def chosen_stores_lack_stock(self) -> None:
        self._transition(OrderStatus.CANCELLED, SYSTEM, "the chosen stores no longer have the stock")

    def refund_chosen(self, answer: CustomerChoice, choice: ChoiceRequest) -> None:
        how = "no answer by the deadline: " if answer.actor == SYSTEM else ""
        self._transition(OrderStatus.CANCELLED, answer.actor, f"{how}refund chosen: {choice.reason}")

    def collect_available(self, reason: str) -> None:
        """The customer collects what the store found (the rest released and refunded): picked again."""
        self.state.choice = None
        self._start_sla()
        self._transition(OrderStatus.PICKED, SYSTEM, reason)

    # ---- home delivery ------------------------------------------------------------------------

    def delivery_address(self, answer: CustomerChoice) -> Address:
        address = answer.delivery_address or self.state.placement.delivery_address
        assert address, "the answer was checked for an address"
        return address

    def switch_to_delivery(self, answer: CustomerChoice, address: Address) -> None:
        """The store no longer holds it: shipped from a location that has the whole basket."""
        self.state.choice = None
        self._transition(
            OrderStatus.IN_DELIVERY, answer.actor, f"home delivery to {address.postcode} {address.city}"
        )

    def delivery_failed(self, failure: str | None) -> None:
        self._transition(OrderStatus.CANCELLED, SYSTEM, f"home delivery impossible: {failure}")

    def shipped(self, shipment: Shipment) -> None:
        self.state.shipment = shipment
        self._transition(
            OrderStatus.SHIPPED,
            SYSTEM,
            f"{shipment.carrier} {shipment.tracking_number} from {shipment.ship_from}",
        )
