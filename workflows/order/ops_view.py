"""The order as ops see it in the Temporal UI: search attributes for lists, current details for its page."""

from temporalio import workflow
from temporalio.common import SearchAttributeUpdate

with workflow.unsafe.imports_passed_through():
    from domain import ids
    from domain.order_state import OrderFacts
    from domain.routing import trace_lines
    from domain.status import IN_PREPARATION, OrderStatus

from workflows.order.patches import PATCH_STOCK_AT_RISK, patched, since_baseline


def publish(order: OrderFacts, *, routing: bool) -> None:
    """Keep the Temporal UI current (after every change of status, flags or routing). Orders since the
    baseline upsert only the attributes that changed, and nothing when none did."""
    updates = [
        ids.SA_ORDER_STATUS.value_set(order.status.value),
        ids.SA_STORE_ID.value_set(order.placement.store_id),
        ids.SA_CHANNEL.value_set(order.placement.channel),
        *_at_risk_attributes(order, routing=routing),
    ]
    if since_baseline():
        current = workflow.info().typed_search_attributes
        updates = [update for update in updates if current.get(update.key) != update.value]
    if updates:
        workflow.upsert_search_attributes(updates)
    workflow.set_current_details(current_details(order))


def _at_risk_attributes(order: OrderFacts, *, routing: bool) -> list[SearchAttributeUpdate]:
    # Orders started before the stock feed existed upsert three attributes; keep their histories valid.
    if not patched(PATCH_STOCK_AT_RISK):
        return []
    flags = [ids.SA_STOCK_AT_RISK.value_set(bool(order.stock_at_risk))]
    if routing:
        flags.append(ids.SA_SLA_AT_RISK.value_set(order.sla_at_risk))
    return flags


def current_details(order: OrderFacts) -> str:
    """The order's page in the Temporal UI (markdown): where it is, what is due, what is wrong."""
    lines = ", ".join(f"{line.quantity} × {line.sku}" for line in order.placement.lines)
    last = order.timeline[-1]
    details = [
        f"**Status:** {order.status.value}",
        *(
            [f"**Parked for support:** {last.reason}; cancel it to release its stock and payment"]
            if order.status is OrderStatus.PARKED
            else []
        ),
        f"**Store:** {order.store.name if order.store else order.placement.store_id}",
        f"**Lines:** {lines}",
    ]
    if order.ready_by:
        details.append(f"**Ready by:** {order.ready_by.isoformat()}")
    if order.staging_location:
        details.append(f"**Staging location:** {order.staging_location}")
    if order.pickup_deadline:
        details.append(f"**Collect by:** {order.pickup_deadline.isoformat()}")
    for risk in order.stock_at_risk:
        details.append(f"**Stock at risk:** {risk.sku} short by {risk.short_by} at {risk.store_id}")
    if order.sla and order.status in IN_PREPARATION:
        flag = " (**at risk**)" if order.sla_at_risk else ""
        details.append(f"**Accept by:** {order.sla.accept_by.isoformat()}{flag}")
    if order.choice:
        options = ", ".join(option.value for option in order.choice.options)
        details.append(
            f"**Customer choice:** {options}; default {order.choice.default.value} at "
            f"{order.choice.deadline.isoformat()}"
        )
    if order.routing:
        trace = "\n".join(f"- {line.strip()}" for line in trace_lines(order.routing[-1]))
        details.append(f"**Routing:**\n{trace}")
    details.append(
        f"**Last change:** {last.status.value} by {last.actor}" + (f" ({last.reason})" if last.reason else "")
    )
    return "\n\n".join(details)
