"""The admin API (ops): stores, products, shelf locations, special days, and API keys. Upserts answer
201 when they created the record, 200 otherwise; the same use cases as `oms import` (docs/integration.md)."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from api.access import authorize
from api.deps import ConnectionDep, EngineDep
from api.schemas.admin import (
    ApiKeyBody,
    ApiKeyCreated,
    ApiKeyPublic,
    LocationBody,
    LocationPublic,
    ProductBody,
    ProductPublic,
    SpecialDayBody,
    StoreBody,
    StoreRecordPublic,
)
from domain.access import Grant
from domain.master_data import LocationRecord, ProductRecord, SpecialDayRecord, StoreRecord
from services import api_keys, master_data
from services.api_keys import IssuedKey, KeyInfo
from services.master_data import Change

router = APIRouter(prefix="/v1/admin", tags=["admin"], dependencies=[Depends(authorize)])
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
StoreIdPath = Annotated[str, Path(pattern=ID_PATTERN)]
SkuPath = Annotated[str, Path(pattern=ID_PATTERN)]


def _status(response: Response, change: Change) -> None:
    response.status_code = 201 if change is Change.CREATED else 200


@router.get("/stores", response_model=list[StoreRecordPublic])
async def list_stores(conn: ConnectionDep) -> list[StoreRecord]:
    return await master_data.list_stores(conn)


@router.get("/stores/{store_id}", response_model=StoreRecordPublic)
async def get_store(store_id: str, conn: ConnectionDep) -> StoreRecord:
    return await master_data.get_store(conn, store_id)


@router.put("/stores/{store_id}", response_model=StoreRecordPublic)
async def put_store(
    store_id: StoreIdPath, body: StoreBody, engine: EngineDep, response: Response
) -> StoreRecord:
    """Create the store or change it: address, hours, special days, capacity, slots, contact, routing."""
    record = StoreRecord.model_validate({**body.model_dump(exclude_unset=True), "id": store_id})
    async with engine.begin() as conn:
        _status(response, await master_data.save_store(conn, record))
        return await master_data.get_store(conn, store_id)


@router.put("/stores/{store_id}/special-days/{day}", response_model=StoreRecordPublic)
async def put_special_day(
    store_id: StoreIdPath, day: date, body: SpecialDayBody, engine: EngineDep, response: Response
) -> StoreRecord:
    """One date's hours (none: closed all day), replacing the weekly ones on that date."""
    record = SpecialDayRecord(store_id=store_id, date=day, **body.model_dump())
    async with engine.begin() as conn:
        _status(response, await master_data.save_special_day(conn, record))
        return await master_data.get_store(conn, store_id)


@router.get("/stores/{store_id}/locations", response_model=list[LocationPublic])
async def list_locations(store_id: str, conn: ConnectionDep) -> list[LocationPublic]:
    return [LocationPublic.of(record) for record in await master_data.list_locations(conn, store_id)]


@router.put("/stores/{store_id}/locations/{sku}", response_model=LocationPublic)
async def put_location(
    store_id: StoreIdPath, sku: SkuPath, body: LocationBody, engine: EngineDep, response: Response
) -> LocationPublic:
    """Where the store keeps the SKU (aisle-bay-shelf): the pick list walks the store in this order."""
    record = LocationRecord(store_id=store_id, sku=sku, location=body.location)
    async with engine.begin() as conn:
        _status(response, await master_data.save_location(conn, record))
    return LocationPublic.of(record)


@router.get("/products", response_model=list[ProductPublic])
async def list_products(
    conn: ConnectionDep,
    after: Annotated[str | None, Query(description="the last SKU of the page before")] = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
) -> list[ProductRecord]:
    """The catalogue by SKU, a page at a time (`after` = the last SKU of the previous page)."""
    return await master_data.list_products(conn, after, limit)


@router.get("/products/{sku}", response_model=ProductPublic)
async def get_product(sku: str, conn: ConnectionDep) -> ProductRecord:
    return await master_data.get_product(conn, sku)


@router.put("/products/{sku}", response_model=ProductPublic)
async def put_product(
    sku: SkuPath, body: ProductBody, engine: EngineDep, response: Response
) -> ProductRecord:
    """Create the product or change it; `active: false` keeps it for orders placed, refuses new ones."""
    record = ProductRecord.model_validate({**body.model_dump(exclude_unset=True), "sku": sku})
    async with engine.begin() as conn:
        _status(response, await master_data.save_product(conn, record))
        return await master_data.get_product(conn, sku)


def _key(info: KeyInfo) -> ApiKeyPublic:
    return ApiKeyPublic.of({**info.grant.model_dump(), **vars(info), "prefix": info.prefix})


def _issued(request: Request, issued: IssuedKey) -> ApiKeyCreated:
    request.app.state.key_ring.forget()  # this process accepts the new key (and refuses an old one) at once
    return ApiKeyCreated.of({**_key(issued.info).model_dump(), "key": issued.key})


@router.get("/api-keys", response_model=list[ApiKeyPublic])
async def list_keys(conn: ConnectionDep) -> list[ApiKeyPublic]:
    """Every key ops created, revoked ones too; never a secret."""
    return [_key(info) for info in await api_keys.list_keys(conn)]


@router.post("/api-keys", response_model=ApiKeyCreated, status_code=201)
async def create_key(body: ApiKeyBody, engine: EngineDep, request: Request) -> ApiKeyCreated:
    """A new key; its secret is in this answer only."""
    grant = Grant(role=body.role, store_id=body.store_id, channel=body.channel, name=body.name)
    async with engine.begin() as conn:
        issued = await api_keys.create_key(conn, grant)
    return _issued(request, issued)


@router.post("/api-keys/{key_id}/revoke", response_model=ApiKeyPublic)
async def revoke_key(key_id: str, engine: EngineDep, request: Request) -> ApiKeyPublic:
    """Refused at once by this process, by every other within KEY_REFRESH (5 s)."""
    async with engine.begin() as conn:
        info = await api_keys.revoke_key(conn, key_id)
    request.app.state.key_ring.forget()
    return _key(info)


@router.post("/api-keys/{key_id}/rotate", response_model=ApiKeyCreated, status_code=201)
async def rotate_key(key_id: str, engine: EngineDep, request: Request) -> ApiKeyCreated:
    """A new key with the same role and binding; the old one is revoked."""
    async with engine.begin() as conn:
        issued = await api_keys.rotate_key(conn, key_id)
    return _issued(request, issued)
