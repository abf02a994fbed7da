"""The stock screen: a SKU (or its barcode) here and in nearby stores, a shelf count, and whether the
store takes new orders (open, closed, frozen)."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncEngine

from api.deps import EngineDep, SignalsDep
from api.web.render import gettext, page, redirect
from api.web.session import Device, DeviceSession, Form
from domain.values import RoutingState
from services import console, stock, stores
from services.errors import NotFound

router = APIRouter()


async def _screen(
    request: Request, engine: AsyncEngine, device: DeviceSession, code: str, status: int = 200, **state: Any
) -> Response:
    assert device.store_id is not None
    errors: dict[str, str] = state.pop("errors", {})
    lookup = None
    async with engine.connect() as conn:
        store = await stores.get_store(conn, device.store_id)
        if code:
            try:
                lookup = await console.look_up_stock(conn, device.store_id, code)
            except NotFound:
                errors["code"] = gettext(request).gettext(
                    "No product has this code. Check the label and try again."
                )
                status = 422
    return page(
        request,
        "stock.html",
        status,
        store=store,
        code=code,
        lookup=lookup,
        errors=errors,
        active="stock",
        states=list(RoutingState),
        **state,
    )


@router.get("/stock")
async def stock_screen(
    request: Request, device: Device, engine: EngineDep, code: str = "", done: str = ""
) -> Response:
    return await _screen(request, engine, device, code.strip()[:64], notice=done or None)


@router.post("/stock/count")
async def count(
    request: Request, device: Device, form: Form, engine: EngineDep, signals: SignalsDep
) -> Response:
    """What is on the shelf now: on hand becomes this number (orders it leaves uncovered are told)."""
    assert device.store_id is not None
    sku, typed = str(form.get("sku", "")), str(form.get("on_hand", "")).strip()
    if not typed.isdigit() or int(typed) > 99_999:
        error = gettext(request).gettext("Type the number of units you counted on the shelf.")
        return await _screen(request, engine, device, sku, 422, errors={"on_hand": error})
    await stock.set_stock(engine, signals, device.store_id, sku, on_hand=int(typed))
    return redirect(request, f"/store/stock?code={sku}&done=counted")


@router.post("/stock/routing")
async def routing(request: Request, device: Device, form: Form, engine: EngineDep) -> Response:
    assert device.store_id is not None
    state = str(form.get("routing", ""))
    if state in {s.value for s in RoutingState}:
        await stores.set_routing(engine, device.store_id, {"routing": state})
    return redirect(request, "/store/stock?done=routing")
