"""Handover on the order screen: the customer's pickup code, what they take (all or part), and the proof
the retailer asks for (the code alone, an ID whose type is noted, or a signature drawn on the tablet). A
bag label scanned into the code field opens the order it belongs to."""

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from api.deps import DeskDep, EngineDep
from api.web.pages.order import refused, show
from api.web.pages.steps import counts, own_order
from api.web.render import gettext, redirect
from api.web.session import Device, Form
from domain.commands import SIGNATURE_MAX, Collection, HandoverProof, IdType, ProofKind
from domain.store_work import PickLine
from domain.values import PickedLine
from services import console, orders
from services.errors import NotFound, ServiceError

router = APIRouter()


@router.post("/orders/{order_id}/collect")
async def collect(
    request: Request, order_id: str, device: Device, form: Form, desk: DeskDep, engine: EngineDep
) -> Response:
    """Handover against the customer's code; fewer units taken than wait for them is a partial collection."""
    words = gettext(request)
    order = await own_order(desk, device, order_id)
    code = str(form.get("pickup_code", "")).strip()
    async with engine.connect() as conn:
        waiting = await console.waiting_lines(conn, order)
    taken = counts(form, "take-")
    if code and not code.isdigit():  # a bag label: the order's own, or another one to open
        if code == order.order_id:
            notice = words.gettext("Right bag: this label is this order's.")
            async with engine.connect() as conn:
                return await show(request, conn, order, scan_notice=notice, taken=taken)
        try:
            other = await own_order(desk, device, code[:120])
        except NotFound:
            other = None
        if other is not None:
            return redirect(request, f"/store/orders/{other.order_id}?done=label")
    errors: dict[str, str] = {}
    if len(code) != 6 or not code.isdigit():
        errors["pickup_code"] = words.gettext(
            "The pickup code has 6 digits: type it as the customer shows it."
        )
    kind = request.app.state.console_settings.proof_for(order.store_id)
    proof, lacking = _proof(kind, form)
    if lacking == "id_type":
        errors[lacking] = words.gettext("Check the customer's ID and say which document it is.")
    elif lacking == "signature":
        errors[lacking] = words.gettext("Ask the customer to sign in the box, then hand over.")
    elif lacking == "bad_signature":
        errors["signature"] = words.gettext("The signature could not be kept: clear it and sign again.")
    if errors:
        async with engine.connect() as conn:
            return await show(request, conn, order, 422, errors=errors, taken=taken)
    collection = Collection(
        pickup_code=code, actor=device.actor, lines=_taken_lines(waiting, taken), proof=proof
    )
    try:
        await orders.collect(desk, device.grant, order.store_id, order_id, collection)
    except ServiceError as error:
        return await refused(request, desk, engine, order_id, error, taken=taken)
    return redirect(request, f"/store/orders/{order_id}?done=collected")


def _proof(kind: ProofKind, form: FormData) -> tuple[HandoverProof | None, str | None]:
    """The proof the form carries for `kind` (None for the code alone); else what it lacks: `id_type`,
    `signature`, or `bad_signature` (too large, or not a drawing)."""
    if kind is ProofKind.CODE:
        return None, None
    if kind is ProofKind.ID_CHECK:
        id_type = str(form.get("id_type", ""))
        if id_type not in {t.value for t in IdType}:
            return None, "id_type"
        return HandoverProof(kind=kind, id_type=IdType(id_type)), None
    signature = str(form.get("signature", "")).strip()
    if not signature:
        return None, "signature"
    if len(signature) > SIGNATURE_MAX:
        return None, "bad_signature"
    try:
        return HandoverProof(kind=kind, signature=signature), None
    except ValidationError:
        return None, "bad_signature"


def _taken_lines(waiting: list[PickLine], taken: dict[str, int]) -> list[PickedLine] | None:
    """None when the customer takes everything; otherwise what they take of each line."""
    chosen = {
        line.product.sku: min(taken.get(line.product.sku, line.ordered), line.ordered) for line in waiting
    }
    if all(chosen[line.product.sku] == line.ordered for line in waiting):
        return None
    return [PickedLine(sku=sku, quantity=quantity) for sku, quantity in chosen.items()]
