"""Checkout holds: stock held while the customer checks out, freed by itself when the hold expires."""

from datetime import timedelta

from fastapi import APIRouter, Depends, status

from api.access import authorize
from api.deps import ConnectionDep, SettingsDep
from api.schemas import HoldBody, HoldPublic
from services import holds

router = APIRouter(prefix="/v1/holds", tags=["holds"], dependencies=[Depends(authorize)])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=HoldPublic)
async def create_hold(body: HoldBody, conn: ConnectionDep, settings: SettingsDep) -> HoldPublic:
    """Hold a basket at a store for a few minutes; place the order with `hold_id` to keep the units."""
    minutes = body.minutes or int(settings.checkout_hold / timedelta(minutes=1))
    return HoldPublic.of(await holds.create_hold(conn, body.store_id, body.lines, minutes))


@router.get("/{hold_id}", response_model=HoldPublic)
async def get_hold(hold_id: str, conn: ConnectionDep) -> HoldPublic:
    return HoldPublic.of(await holds.get_hold(conn, hold_id))


@router.delete("/{hold_id}", response_model=HoldPublic)
async def release_hold(hold_id: str, conn: ConnectionDep) -> HoldPublic:
    """The customer left checkout: the units go back on sale now rather than at expiry."""
    return HoldPublic.of(await holds.release_hold(conn, hold_id))
