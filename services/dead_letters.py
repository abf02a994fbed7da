"""Channel payloads that could not become orders: listed for ops, replayed once the cause is fixed (a
mapping, a missing store, an unknown SKU). The API's dead-letter and channel routes can call these."""

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.client import Client

from adapters.channels import ChannelAdapter, ChannelContext, adapters
from adapters.db import channel_products, dead_letters, orders
from adapters.db.dead_letters import DeadLetter
from config.settings import Settings
from domain.channel_rules import rules_for
from domain.dead_letter_causes import DeadLetterGroup, LetterFacts, groups
from domain.values import OrderPlacement
from services.errors import DeadLettered, NotFound, ServiceError
from services.intake import CANONICAL, IntakeAnswer, canonical, take_order
from services.order_events import is_event_letter, replay_dead_delivery


async def page(
    engine: AsyncEngine,
    *,
    limit: int,
    before: int | None = None,
    status: str | None = "open",
    channel: str | None = None,
    reason: str | None = None,
) -> list[DeadLetter]:
    """Dead letters newest first, a page at a time (`before`: the last id of the page before), filtered by
    status (None: all), channel and a text in the reasons."""
    async with engine.connect() as conn:
        return await dead_letters.page(
            conn, limit=limit, before=before, status=status, channel=channel, reason=reason
        )


async def event_delivery_letter(engine: AsyncEngine, dead_letter_id: int) -> bool:
    """Whether the letter is an order event given up (replayed by delivering it again), not a payload."""
    async with engine.connect() as conn:
        letter = await dead_letters.get(conn, dead_letter_id)
    return letter is not None and is_event_letter(letter.channel)


async def channel_context(
    engine: AsyncEngine, settings: Settings, adapter: ChannelAdapter, payload: Any
) -> ChannelContext:
    """What a channel adapter may consult to map a payload: the stores, the channel's settings, the
    rules of the payload's account, and the SKUs of the products the payload names."""
    account = adapter.account(payload)
    async with engine.connect() as conn:
        stores = await orders.list_stores(conn)
        products = await channel_products.resolve(conn, adapter.name, account, adapter.product_refs(payload))
    return ChannelContext(
        stores=stores,
        secret=settings.shopify_webhook_secret,
        locations=settings.shopify_locations,
        rules=rules_for(settings.channel_rules, adapter.name, account),
        products=products,
    )


async def replay(
    client: Client, engine: AsyncEngine, settings: Settings, dead_letter_id: int
) -> IntakeAnswer:
    """Take an open letter's payload again with today's mappings, stores and catalogue; what still fails
    is kept on the letter."""
    async with engine.connect() as conn:
        letter = await dead_letters.get(conn, dead_letter_id)
    if letter is None or letter.status != "open":
        raise NotFound("dead_letter", str(dead_letter_id))
    parse: Callable[[Any], OrderPlacement] = canonical
    rules = None  # our own JSON: the rules of the order's `channel`
    if letter.channel != CANONICAL:
        adapter = adapters()[letter.channel]
        context = await channel_context(engine, settings, adapter, letter.payload)
        parse, rules = (lambda payload: adapter.to_placement(payload, context)), context.rules
    return await take_order(
        client, engine, settings, letter.channel, letter.payload, parse, dead_letter_id, rules
    )


class ReplayOutcome(BaseModel):
    """What replaying one letter of a group did: placed (an order), refused again (with today's
    reasons), or failed otherwise (out of stock, Temporal unavailable...)."""

    dead_letter_id: int
    outcome: Literal["placed", "refused", "failed", "requeued"]
    status_code: int | None = None
    order_id: str | None = None
    reasons: list[dict[str, Any]] = []
    error: str | None = None


def value_of(channel: str, payload: Any) -> tuple[Decimal, str] | None:
    """The order value a letter holds, as its channel states it (our JSON: the sum of its lines)."""
    if channel != CANONICAL:
        adapter = adapters().get(channel)
        return adapter.value_of(payload) if adapter else None
    if not isinstance(payload, dict) or not isinstance(payload.get("currency"), str):
        return None
    try:
        lines = [line for line in payload.get("lines") or [] if isinstance(line, dict)]
        total = sum((Decimal(str(line["unit_price"])) * int(line["quantity"]) for line in lines), Decimal(0))
    except (KeyError, TypeError, ValueError, InvalidOperation):
        return None
    return total, payload["currency"]


async def ranked_groups(engine: AsyncEngine) -> list[DeadLetterGroup]:
    """Open letters grouped by channel and cause, the highest order value at stake first."""
    async with engine.connect() as conn:
        letters = await dead_letters.open_letters(conn)
    facts = []
    for letter in letters:
        value, currency = value_of(letter.channel, letter.payload) or (None, None)
        facts.append(
            LetterFacts(letter.id, letter.channel, letter.reasons, letter.received_at, value, currency)
        )
    return groups(facts)


async def replay_group(
    client: Client, engine: AsyncEngine, settings: Settings, group_id: str
) -> list[ReplayOutcome]:
    """Replay every open letter of a group (after a fix), one by one, oldest first; the outcome of each."""
    group = next((group for group in await ranked_groups(engine) if group.id == group_id), None)
    if group is None:
        raise NotFound("dead_letter_group", group_id)
    outcomes = []
    for letter_id in group.letters:
        if is_event_letter(group.channel):  # an order event a receiver never took: delivered again
            order_id = await replay_dead_delivery(engine, letter_id)
            outcomes.append(ReplayOutcome(dead_letter_id=letter_id, outcome="requeued", order_id=order_id))
            continue
        try:
            answer = await replay(client, engine, settings, letter_id)
        except DeadLettered as refused:
            outcomes.append(
                ReplayOutcome(dead_letter_id=letter_id, outcome="refused", reasons=refused.reasons)
            )
        except ServiceError as failed:
            outcomes.append(ReplayOutcome(dead_letter_id=letter_id, outcome="failed", error=str(failed)))
        else:
            outcomes.append(
                ReplayOutcome(
                    dead_letter_id=letter_id,
                    outcome="placed",
                    status_code=answer.status_code,
                    order_id=answer.order_id,
                )
            )
    return outcomes
