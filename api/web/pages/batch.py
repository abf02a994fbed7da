"""Batch picking: several accepted orders picked in one walk through the store, one tote per order. Each
scanned unit is told which tote it goes in; once every unit is in, each order is reported picked."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from api.deps import ConnectionDep, DeskDep, EngineDep
from api.web.pages.steps import counts, in_words, own_order
from api.web.render import gettext, page, redirect
from api.web.session import Device, Form
from domain.commands import PickReport
from domain.order_state import OrderView
from domain.status import OrderStatus
from domain.store_work import BATCH_MAX, ScanOutcome, ToteLine, batch_scan, batch_with_counts
from domain.values import PickedLine
from services import console, orders
from services.errors import ServiceError

router = APIRouter()


async def _chosen(desk: orders.OrderDesk, device: Device, order_ids: list[str]) -> list[OrderView]:
    """The chosen orders of this device's store still to pick, in the order chosen (their tote numbers)."""
    chosen = [await own_order(desk, device, order_id) for order_id in dict.fromkeys(order_ids)]
    return [order for order in chosen if order.status is OrderStatus.ACCEPTED][:BATCH_MAX]


@router.get("/batch")
async def batch(
    request: Request,
    device: Device,
    desk: DeskDep,
    conn: ConnectionDep,
    order: Annotated[list[str] | None, Query()] = None,
) -> Response:
    """Without `order`: the accepted orders to choose from. With them: the walk, one tote per order."""
    assert device.store_id is not None
    chosen = await _chosen(desk, device, order or [])
    if not chosen:
        accepted = await console.accepted_orders(conn, device.store_id)
        return page(
            request,
            "batch.html",
            accepted=accepted,
            chosen=[],
            rows=[],
            limit=BATCH_MAX,
            active="batch",
            errors={},
        )
    rows = await console.batch_walk(conn, device.store_id, chosen)
    return page(request, "batch.html", chosen=chosen, rows=rows, active="batch", errors={})


@router.post("/batch")
async def batch_step(
    request: Request, device: Device, form: Form, desk: DeskDep, engine: EngineDep
) -> Response:
    """`do=scan` puts one scanned unit in its tote; `do=pick` reports every order of the batch picked."""
    assert device.store_id is not None
    words = gettext(request)
    chosen = await _chosen(desk, device, [str(v) for v in form.getlist("order")])
    if not chosen:
        return redirect(request, "/store/batch")
    async with engine.connect() as conn:
        rows = batch_with_counts(
            await console.batch_walk(conn, device.store_id, chosen), counts(form, "qty-")
        )
    show = lambda status=200, **state: page(  # noqa: E731
        request, "batch.html", status, chosen=chosen, active="batch", **{"errors": {}, "rows": rows, **state}
    )
    if form.get("do") == "scan":
        scanned = batch_scan(rows, str(form.get("code", "")))
        match scanned.outcome:
            case ScanOutcome.COUNTED:
                assert scanned.row is not None
                notice = words.gettext("Tote %(tote)d: %(name)s (%(done)d of %(wanted)d)") % {
                    "tote": scanned.row.tote,
                    "name": scanned.row.line.product.name,
                    "done": scanned.row.line.counted,
                    "wanted": scanned.row.line.ordered,
                }
                return show(rows=scanned.rows, scan_notice=notice, tote=scanned.row.tote)
            case ScanOutcome.NOTHING:
                return show()
            case ScanOutcome.ALREADY_COMPLETE:
                error = words.gettext("Every order of the batch has all its units of this item. Put it back.")
            case _:
                error = words.gettext("Wrong item: no order of this batch has this barcode. Put it back.")
        return show(422, errors={"code": error})
    left = sum(row.line.ordered - row.line.counted for row in rows)
    if left:
        error = words.ngettext(
            "%(num)d unit still to pick. Missing or damaged? Open that order and report a short pick.",
            "%(num)d units still to pick. Missing or damaged? Open that order and report a short pick.",
            left,
        ) % {"num": left}
        return show(422, errors={"code": error})
    problems = await _report_picked(request, desk, device, chosen, rows)
    if problems:
        return show(422, problem=" ".join(problems), rows=[])
    return redirect(request, f"/store/?picked={len(chosen)}")


async def _report_picked(
    request: Request, desk: orders.OrderDesk, device: Device, chosen: list[OrderView], rows: list[ToteLine]
) -> list[str]:
    """Each order of the batch picked in full; what went wrong, per order, in the associate's words."""
    problems = []
    for order in chosen:
        lines = [
            PickedLine(sku=row.line.product.sku, quantity=row.line.ordered)
            for row in rows
            if row.order_id == order.order_id
        ]
        report = PickReport(lines=lines, actor=device.actor)
        try:
            await orders.pick(desk, device.grant, order.store_id, order.order_id, report)
        except ServiceError as error:
            problems.append(f"#{order.placement.channel_order_id}: {in_words(request, error).message}")
    return problems
