"""Patch ids: each guards a change to the order workflow so that orders started before it replay."""

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
