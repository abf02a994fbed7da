"""Rendering messages to customers and stores: Jinja2 templates per kind and language hold every word
(`templates/messages/{en,fr}/`, moments written as each language's `_formats.j2` says); dates and money
by Babel in the store's timezone. English and French; other locales fall back to English."""

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from functools import cache
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime, format_time, get_day_names
from babel.numbers import format_currency
from jinja2 import Environment, PackageLoader, StrictUndefined
from pydantic import BaseModel

from domain.notifications import CustomerNotification, NotificationFacts, StoreReminder
from domain.store_calendar import SpecialDay, is_closing_time, upcoming
from domain.values import OpeningHours, StoreProfile

LANGUAGES = ("en", "fr")
_BABEL_LOCALES = {"en": "en_GB", "fr": "fr_FR"}


class RenderedMessage(BaseModel):
    channel: str
    language: str
    subject: str
    body: str


class MessageRenderer:
    """Renders a notification for one channel in the customer's language."""

    def __init__(self, links: Callable[[str], str | None] | None = None) -> None:
        """`links` gives an order's pickup page address (None: messages carry no link)."""
        self._links = links or (lambda order_id: None)
        self._env = Environment(
            loader=PackageLoader("adapters.messaging", "templates/messages"),
            undefined=StrictUndefined,
            autoescape=False,
            keep_trailing_newline=False,
        )

    def render(self, message: CustomerNotification, channel: str) -> RenderedMessage:
        """A customer message for one channel, in the customer's language."""
        language = language_of(message.customer.locale)
        context = _context(message, language, self._patterns(language))
        page_url = self._links(message.order_id) or ""
        context.update(
            page_url=page_url,
            qr_url=f"{page_url}/qr.svg" if page_url else "",
            order_id=message.order_id,
            return_code_url=f"{page_url}/return-code.svg" if page_url else "",
        )
        return self._render(message.kind.value, language, channel, context)

    def store_reminder(self, reminder: StoreReminder, language: str = "en") -> RenderedMessage:
        """The email telling store staff an order is at risk of missing its deadline."""
        due = format_datetime(
            reminder.due,
            self._patterns(language)["store_due"],
            tzinfo=ZoneInfo(reminder.store.timezone),
            locale=_BABEL_LOCALES[language],
        )
        context = {**reminder.model_dump(include={"order_id", "channel_order_id", "step"}), "due": due}
        return self._render("store_at_risk", language, "email", context)

    def replenishment_alert(
        self, sku: str, *, on_hand: int, reserved: int, safety_stock: int, language: str = "en"
    ) -> RenderedMessage:
        """The email telling a store a SKU's free stock is down to its safety stock."""
        context = {"sku": sku, "on_hand": on_hand, "reserved": reserved, "safety_stock": safety_stock}
        return self._render("replenishment_alert", language, "email", context)

    def _render(self, name: str, language: str, channel: str, context: dict[str, object]) -> RenderedMessage:
        template = self._env.get_template(f"{language}/{name}.j2")
        return RenderedMessage(
            channel=channel,
            language=language,
            subject=template.render(part="subject", **context).strip(),
            body=template.render(part="email" if channel == "email" else "sms", **context).strip(),
        )

    def _patterns(self, language: str) -> dict[str, str]:
        """The date patterns a language's `_formats.j2` declares (`long`, `short`, `store_due`, the
        `changed_day` of special days), its word for a `closed` day and what comes `then` before one."""
        module = self._env.get_template(f"{language}/_formats.j2").module
        names = ("long", "short", "store_due", "changed_day", "closed", "then")
        return {name: str(getattr(module, name)) for name in names}


@cache
def default_renderer() -> MessageRenderer:
    """A renderer made on first use, for code that writes a store email without one of its own."""
    return MessageRenderer()


def language_of(locale: str) -> str:
    language = locale.split("-")[0].lower()
    return language if language in LANGUAGES else "en"


def _context(message: CustomerNotification, language: str, patterns: dict[str, str]) -> dict[str, object]:
    facts = message.facts
    store = facts.store
    tz = ZoneInfo(store.timezone) if store else None
    babel_locale = _BABEL_LOCALES[language]

    def when(moment: datetime | None, pattern: str) -> str:
        if moment is None:
            return "-"
        return format_datetime(moment, patterns[pattern], tzinfo=tz, locale=babel_locale)

    def money(amount: Decimal | None) -> str:
        return "-" if amount is None else format_currency(amount, facts.currency, locale=babel_locale)

    return {
        "customer": message.customer,
        "ref": f"{facts.channel_order_id}/{facts.part}" if facts.part else facts.channel_order_id,
        "order_ref": facts.channel_order_id,
        "lines": facts.lines,
        "total": money(facts.total),
        "refund": money(facts.refund_amount),
        "store_name": store.name if store else "",
        "address": f"{store.address}, {store.city}" if store else "",
        "opening_hours": opening_hours_text(store, babel_locale, _changed_days(facts), patterns)
        if store
        else "",
        "deadline_closing": bool(
            store and facts.pickup_deadline and is_closing_time(store, facts.pickup_deadline)
        ),
        "previous_store_name": facts.previous_store.name if facts.previous_store else "",
        "pickup_code": facts.pickup_code or "",
        "ready_by": when(facts.ready_by, "long"),
        "ready_by_short": when(facts.ready_by, "short"),
        "deadline": when(facts.pickup_deadline, "long"),
        "deadline_short": when(facts.pickup_deadline, "short"),
        "slot": when(facts.slot_start, "long"),
        "slot_short": when(facts.slot_start, "short"),
        "slot_end": "-"
        if facts.slot_end is None
        else format_time(facts.slot_end, "HH:mm", tzinfo=tz, locale=babel_locale),
        "choice_deadline": when(facts.choice_deadline, "long"),
        "choice_deadline_short": when(facts.choice_deadline, "short"),
        "carrier": facts.carrier or "",
        "tracking_number": facts.tracking_number or "",
    }


def _changed_days(facts: NotificationFacts) -> list[SpecialDay]:
    """The store's special days the customer should know of: from the day the message is written until
    the hold ends (two weeks without one); none for a message written before store calendars."""
    store = facts.store
    if store is None or facts.written_at is None:
        return []
    zone = ZoneInfo(store.timezone)
    today = facts.written_at.astimezone(zone).date()
    last = (
        facts.pickup_deadline.astimezone(zone).date() if facts.pickup_deadline else today + timedelta(days=13)
    )
    return upcoming(store, today, max((last - today).days + 1, 1))


def opening_hours_text(
    store: StoreProfile,
    babel_locale: str,
    changed: list[SpecialDay] | None = None,
    words: dict[str, str] | None = None,
) -> str:
    """'Mon–Sat 09:30–20:00, Sun 11:00–19:00': consecutive days with the same hours grouped; then the
    special days ahead, if any ('; Wed 25 Nov closed (stock count)')."""
    weekly = _weekly_hours_text(store, babel_locale)
    if not changed or words is None:
        return weekly
    notes = []
    for special in changed:
        day = format_date(special.date, words["changed_day"], locale=babel_locale)
        hours = " / ".join(f"{h.opens:%H:%M}–{h.closes:%H:%M}" for h in special.hours) or words["closed"]
        notes.append(f"{day} {hours}" + (f" ({special.note})" if special.note else ""))
    return words["then"].join([weekly, *notes])


def _weekly_hours_text(store: StoreProfile, babel_locale: str) -> str:
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
