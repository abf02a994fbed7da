"""Channel payloads that could not become orders: listed for ops, replayed once the cause is fixed."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Response

from adapters.channels import adapters
from adapters.db import dead_letters
from adapters.db.dead_letters import DeadLetter
from api.access import authorize
from api.deps import ClientDep, ConnectionDep, EngineDep, SettingsDep
from api.errors import not_found
from api.routes.channels import context_for
from api.schemas import AcceptedOrder
from domain.order_state import OrderView
from services.intake import CANONICAL, canonical, take_order

router = APIRouter(prefix="/v1/dead-letters", tags=["dead letters"], dependencies=[Depends(authorize)])


@router.get("", response_model=list[DeadLetter])
async def list_dead_letters(conn: ConnectionDep) -> list[DeadLetter]:
    """Open dead letters, oldest first, with the payload and every reason."""
    return await dead_letters.open_letters(conn)


@router.post("/{dead_letter_id}/replay", response_model=OrderView | AcceptedOrder)
async def replay(
    dead_letter_id: Annotated[int, Path(ge=1, le=2**63 - 1)],
    response: Response,
    client: ClientDep,
    engine: EngineDep,
    settings: SettingsDep,
) -> Any:
    """Take the payload again with current mappings, stores and catalogue; 422 with what still fails."""
    async with engine.connect() as conn:
        letter = await dead_letters.get(conn, dead_letter_id)
    if letter is None or letter.status != "open":
        raise not_found("dead_letter", str(dead_letter_id))
    if letter.channel == CANONICAL:
        parse = canonical
    else:
        context, adapter = await context_for(engine, settings), adapters()[letter.channel]
        parse = lambda payload: adapter.to_placement(payload, context)  # noqa: E731
    answer = await take_order(client, engine, settings, letter.channel, letter.payload, parse, dead_letter_id)
    response.status_code = answer.status_code
    return answer.order if answer.order else AcceptedOrder(order_id=answer.order_id)
