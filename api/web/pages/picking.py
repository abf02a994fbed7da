"""Picking on the order screen: each scanned unit checked against the pick list (a wrong item refused),
quantities typed, the pick confirmed once complete, or a short pick reported with its reasons."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import DeskDep, EngineDep
from api.web.pages.order import refused, show
from api.web.pages.steps import counts, own_order
from api.web.render import gettext, redirect
from api.web.session import Device, Form
from domain.commands import PickReport, ShortPick
from domain.store_work import ScanOutcome, fully_picked, scan, with_counts
from domain.values import PickedLine, ShortLine, ShortReason
from services import console, orders
from services.errors import ServiceError

router = APIRouter()


@router.post("/orders/{order_id}/pick")
async def pick(
    request: Request, order_id: str, device: Device, form: Form, desk: DeskDep, engine: EngineDep
) -> Response:
    """`do=scan` counts one scanned unit and shows the list again; `do=pick` confirms a complete pick."""
    words = gettext(request)
    order = await own_order(desk, device, order_id)
    async with engine.connect() as conn:
        lines = with_counts(await console.order_pick_list(conn, order), counts(form, "qty-"))
        if form.get("do") == "scan":
            scanned = scan(lines, str(form.get("code", "")))
            match scanned.outcome:
                case ScanOutcome.COUNTED:
                    assert scanned.line is not None
                    notice = words.gettext("%(name)s: %(done)d of %(wanted)d") % {
                        "name": scanned.line.product.name,
                        "done": scanned.line.counted,
                        "wanted": scanned.line.ordered,
                    }
                    return await show(request, conn, order, lines=scanned.lines, scan_notice=notice)
                case ScanOutcome.NOTHING:
                    return await show(request, conn, order, lines=lines)
                case ScanOutcome.ALREADY_COMPLETE:
                    error = words.gettext("All units of this item are already picked. Put this one back.")
                case _:
                    error = words.gettext("Wrong item: this barcode is not on this order. Put it back.")
            return await show(request, conn, order, 422, lines=lines, errors={"code": error})
        if not fully_picked(lines):
            left = sum(line.ordered - line.counted for line in lines)
            error = words.ngettext(
                "%(num)d unit still to pick: scan it, or report a short pick below.",
                "%(num)d units still to pick: scan them, or report a short pick below.",
                left,
            ) % {"num": left}
            return await show(request, conn, order, 422, lines=lines, errors={"code": error}, short_open=True)
    report = PickReport(
        lines=[PickedLine(sku=line.product.sku, quantity=line.ordered) for line in lines], actor=device.actor
    )
    try:
        await orders.pick(desk, device.grant, order.store_id, order_id, report)
    except ServiceError as error:
        return await refused(request, desk, engine, order_id, error)
    return redirect(request, f"/store/orders/{order_id}?done=picked")


@router.post("/orders/{order_id}/short-pick")
async def short_pick(
    request: Request, order_id: str, device: Device, form: Form, desk: DeskDep, engine: EngineDep
) -> Response:
    """Units that could not be picked, each with its reason: the order moves on as the policy says."""
    order = await own_order(desk, device, order_id)
    async with engine.connect() as conn:
        lines = await console.order_pick_list(conn, order)
    missing = counts(form, "missing-")
    short: list[ShortLine] = []
    for line in lines:
        units = min(missing.get(line.product.sku, 0), line.ordered)
        reason = str(form.get(f"reason-{line.product.sku}", ""))
        if units > 0 and reason in {r.value for r in ShortReason}:
            short.append(ShortLine(sku=line.product.sku, missing=units, reason=ShortReason(reason)))
    if not short:
        error = gettext(request).gettext("Say how many units are missing on at least one line, and why.")
        async with engine.connect() as conn:
            return await show(
                request, conn, order, 422, errors={"short": error}, short_open=True, missing=missing
            )
    try:
        after = await orders.report_short_pick(
            desk, device.grant, order.store_id, order_id, ShortPick(lines=short, actor=device.actor)
        )
    except ServiceError as error:
        return await refused(request, desk, engine, order_id, error, short_open=True, missing=missing)
    if after.store_id != device.store_id:  # moved to a store that has it all: no longer this device's
        return redirect(request, f"/store/?moved={order.placement.channel_order_id}")
    return redirect(request, f"/store/orders/{order_id}?done=short")
