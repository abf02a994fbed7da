"""One module per console screen; all of them outside the OpenAPI document (they are pages, not API)."""

from fastapi import APIRouter


def console_routes() -> APIRouter:
    from api.web.pages import batch, handover, order, picking, prints, queue, returns, signin, stock

    router = APIRouter(prefix="/store", include_in_schema=False)
    for screen in (signin, queue, batch, order, picking, handover, prints, stock, returns):
        router.include_router(screen.router)
    return router


def customer_routes() -> APIRouter:
    from api.web.pages import track

    router = APIRouter(include_in_schema=False)
    router.include_router(track.router)
    return router


def ops_routes() -> APIRouter:
    from api.web.pages import dashboard

    router = APIRouter(prefix="/ops", include_in_schema=False)
    router.include_router(dashboard.router)
    return router
