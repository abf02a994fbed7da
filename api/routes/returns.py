"""Returns in store: an order bought online brought back to any store, refunded once."""

from fastapi import APIRouter, Depends, status

from api.access import GrantDep, authorize
from api.deps import ClientDep, EngineDep, SettingsDep
from api.schemas.returns import ReturnBody, ReturnPublic
from services import returns
from services.returns import ReturnAtCounter, ReturnDesk

router = APIRouter(prefix="/v1/returns", tags=["returns"], dependencies=[Depends(authorize)])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ReturnPublic)
async def open_return(
    body: ReturnBody, grant: GrantDep, client: ClientDep, engine: EngineDep, settings: SettingsDep
) -> ReturnPublic:
    """Record a return at the counter and start its workflow; the same `request_key` answers the same
    return. Refused: outside the window (422 `order`), more than was bought (422 `lines[i].conditions`),
    an order never collected (409), a line already returned (409)."""
    desk = ReturnDesk(client, engine, settings.task_queue, settings.returns)
    counter = ReturnAtCounter(
        order=body.order, store_id=body.store_id, lines=body.lines, request_key=body.request_key
    )
    return ReturnPublic.of(await returns.open_return(desk, grant, body.actor(grant.identity), counter))


@router.get("/{return_id}", response_model=ReturnPublic)
async def get_return(return_id: str, engine: EngineDep) -> ReturnPublic:
    return ReturnPublic.of(await returns.get_return(engine, return_id))
