"""Availability: what each store can promise for a basket, and the nearest stores that hold all of it."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from api.access import authorize
from api.deps import ConnectionDep, SettingsDep
from api.errors import invalid_field
from api.schemas import AvailabilityPublic
from domain.values import OrderLine
from services.availability import stores_for_basket

router = APIRouter(prefix="/v1/availability", tags=["availability"], dependencies=[Depends(authorize)])


def _basket(items: list[str]) -> list[OrderLine]:
    """`sku` or `sku:quantity`, repeated."""
    basket: dict[str, int] = {}
    for index, item in enumerate(items):
        sku, _, quantity = item.partition(":")
        if quantity and not quantity.isdigit():
            raise invalid_field(["query", "sku", index], f"{item!r}: quantity must be a whole number")
        try:
            line = OrderLine(sku=sku, quantity=int(quantity or 1), unit_price=0)
        except ValueError as error:
            raise invalid_field(["query", "sku", index], f"{item!r}: {error}") from None
        basket[line.sku] = basket.get(line.sku, 0) + line.quantity
    return [OrderLine(sku=sku, quantity=quantity, unit_price=0) for sku, quantity in basket.items()]


@router.get("", response_model=AvailabilityPublic)
async def get_availability(
    conn: ConnectionDep,
    settings: SettingsDep,
    sku: Annotated[
        list[str], Query(min_length=1, max_length=50, description="SKU or SKU:quantity, repeated")
    ],
    lat: Annotated[float | None, Query(ge=-90, le=90)] = None,
    lon: Annotated[float | None, Query(ge=-180, le=180)] = None,
    near_store: str | None = None,
    radius_km: Annotated[float, Query(gt=0, le=2000)] = 50,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
) -> AvailabilityPublic:
    """Per store: available to promise for each SKU, whether the whole basket can be served, what is
    missing, the distance and a ready-by estimate. With a point (lat/lon or near_store) only stores
    within the radius, whole-basket stores first, nearest first."""
    basket = _basket(sku)
    if (lat is None) != (lon is None):
        raise invalid_field(["query", "lat" if lat is None else "lon"], "lat and lon go together")
    ranked = await stores_for_basket(
        conn,
        basket,
        origin=(lat, lon) if lat is not None and lon is not None else None,
        near_store=near_store,
        radius_km=radius_km,
        promise=settings.policy.preparation_promise,
        limit=limit,
    )
    return AvailabilityPublic(basket=basket, stores=ranked)
