"""A return brought back to a store: received → inspected → refunded → closed, its own durable workflow,
linked to its order (the order's timeline gets each step)."""

from decimal import Decimal

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain import ids
    from domain.returns import ReturnStatus, reasons_of, stock_moves
    from workflows.activities import NotificationSteps, OrderRecordSteps, ReturnSteps
    from workflows.contracts import SupportAlert
    from workflows.return_contracts import ReturnCase, ReturnProgress, ReturnRefund, ReturnState, ReturnStock

from workflows import calls
from workflows.order.patches import PATCH_REFUND_REFUSED


@workflow.defn(name=ids.WORKFLOW_RETURN)
class ReturnWorkflow:
    def __init__(self) -> None:
        self._state: ReturnState | None = None

    @workflow.run
    async def run(self, case: ReturnCase) -> ReturnState:
        request = case.request
        self._state = ReturnState(
            return_id=case.return_id, order_id=request.order_id, status=ReturnStatus.RECEIVED
        )
        workflow.set_current_details(_details(case, self._state))
        await self._record(
            case, ReturnStatus.RECEIVED, f"return {case.number} received at {request.store_id}"
        )
        await self._inspect(case)
        if not await self._refund(case):
            return self._state  # the refund was refused: support settles it, the return stays inspected
        await calls.message(NotificationSteps.notify_customer, case.receipt)
        await self._record(case, ReturnStatus.CLOSED, f"return {case.number} closed")
        return self._state

    @workflow.query(name=ids.QUERY_RETURN_STATE)
    def state(self) -> ReturnState | None:
        return self._state

    async def _inspect(self, case: ReturnCase) -> None:
        """Resellable units back on the shelf of the store they were brought to, damaged ones written off."""
        resellable, damaged = stock_moves(case.request)
        stock = ReturnStock(
            return_id=case.return_id,
            store_id=case.request.store_id,
            resellable=resellable,
            damaged=damaged,
            reasons=reasons_of(case.request),
        )
        await calls.database(ReturnSteps.restock, stock)
        shelf, off = sum(resellable.values()), sum(damaged.values())
        await self._record(case, ReturnStatus.INSPECTED, f"{shelf} back in stock, {off} written off")

    async def _refund(self, case: ReturnCase) -> bool:
        """Money back through the payments ledger; False when it was refused for good (support alerted)."""
        refund = ReturnRefund(
            return_id=case.return_id,
            order_id=case.request.order_id,
            amount=case.refund,
            currency=case.currency,
        )
        try:
            refunded = await calls.database(ReturnSteps.refund, refund) if case.refund > 0 else Decimal("0")
        except calls.FAILED_FOR_GOOD as failure:
            if not workflow.patched(PATCH_REFUND_REFUSED):  # returns that failed before the alert existed
                raise
            await self._refund_refused(case, calls.cause_of(failure))
            return False
        assert self._state is not None
        self._state.refunded = refunded
        await self._record(case, ReturnStatus.REFUNDED, f"{refunded} {case.currency} refunded")
        return True

    async def _refund_refused(self, case: ReturnCase, cause: str) -> None:
        """The ledger (its bound: never more than captured minus refunded) or the provider said no: support
        gets an alert naming the return, the amount and why; the customer gets no receipt of a refund."""
        assert self._state is not None
        self._state.refund_refused = cause
        workflow.logger.error("%s: refund refused: %s", case.return_id, cause)
        workflow.set_current_details(_details(case, self._state))
        amount = f"{case.refund} {case.currency}"
        detail = f"return {case.number} ({case.return_id}): refund of {amount} refused: {cause}"
        alert = SupportAlert(
            order_id=case.request.order_id,
            kind="refund_refused",
            detail=detail,
            key=f"{case.return_id}:refund_refused",
        )
        await calls.database(OrderRecordSteps.raise_support_alert, alert)

    async def _record(self, case: ReturnCase, status: ReturnStatus, reason: str) -> None:
        assert self._state is not None
        self._state.status = status
        workflow.set_current_details(_details(case, self._state))
        progress = ReturnProgress(
            return_id=case.return_id,
            order_id=case.request.order_id,
            number=case.number,
            status=status,
            actor=case.request.actor,
            reason=reason,
        )
        await calls.database(ReturnSteps.record, progress)


def _details(case: ReturnCase, state: ReturnState) -> str:
    """What the Temporal UI shows of the return (markdown)."""
    lines = "\n".join(f"- {line.quantity} × {line.sku} ({line.reason.value})" for line in case.request.lines)
    return (
        f"**Return {case.number}** of order `{case.request.order_id}` at {case.request.store_id}: "
        f"{state.status.value}\n\n{lines}\n\nRefund: {case.refund} {case.currency}"
        + (f" **refused, support alerted**: {state.refund_refused}" if state.refund_refused else "")
    )
