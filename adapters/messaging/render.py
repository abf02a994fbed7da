"""Rendering customer messages: Jinja2 templates per kind and language, dates and money by Babel in the
store's timezone. English and French; other locales fall back to English."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel.dates import format_datetime, get_day_names
from babel.numbers import format_currency
from jinja2 import Environment, PackageLoader, StrictUndefined
from pydantic import BaseModel

from domain.notifications import CustomerNotification
from domain.values import OpeningHours, StoreProfile

LANGUAGES = ("en", "fr")
_LONG = {"en": "EEEE d MMMM, HH:mm", "fr": "EEEE d MMMM 'à' HH:mm"}
_SHORT = {"en": "dd/MM HH:mm", "fr": "dd/MM 'a' HH:mm"}  # SMS: digits keep texts in GSM-7


class RenderedMessage(BaseModel):
    channel: str
    language: str
    subject: str
    body: str


class MessageRenderer:
    """Renders a notification for one channel in the customer's language."""

    def __init__(self) -> None:
        self._env = Environment(
            loader=PackageLoader("adapters.messaging", "templates/messages"),
            undefined=StrictUndefined,
            autoescape=False,
            keep_trailing_newline=False,
        )

    def render(self, message: CustomerNotification, channel: str) -> RenderedMessage:
        language = language_of(message.customer.locale)
        template = self._env.get_template(f"{language}/{message.kind.value}.j2")
        context = _context(message, language)
        return RenderedMessage(
            channel=channel,
            language=language,
            subject=template.render(part="subject", **context).strip(),
            body=template.render(part="email" if channel == "email" else "sms", **context).strip(),
        )


def language_of(locale: str) -> str:
    language = locale.split("-")[0].lower()
    return language if language in LANGUAGES else "en"


def _context(message: CustomerNotification, language: str) -> dict[str, object]:
    facts = message.facts
    store = facts.store
    tz = ZoneInfo(store.timezone) if store else None
    babel_locale = {"en": "en_GB", "fr": "fr_FR"}[language]

    def when(moment: datetime | None, pattern: dict[str, str]) -> str:
        if moment is None:
            return "-"
        return format_datetime(moment, pattern[language], tzinfo=tz, locale=babel_locale)

    def money(amount: Decimal | None) -> str:
        return "-" if amount is None else format_currency(amount, facts.currency, locale=babel_locale)

    return {
        "customer": message.customer,
        "ref": f"{facts.channel_order_id}/{facts.part}" if facts.part else facts.channel_order_id,
        "order_ref": facts.channel_order_id,
        "lines": ", ".join(f"{line.quantity} × {line.sku}" for line in facts.lines),
        "lines_sms": ", ".join(f"{line.quantity} x {line.sku}" for line in facts.lines),  # GSM-7
        "total": money(facts.total),
        "refund": money(facts.refund_amount),
        "store_name": store.name if store else "",
        "address": f"{store.address}, {store.city}" if store else "",
        "opening_hours": opening_hours_text(store, babel_locale) if store else "",
        "previous_store_name": facts.previous_store.name if facts.previous_store else "",
        "pickup_code": facts.pickup_code or "",
        "ready_by": when(facts.ready_by, _LONG),
        "ready_by_short": when(facts.ready_by, _SHORT),
        "deadline": when(facts.pickup_deadline, _LONG),
        "deadline_short": when(facts.pickup_deadline, _SHORT),
        "choice_deadline": when(facts.choice_deadline, _LONG),
        "choice_deadline_short": when(facts.choice_deadline, _SHORT),
        "carrier": facts.carrier or "",
        "tracking_number": facts.tracking_number or "",
    }


def opening_hours_text(store: StoreProfile, babel_locale: str) -> str:
    """'Mon–Sat 09:30–20:00, Sun 11:00–19:00': consecutive days with the same hours grouped."""
    names = get_day_names("abbreviated", locale=babel_locale)
    by_day: dict[int, list[OpeningHours]] = {}
    for entry in store.opening_hours:
        by_day.setdefault(entry.weekday, []).append(entry)
    spans: list[tuple[int, int, str]] = []
    for day in range(7):
        if day not in by_day:
            continue
        hours = " / ".join(
            f"{e.opens:%H:%M}–{e.closes:%H:%M}" for e in sorted(by_day[day], key=lambda e: e.opens)
        )
        if spans and spans[-1][1] == day - 1 and spans[-1][2] == hours:
            spans[-1] = (spans[-1][0], day, hours)
        else:
            spans.append((day, day, hours))
    return ", ".join(
        f"{names[first]}{'–' + names[last] if last != first else ''} {hours}" for first, last, hours in spans
    )
