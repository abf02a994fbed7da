"""The returns screen: find the order (typed or scanned: its number or id, the pickup code or the
customer's QR, the return code on the receipt), choose per unit what comes back and in what
condition, a reason per line from the list, and record the return; its workflow does the rest."""

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.datastructures import FormData

from api.deps import ClientDep, EngineDep, SettingsDep
from api.web.render import gettext, page, redirect
from api.web.session import Device, Form
from domain.access import Grant, Role
from domain.returns import ItemCondition, ReturnError, ReturnLine, ReturnReason
from services import returns
from services.errors import NotFound, ReturnNotAccepted
from services.returns import ReturnAtCounter, ReturnDesk

router = APIRouter()


def _refusal(request: Request, error: ReturnNotAccepted) -> str:
    words = gettext(request)
    texts = {
        ReturnError.WINDOW_CLOSED.value: words.gettext("Too late to return: the return window has closed."),
        ReturnError.MORE_THAN_BOUGHT.value: words.gettext("More units than the customer took home."),
        ReturnError.NEVER_COLLECTED.value: words.gettext(
            "This order was never collected: nothing to return."
        ),
        ReturnError.ALREADY_RETURNED.value: words.gettext("This line was already returned."),
        returns.SEVERAL_ORDERS: words.gettext(
            "Several orders have this code. Scan the return code on the receipt or type the order number."
        ),
    }
    return texts[error.error]


async def _screen(
    request: Request, engine: AsyncEngine, reference: str, status: int = 200, **state: Any
) -> Response:
    errors: dict[str, str] = state.pop("errors", {})
    order, lines = None, list[returns.ReturnableLine]()
    if reference:
        try:
            order, lines = await returns.look_up(engine, reference)
        except NotFound:
            errors["order"] = gettext(request).gettext(
                "No order has this number or code. Check the receipt or the customer's pickup code."
            )
            status = 422
        except ReturnNotAccepted as refused:
            errors["order"], status = _refusal(request, refused), 409
    return page(
        request,
        "returns.html",
        status,
        reference=reference,
        order=order,
        lines=lines,
        errors=errors,
        active="returns",
        reasons=list(ReturnReason),
        request_key=state.pop("request_key", None) or uuid.uuid4().hex,
        **state,
    )


@router.get("/returns")
async def returns_screen(
    request: Request, device: Device, engine: EngineDep, order: str = "", done: str = ""
) -> Response:
    recorded = await returns.get_return(engine, done) if done else None
    return await _screen(request, engine, order.strip()[:160], recorded=recorded)


def _lines(form: FormData) -> tuple[list[ReturnLine], list[str]]:
    """One line per SKU with at least one unit coming back, in the condition chosen for each unit; and
    the SKUs with units coming back but no reason chosen."""
    lines, unexplained = [], []
    for sku in dict.fromkeys(str(v) for v in form.getlist("sku")):
        units = [str(v) for v in form.getlist(f"unit-{sku}") if str(v) in {c.value for c in ItemCondition}]
        reason = str(form.get(f"reason-{sku}", ""))
        if units and reason not in {r.value for r in ReturnReason}:
            unexplained.append(sku)
        elif units:
            conditions = [ItemCondition(unit) for unit in units]
            lines.append(ReturnLine(sku=sku, reason=ReturnReason(reason), conditions=conditions))
    return lines, unexplained


@router.post("/returns")
async def record_return(
    request: Request, device: Device, form: Form, engine: EngineDep, client: ClientDep, settings: SettingsDep
) -> Response:
    assert device.store_id is not None
    reference, key = str(form.get("order", "")), str(form.get("request_key", ""))
    lines, unexplained = _lines(form)
    words = gettext(request)
    if unexplained or not lines:
        error = (
            words.gettext("Choose why %(sku)s comes back.") % {"sku": unexplained[0]}
            if unexplained
            else words.gettext("Choose at least one unit coming back, and its condition.")
        )
        return await _screen(request, engine, reference, 422, errors={"lines": error}, request_key=key)
    desk = ReturnDesk(client, engine, settings.task_queue, settings.returns)
    counter = ReturnAtCounter(order=reference, store_id=device.store_id, lines=lines, request_key=key[:120])
    store = Grant(role=Role.STORE, store_id=device.store_id)
    try:
        row = await returns.open_return(desk, store, device.actor, counter)
    except ReturnNotAccepted as refused:
        field = "order" if refused.field == "order" else "lines"
        errors = {field: _refusal(request, refused)}
        return await _screen(request, engine, reference, 409, errors=errors, request_key=key)
    return redirect(request, f"/store/returns?done={row['id']}")
