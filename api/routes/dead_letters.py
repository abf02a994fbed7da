"""Channel payloads that could not become orders: listed for ops, replayed once the cause is fixed."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from api.access import authorize
from api.deps import ClientDep, EngineDep, SettingsDep
from api.schemas import AcceptedOrder
from api.schemas.events import DeliveryRequeued
from api.schemas.intake import DeadLetterGroupPublic, DeadLetterPublic
from domain.order_state import OrderView
from services import dead_letters, order_events
from services.dead_letters import ReplayOutcome

router = APIRouter(prefix="/v1/dead-letters", tags=["dead letters"], dependencies=[Depends(authorize)])


@router.get("", response_model=list[DeadLetterPublic])
async def list_dead_letters(
    engine: EngineDep,
    request: Request,
    response: Response,
    limit: Annotated[int, Query(ge=1, le=500, description="letters per page")] = 50,
    before: Annotated[
        int | None, Query(ge=1, le=2**63 - 1, description="the last id of the page before")
    ] = None,
    status: Annotated[Literal["open", "replayed", "erased", "all"], Query()] = "open",
    channel: Annotated[str | None, Query(max_length=64)] = None,
    reason: Annotated[str | None, Query(max_length=200, description="text found in the reasons")] = None,
) -> list[DeadLetterPublic]:
    """Dead letters, newest first, with the payload and every reason; the next page is in the `Link`
    header (rel="next")."""
    letters = await dead_letters.page(
        engine,
        limit=limit,
        before=before,
        status=None if status == "all" else status,
        channel=channel,
        reason=reason,
    )
    if len(letters) == limit:
        query = {
            "limit": limit,
            "before": letters[-1].id,
            "status": status,
            "channel": channel,
            "reason": reason,
        }
        next_page = request.url.include_query_params(**{k: v for k, v in query.items() if v is not None})
        response.headers["Link"] = f'<{next_page}>; rel="next"'
    return [DeadLetterPublic.of(letter) for letter in letters]


@router.get("/groups", response_model=list[DeadLetterGroupPublic])
async def dead_letter_groups(engine: EngineDep) -> list[DeadLetterGroupPublic]:
    """Open dead letters grouped by channel and cause (field and reason), each with its count, first
    and last seen, the order value at stake by currency and its letters; the highest value first."""
    return [DeadLetterGroupPublic.of(group) for group in await dead_letters.ranked_groups(engine)]


@router.post("/groups/{group_id}/replay", response_model=list[ReplayOutcome])
async def replay_group(
    group_id: Annotated[str, Path(pattern=r"^[0-9a-f]{16}$")],
    client: ClientDep,
    engine: EngineDep,
    settings: SettingsDep,
) -> list[ReplayOutcome]:
    """Replay every open letter of a group once its cause is fixed: the outcome of each (placed,
    refused with today's reasons, failed)."""
    return await dead_letters.replay_group(client, engine, settings, group_id)


@router.post("/{dead_letter_id}/replay", response_model=OrderView | AcceptedOrder | DeliveryRequeued)
async def replay(
    dead_letter_id: Annotated[int, Path(ge=1, le=2**63 - 1)],
    response: Response,
    client: ClientDep,
    engine: EngineDep,
    settings: SettingsDep,
) -> Any:
    """Take the payload again with current mappings, stores and catalogue; 422 with what still fails.
    An order event a receiver never took is delivered again (202), the order's later events after it."""
    if await dead_letters.event_delivery_letter(engine, dead_letter_id):
        order_id = await order_events.replay_dead_delivery(engine, dead_letter_id)
        response.status_code = 202
        return DeliveryRequeued(dead_letter_id=dead_letter_id, order_id=order_id)
    answer = await dead_letters.replay(client, engine, settings, dead_letter_id)
    response.status_code = answer.status_code
    return answer.order if answer.order else AcceptedOrder(order_id=answer.order_id)
