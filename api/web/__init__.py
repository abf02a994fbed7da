"""The store console: server-rendered pages from the same app as the API, one route module per screen,
Jinja templates, one stylesheet and a little JavaScript shipped with the package (no CDN, no build step).
The customer page and the ops dashboard reuse the same foundation (render, i18n, session)."""

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles

from api.web import render
from api.web.pages import console_routes, customer_routes, ops_routes
from api.web.pages.track import LinkRefused, TooManyActions
from api.web.session import CsrfRefused, NotSignedIn, OpsNotSignedIn, OtherStore, session_secret
from api.web.throttle import ActionLimit
from config.settings import Settings


def install(app: FastAPI, settings: Settings) -> None:
    """Mount the console's pages and files, and answer its refusals with pages, not JSON."""
    app.state.console_secret = session_secret(settings)
    app.state.console_templates = render.environment()
    app.state.console_settings = settings
    app.mount("/store/static", StaticFiles(directory=render.STATIC), name="console-static")
    app.include_router(console_routes())
    app.state.customer_actions = ActionLimit()
    app.include_router(customer_routes())
    app.include_router(ops_routes())

    @app.exception_handler(NotSignedIn)
    async def _sign_in_first(request: Request, _: NotSignedIn) -> Response:
        return render.redirect(request, "/store/sign-in")

    @app.exception_handler(OpsNotSignedIn)
    async def _ops_sign_in_first(request: Request, _: OpsNotSignedIn) -> Response:
        return render.redirect(request, "/ops/sign-in")

    @app.exception_handler(CsrfRefused)
    async def _no_csrf(request: Request, _: CsrfRefused) -> Response:
        if request.url.path.startswith("/track/"):
            return render.page(request, "track_refused.html", 403, reason="csrf")
        return render.page(request, "refused.html", 403, reason="csrf")

    @app.exception_handler(LinkRefused)
    async def _no_page(request: Request, refused: LinkRefused) -> Response:
        """A plain page, the same for an unknown order and a wrong token (no trace, no detail)."""
        return render.page(request, "track_refused.html", refused.status, reason=str(refused.status))

    @app.exception_handler(TooManyActions)
    async def _slow_down(request: Request, _: TooManyActions) -> Response:
        return render.page(request, "track_refused.html", 429, reason="429")

    @app.exception_handler(OtherStore)
    async def _other_store(request: Request, _: OtherStore) -> Response:
        return render.page(request, "refused.html", 403, reason="other_store")
