"""What the order screens share: the device's own order, the step's actor, and refusals put in the words
an associate uses, next to the field they concern."""

from dataclasses import dataclass

from fastapi import Request
from starlette.datastructures import FormData

from api.web.i18n import NullTranslations
from api.web.render import gettext
from api.web.session import DeviceSession, OtherStore
from domain.errors import OrderError
from domain.order_state import OrderView
from services import errors as refused
from services.orders import OrderDesk, find_order


async def own_order(desk: OrderDesk, device: DeviceSession, order_id: str) -> OrderView:
    """The order, if it is this device's store's; another store's is refused."""
    order = await find_order(desk, order_id)
    if order.store_id != device.store_id:
        raise OtherStore()
    return order


def counts(form: FormData, prefix: str) -> dict[str, int]:
    """Per-SKU numbers typed in fields named `<prefix><sku>`; what is not a number counts as 0."""
    found: dict[str, int] = {}
    for name, value in form.multi_items():
        if name.startswith(prefix) and isinstance(value, str):
            found[name[len(prefix) :]] = int(value) if value.strip().isdigit() else 0
    return found


@dataclass(frozen=True)
class Said:
    field: str | None  # the form field the refusal concerns, or None for the whole screen
    message: str


def in_words(request: Request, error: refused.ServiceError) -> Said:
    """A refusal from the order desk, as the associate should read it."""
    words: NullTranslations = gettext(request)
    if isinstance(error, refused.StepRefused):
        match error.kind:
            case OrderError.WRONG_PICKUP_CODE:
                return Said(
                    "pickup_code",
                    words.gettext(
                        "That is not this order's pickup code. Each wrong code counts: after 5, the order is "
                        "locked and support has to unlock it."
                    ),
                )
            case OrderError.PICKUP_LOCKED:
                return Said(
                    "pickup_code",
                    words.gettext(
                        "Handover is locked after 5 wrong codes. Call support: they unlock it once they "
                        "have checked with the customer."
                    ),
                )
            case OrderError.TRANSITION:
                return Said(None, words.gettext("This order has already moved on. Here is where it is now."))
    if isinstance(error, refused.OrderBusy | refused.TemporalUnavailable):
        return Said(None, words.gettext("The system did not answer in time. Wait a moment and try again."))
    if isinstance(error, refused.OrderEnded):
        return Said(None, words.gettext("This order is finished: nothing more to do on it."))
    return Said(None, words.gettext("That did not work: %(reason)s") % {"reason": str(error)})
