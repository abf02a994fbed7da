"""Temporal contracts of a return: the workflow's input, its activities' inputs, its state."""

from decimal import Decimal

from domain.contract import Contract
from domain.notifications import CustomerNotification
from domain.returns import ReturnRequest, ReturnStatus
from domain.values import Money


class ReturnCase(Contract):
    """A return the counter recorded (rules checked, number taken): what its workflow settles."""

    return_id: str
    number: int
    request: ReturnRequest
    refund: Money  # the return's share, decided when it was recorded (domain/returns.refund_for)
    currency: str
    receipt: CustomerNotification


class ReturnStock(Contract):
    """Units back on `store_id`'s shelf and units written off there, keyed by the return id."""

    return_id: str
    store_id: str
    resellable: dict[str, int]
    damaged: dict[str, int]
    reasons: dict[str, str]


class ReturnRefund(Contract):
    """Money back to the original payment, once per return."""

    return_id: str
    order_id: str
    amount: Money
    currency: str


class ReturnProgress(Contract):
    """A step of the return, for its row and the order's timeline."""

    return_id: str
    order_id: str
    number: int
    status: ReturnStatus
    actor: str
    reason: str


class ReturnState(Contract):
    return_id: str
    order_id: str
    status: ReturnStatus
    refunded: Decimal = Decimal("0")
    refund_refused: str | None = None  # why the refund was refused for good (support was alerted)
