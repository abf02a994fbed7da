"""The store console: server-rendered pages from the same app as the API, one route module per screen,
Jinja templates, one stylesheet and a little JavaScript shipped with the package (no CDN, no build step).
The customer page and the ops dashboard reuse the same foundation (render, i18n, session)."""

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles

from api.web import render
from api.web.pages import console_routes
from api.web.session import CsrfRefused, NotSignedIn, OtherStore, session_secret
from config.settings import Settings


def install(app: FastAPI, settings: Settings) -> None:
    """Mount the console's pages and files, and answer its refusals with pages, not JSON."""
    app.state.console_secret = session_secret(settings)
    app.state.console_templates = render.environment()
    app.state.console_settings = settings
    app.mount("/store/static", StaticFiles(directory=render.STATIC), name="console-static")
    app.include_router(console_routes())

    @app.exception_handler(NotSignedIn)
    async def _sign_in_first(request: Request, _: NotSignedIn) -> Response:
        return render.redirect(request, "/store/sign-in")

    @app.exception_handler(CsrfRefused)
    async def _no_csrf(request: Request, _: CsrfRefused) -> Response:
        return render.page(request, "refused.html", 403, reason="csrf")

    @app.exception_handler(OtherStore)
    async def _other_store(request: Request, _: OtherStore) -> Response:
        return render.page(request, "refused.html", 403, reason="other_store")
