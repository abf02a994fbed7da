"""The console's foundation: the French catalogue covers every text, sessions are signed, formats follow
the store's timezone and language."""

import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from babel.messages.catalog import Message
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from api.web import i18n
from api.web.session import LIFETIME, fresh, seal, unseal

WEB = Path(i18n.__file__).parent


def source_texts() -> set[str]:
    """Every msgid marked in the templates (`_()`) and the page modules (`.gettext()`)."""
    methods = [("**.html", "jinja2.ext:babel_extract"), ("**.py", "python")]
    found = extract_from_dir(str(WEB), methods, keywords={"_": None, "gettext": None, "ngettext": (1, 2)})
    texts: set[str] = set()
    for _, _, message, _, _ in found:
        texts.update([message] if isinstance(message, str) else message)
    return texts


def test_every_console_text_has_a_french_translation() -> None:
    catalog: list[Message] = []
    for path in i18n.catalogue_files("fr"):
        with path.open("rb") as po:
            catalog.extend(read_po(po, locale="fr"))
    translated = {
        text
        for m in catalog
        if m.id and all(m.string if isinstance(m.string, tuple) else [m.string])
        for text in ([m.id] if isinstance(m.id, str) else m.id)
    }
    assert source_texts() - translated == set()
    assert translated - source_texts() == set(), "texts no page uses any more"


def test_french_is_chosen_from_the_browser_or_the_device_switch() -> None:
    assert i18n.negotiate(None, "fr-FR,fr;q=0.9,en;q=0.8") == "fr"
    assert i18n.negotiate(None, "de-DE") == "en"
    assert i18n.negotiate("en", "fr-FR") == "en"
    assert i18n.translations("fr").gettext("Sign in") == "Se connecter"


def test_dates_and_money_follow_the_store_timezone_and_language() -> None:
    formats = i18n.Formats("fr", "Europe/Paris")
    assert formats.time_of_day(datetime(2026, 7, 1, 12, 30, tzinfo=UTC)) == "14:30"
    assert formats.money(Decimal("149.5"), "EUR") == "149,50\xa0€"
    assert (
        i18n.Formats("en", "America/New_York").time_of_day(datetime(2026, 7, 1, 12, 30, tzinfo=UTC))
        == "8:30\u202fAM"
    )
    assert i18n.Formats.clock(timedelta(minutes=-3, seconds=-5)) == "-0:03:05"


def test_a_session_cookie_is_signed_and_expires_after_a_shift() -> None:
    session = replace(fresh(), store_id="paris-rivoli", associate="Camille")
    cookie = seal(b"k" * 32, session)
    assert unseal(b"k" * 32, cookie) == session
    assert unseal(b"x" * 32, cookie) is None
    body, _, signature = cookie.partition(".")
    assert unseal(b"k" * 32, body[:-2] + "AA." + signature) is None
    old = replace(session, issued=int(time.time()) - LIFETIME - 1)
    assert unseal(b"k" * 32, seal(b"k" * 32, old)) is None
    assert session.actor == "store:paris-rivoli/associate:Camille"
