"""Pages rendered from Jinja templates in the device's language, with the session cookie renewed on
every answer."""

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from api.web import i18n
from api.web.codes import qr_svg
from api.web.session import LIFETIME, cookie_scope, current, seal

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"


def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "svg"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["clock"] = i18n.Formats.clock
    env.globals["qr"] = qr_svg
    return env


def language(request: Request) -> str:
    return i18n.negotiate(current(request).language, request.headers.get("accept-language", ""))


def gettext(request: Request) -> i18n.NullTranslations:
    return i18n.translations(language(request))


def _with_cookie(request: Request, response: Response) -> Response:
    name, path = cookie_scope(request)
    response.set_cookie(
        name,
        seal(request.app.state.console_secret, current(request)),
        max_age=LIFETIME,
        path=path,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def page(
    request: Request, template: str, status: int = 200, *, timezone: str | None = None, **context: Any
) -> Response:
    """A screen (or a fragment of one) in the device's language and its store's timezone (or `timezone`)."""
    body = html(request, template, timezone=timezone, **context)
    return _with_cookie(request, HTMLResponse(body, status_code=status))


def html(request: Request, template: str, *, timezone: str | None = None, **context: Any) -> str:
    """A template rendered for this device: its language, its store's timezone (or `timezone`), session."""
    session = current(request)
    lang = language(request)
    words = i18n.translations(lang)
    env: Environment = request.app.state.console_templates
    return env.get_template(template).render(
        request=request,
        session=session,
        lang=lang,
        _=words.gettext,
        ngettext=words.ngettext,
        fmt=i18n.Formats(lang, timezone or session.timezone),
        now=datetime.now(UTC),
        **context,
    )


def redirect(request: Request, to: str) -> Response:
    """After a step: the browser asks for the new state (a reload does not repeat the step)."""
    return _with_cookie(request, RedirectResponse(to, status_code=303))
