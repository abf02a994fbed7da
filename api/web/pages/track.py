"""The customer's pickup page at /track/{order_id}/{token}: the order's progress and pickup code, and
what the customer may do (say who collects, check in, answer a choice, cancel before picking). The token
is the only key; every form carries a CSRF token and each order gets a limited number of actions."""

from datetime import UTC, datetime
from typing import Annotated, Any

from babel.dates import get_day_names
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError

from api.deps import DeskDep, SettingsDep
from api.errors import http_answer
from api.web.i18n import LANGUAGES
from api.web.pages.steps import in_words
from api.web.qr import pickup_qr, pickup_qr_file, return_code_file
from api.web.render import gettext, language, page, redirect
from api.web.session import Anyone, Form, remember, with_language
from domain.commands import CustomerCheckIn, CustomerChoice
from domain.order_state import OrderView
from domain.policy import ChoiceOption
from domain.returns import RETURNABLE
from domain.values import Address
from services import orders, pickup_page
from services.errors import InvalidField, ServiceError, SlotFull

router = APIRouter(prefix="/track/{order_id}/{token}")
DONE = ("checked_in", "collector", "chosen", "cancelled", "slot")


class LinkRefused(Exception):
    """The link opens nothing: unknown order or wrong token (404), expired (410), unreadable now (503)."""

    def __init__(self, status: int) -> None:
        self.status = status


class TooManyActions(Exception):
    """The order has had its share of actions for now (429)."""


async def _verified(
    request: Request, order_id: str, token: str, desk: DeskDep, settings: SettingsDep
) -> OrderView:
    """The order this link opens; anything else is refused with a plain page."""
    try:
        return await pickup_page.verified_order(
            desk, settings.tracking_secret, order_id, token, settings.tracking_grace
        )
    except ServiceError as error:
        raise LinkRefused(http_answer(error).status) from None


Linked = Annotated[OrderView, Depends(_verified)]


def _counted(request: Request, order: Linked) -> OrderView:
    """An action on the order, refused once it had its share (see api/web/throttle.py)."""
    if not request.app.state.customer_actions.allow(order.order_id):
        raise TooManyActions()
    return order


Acting = Annotated[OrderView, Depends(_counted)]


def _here(order: OrderView, token: str, done: str = "") -> str:
    return f"/track/{order.order_id}/{token}" + (f"?done={done}" if done else "")


async def show(
    request: Request, desk: DeskDep, order: OrderView, token: str, status: int = 200, **state: Any
) -> Response:
    """The page as the order is now, in the customer's language (or the one they switched to)."""
    try:
        view = await pickup_page.page_of(desk, order, datetime.now(UTC))
    except ServiceError as error:
        raise LinkRefused(http_answer(error).status) from None
    context: dict[str, Any] = {"errors": {}, "notice": None, "problem": None, "form": {}, **state}
    names = get_day_names("wide", locale=language(request))
    return page(
        request,
        "track.html",
        status,
        timezone=view.store.timezone if view.store else None,
        view=view,
        token=token,
        qr=pickup_qr,
        day_names=[names[day].capitalize() for day in range(7)],
        fmt_hours=lambda h: f"{h.opens:%H:%M}–{h.closes:%H:%M}",
        **context,
    )


@router.get("")
async def pickup(
    request: Request,
    token: str,
    order: Linked,
    session: Anyone,
    desk: DeskDep,
    done: str = "",
    lang: str = "",
) -> Response:
    """The customer's language by default; `lang` switches it for this browser."""
    if lang in LANGUAGES or session.language is None:
        chosen = lang if lang in LANGUAGES else order.placement.customer.locale.split("-")[0]
        remember(request, with_language(session, chosen if chosen in LANGUAGES else "en"))
    return await show(request, desk, order, token, notice=done if done in DONE else None)


@router.get("/qr.svg")
async def qr_image(order: Linked, desk: DeskDep) -> Response:
    """The pickup code's QR code as an image (the ready email links to it), while the order is ready."""
    code = await pickup_page.pickup_code(desk, order)
    if code is None:
        raise LinkRefused(404)
    return Response(pickup_qr_file(code), media_type="image/svg+xml", headers={"Cache-Control": "no-store"})


@router.get("/return-code.svg")
async def return_code_image(order: Linked) -> Response:
    """The receipt's return code: a QR code of the order id, which the returns screen finds the order by;
    once the order was collected or shipped (the receipt email links to it)."""
    if order.status not in RETURNABLE:
        raise LinkRefused(404)
    return Response(
        return_code_file(order.order_id), media_type="image/svg+xml", headers={"Cache-Control": "no-store"}
    )


async def _refused(
    request: Request, desk: DeskDep, order: OrderView, token: str, error: ServiceError, **state: Any
) -> Response:
    """The page again as the order is now, the refusal on top."""
    said = in_words(request, error)
    now = await orders.find_order(desk, order.order_id)
    return await show(request, desk, now, token, 409, problem=said.message, **state)


@router.post("/collector")
async def collector(request: Request, token: str, order: Acting, form: Form, desk: DeskDep) -> Response:
    """Someone else collects (an empty name: the customer again)."""
    name = str(form.get("collector", "")).strip()
    if len(name) > 100:
        error = gettext(request).gettext("Write a name of up to 100 letters.")
        return await show(
            request, desk, order, token, 422, errors={"collector": error}, form={"collector": name}
        )
    try:
        await pickup_page.name_collector(desk, order, name or None)
    except ValidationError:
        error = gettext(request).gettext("Write the name as on their ID: letters, spaces and hyphens.")
        return await show(
            request, desk, order, token, 422, errors={"collector": error}, form={"collector": name}
        )
    except ServiceError as error:
        return await _refused(request, desk, order, token, error)
    return redirect(request, _here(order, token, "collector"))


@router.post("/check-in")
async def check_in(request: Request, token: str, order: Acting, form: Form, desk: DeskDep) -> Response:
    """On my way or here; at the curb, with the car and (once there) the bay."""
    words = gettext(request)
    typed = {key: str(form.get(key, "")).strip() for key in ("stage", "place", "car", "bay")}
    try:
        request_ = CustomerCheckIn(
            stage=typed["stage"] or "here",
            place=typed["place"] or "in_store",
            car=typed["car"] or None,
            bay=typed["bay"] or None,
        )
    except ValidationError as invalid:
        messages = " ".join(str(e["msg"]) for e in invalid.errors())
        errors = {}
        if "car" in messages or any(e["loc"] == ("car",) for e in invalid.errors()):
            errors["car"] = words.gettext("For curbside pickup, describe your car (colour, model, plate).")
        if "bay" in messages or any(e["loc"] == ("bay",) for e in invalid.errors()):
            errors["bay"] = words.gettext("Say which numbered bay you parked in.")
        if not errors:
            errors["stage"] = words.gettext("Choose whether you are on your way or here.")
        return await show(request, desk, order, token, 422, errors=errors, form=typed)
    try:
        await pickup_page.check_in(desk, order, request_)
    except ServiceError as error:
        return await _refused(request, desk, order, token, error)
    return redirect(request, _here(order, token, "checked_in"))


@router.post("/choice")
async def choose(request: Request, token: str, order: Acting, form: Form, desk: DeskDep) -> Response:
    """The customer's answer to a choice request, carried out by the order's workflow."""
    words = gettext(request)
    picked = str(form.get("option", ""))
    option, _, store_id = picked.partition(":")
    address = None
    if option == ChoiceOption.HOME_DELIVERY and order.placement.delivery_address is None:
        try:
            address = Address(
                line1=str(form.get("line1", "")).strip(),
                postcode=str(form.get("postcode", "")).strip(),
                city=str(form.get("city", "")).strip(),
                country=str(form.get("country", "")).strip().upper(),
            )
        except ValidationError:
            error = words.gettext("Write the delivery address: street, postcode, town and country code (FR).")
            return await show(request, desk, order, token, 422, errors={"address": error}, form=dict(form))
    try:
        answer = CustomerChoice(option=option, store_id=store_id or None, delivery_address=address)
    except ValidationError:
        error = words.gettext("Choose one of the options.")
        return await show(request, desk, order, token, 422, errors={"option": error})
    try:
        await pickup_page.choose(desk, order, answer)
    except ServiceError as error:
        return await _refused(request, desk, order, token, error)
    return redirect(request, _here(order, token, "chosen"))


@router.post("/slot")
async def pickup_slot(request: Request, token: str, order: Acting, form: Form, desk: DeskDep) -> Response:
    """Book or change the pickup slot; a full one is refused next to the field, the order keeps its own."""
    words = gettext(request)
    try:
        starts_at = datetime.fromisoformat(str(form.get("slot", "")))
    except ValueError:
        error = words.gettext("Choose one of the pickup slots.")
        return await show(request, desk, order, token, 422, errors={"slot": error})
    try:
        await pickup_page.choose_slot(desk, order, starts_at, datetime.now(UTC))
    except SlotFull:
        error = words.gettext("This slot has just filled up. Choose another one.")
        return await show(request, desk, order, token, 409, errors={"slot": error})
    except InvalidField:
        error = words.gettext("This slot is no longer offered. Choose another one.")
        return await show(request, desk, order, token, 422, errors={"slot": error})
    except ServiceError as error:
        return await _refused(request, desk, order, token, error)
    return redirect(request, _here(order, token, "slot"))


@router.post("/cancel")
async def cancel(request: Request, token: str, order: Acting, form: Form, desk: DeskDep) -> Response:
    """Cancelled before picking starts: the stock goes back, the payment is released, a message confirms."""
    try:
        await pickup_page.cancel(desk, order)
    except ServiceError as error:
        return await _refused(request, desk, order, token, error)
    return redirect(request, _here(order, token, "cancelled"))
