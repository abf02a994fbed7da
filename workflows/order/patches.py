"""Patch ids: each guards a change to the order workflow so that orders started before it replay.

Orders started since the baseline patch take every order patch below without a marker of their own: one
marker at their start (the baseline's), not one per patch (each also upserts TemporalChangeVersion: 14
events of every order's history). Ask the order's patches through `patched`, never `workflow.patched`.
A change after the baseline is a patch of its own again, asked with `workflow.patched` (`patched`
refuses it: orders started between the baseline and that change would take it on replay)."""

from temporalio import workflow

PATCH_STOCK_AT_RISK = "stock-at-risk-search-attribute"  # the StockAtRisk (and SlaAtRisk) search attributes
PATCH_CADENCE = "reminder-cadence-quiet-hours"  # the reminder cadence and quiet hours
PATCH_ROUTING = "routing-sla-exceptions"  # routing, preparation SLAs and every exception path
PATCH_CHECK_IN = "customer-check-in"  # the CheckedIn search attribute and the curbside clock
PATCH_ONE_TRANSACTION = "one-transaction-per-step"  # each step's database work in one local activity
PATCH_PARKING = "park-failed-steps"  # a step failing for good parks the order (asked where one fails)
PATCH_SLOTS = "pickup-slots"  # slot facts in the order: ready-by aims at the slot, the hold counts from it
PATCH_CHANNEL_SYNC = "shopify-fulfillment-sync"  # ready, collected, cancelled, expired told to Shopify
PATCH_CALENDAR = "store-calendar"  # special days in every deadline; the hold ends at the store's closing time
PATCH_SLOT_TIMERS = "slot-change-moves-timers"  # a changed slot moves the promise, reminders and hold timers
PATCH_REFUND_REFUSED = "return-refund-refused"  # (the return workflow) a refused refund alerts support
PATCH_LOCAL_MESSAGES = "messages-in-the-workflow-task"  # messages sent by local activities (not intake's)
PATCH_MESSAGES_WITH_STEPS = "messages-with-their-step"  # a step's message sent by its own local activity
PATCH_BASELINE = "order-baseline-2026-11"  # every order patch above, for orders started since: one marker


SETTLED_BY_BASELINE = frozenset(
    {
        PATCH_STOCK_AT_RISK,
        PATCH_CADENCE,
        PATCH_ROUTING,
        PATCH_CHECK_IN,
        PATCH_ONE_TRANSACTION,
        PATCH_PARKING,
        PATCH_SLOTS,
        PATCH_CHANNEL_SYNC,
        PATCH_CALENDAR,
        PATCH_SLOT_TIMERS,
        PATCH_LOCAL_MESSAGES,
        PATCH_MESSAGES_WITH_STEPS,
    }
)


def patched(patch_id: str) -> bool:
    """Whether this order runs the code `patch_id` guards: always, for orders started since the baseline
    (whose marker the first call writes: `OrderWorkflow.run` asks in the order's first workflow task, so
    an order started before it replays with the baseline absent); else as `workflow.patched` answers.
    Only for the patches the baseline settles: a later one would be taken by orders started before it."""
    if patch_id not in SETTLED_BY_BASELINE:
        raise ValueError(f"{patch_id} came after the baseline: ask workflow.patched for it")
    return workflow.patched(PATCH_BASELINE) or workflow.patched(patch_id)


def since_baseline() -> bool:
    """Whether this order started since the baseline (what it changes beyond the patches it settles)."""
    return workflow.patched(PATCH_BASELINE)
