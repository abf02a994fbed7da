"""The console's words and formats: a gettext catalogue per language (compiled from its .po file when
first used, no build step), and dates, times and money formatted by Babel in the store's timezone."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cache
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale, negotiate_locale
from babel.dates import format_date, format_time, format_timedelta
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency
from babel.support import NullTranslations, Translations

CATALOGUES = Path(__file__).parent / "i18n"
LANGUAGES = ("en", "fr")  # English is the source language: it needs no catalogue
DEFAULT = "en"


def catalogue_files(language: str) -> list[Path]:
    """`i18n/<language>.po`, then `i18n/<language>-<screens>.po` files."""
    return sorted(CATALOGUES.glob(f"{language}*.po"), key=lambda path: (path.stem != language, path.name))


@cache
def translations(language: str) -> NullTranslations:
    """The language's catalogue, compiled in memory from `i18n/<language>.po`."""
    paths = catalogue_files(language)
    if language == DEFAULT or not paths:
        return NullTranslations()
    with paths[0].open("rb") as po:
        catalog = read_po(po, locale=language)
    for path in paths[1:]:  # each screen family may keep its own file (fr-customer.po)
        with path.open("rb") as po:
            for message in read_po(po, locale=language):
                if message.id:
                    catalog[message.id] = message
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled)


def negotiate(chosen: str | None, accept_language: str) -> str:
    """The language the associate chose on this device, else the browser's, else English."""
    if chosen in LANGUAGES:
        return chosen
    wanted = [part.split(";")[0].strip().replace("-", "_") for part in accept_language.split(",") if part]
    return negotiate_locale(wanted, LANGUAGES) or DEFAULT


class Formats:
    """Dates, times, durations and money for one language, in one store's timezone."""

    def __init__(self, language: str, timezone: str) -> None:
        self.locale = Locale.parse(language)
        self.zone = ZoneInfo(timezone)

    def date_time(self, moment: datetime | None) -> str:
        """A date and a time to the minute ("Nov 26, 2026, 8:00 PM"): a customer needs no seconds."""
        if moment is None:
            return ""
        local = moment.astimezone(self.zone)
        pattern = self.locale.datetime_formats["medium"]
        return str(pattern).format(
            format_time(local, "short", locale=self.locale), format_date(local, "medium", locale=self.locale)
        )

    def day(self, moment: datetime) -> str:
        """The moment's calendar day in the store's timezone, e.g. "Tuesday 24 November"."""
        return format_date(moment.astimezone(self.zone).date(), "EEEE d MMMM", locale=self.locale)

    def date(self, day: date) -> str:
        """A calendar day, e.g. "Wednesday 25 November"."""
        return format_date(day, "EEEE d MMMM", locale=self.locale)

    def time_of_day(self, moment: datetime | None) -> str:
        return "" if moment is None else format_time(moment, "short", tzinfo=self.zone, locale=self.locale)

    def money(self, amount: Decimal, currency: str) -> str:
        return format_currency(amount, currency, locale=self.locale)

    def duration(self, span: timedelta) -> str:
        return format_timedelta(abs(span), threshold=1.5, locale=self.locale)

    @staticmethod
    def clock(span: timedelta) -> str:
        """h:mm:ss left (negative when overdue): what the live countdown shows, the same in any language."""
        seconds = int(span.total_seconds())
        sign, seconds = ("-" if seconds < 0 else ""), abs(seconds)
        return f"{sign}{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
