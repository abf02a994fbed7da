"""Sign in on a store device with the store's key and the associate's name; sign out; language."""

from dataclasses import replace

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.access import grant_for
from api.deps import ConnectionDep
from api.web.i18n import LANGUAGES
from api.web.render import gettext, page, redirect
from api.web.session import Anyone, Form, fresh, remember, with_language
from domain.access import Role
from services.stores import get_store

router = APIRouter()
NAME_MAX = 60


@router.get("/sign-in")
async def sign_in_form(request: Request, session: Anyone) -> Response:
    return page(request, "signin.html", errors={}, associate="")


@router.post("/sign-in")
async def sign_in(request: Request, session: Anyone, form: Form, conn: ConnectionDep) -> Response:
    """A store key opens its own store only; the name is who the timeline will show."""
    words = gettext(request)
    key, associate = str(form.get("key", "")), str(form.get("associate", "")).strip()
    errors: dict[str, str] = {}
    grant = await grant_for(request, key)
    if grant is None or grant.role is not Role.STORE or grant.store_id is None:
        errors["key"] = words.gettext("This is not a store key. Check the key on the store's sheet.")
    if not associate or len(associate) > NAME_MAX or "/" in associate:
        errors["associate"] = words.gettext("Type your first name (up to 60 letters).")
    if errors or grant is None or grant.store_id is None:
        return page(request, "signin.html", 422, errors=errors, associate=associate)
    store = await get_store(conn, grant.store_id)
    signed = replace(
        fresh(),
        store_id=store.id,
        store_name=store.name,
        timezone=store.timezone,
        associate=associate,
        language=session.language,
    )
    remember(request, signed)
    return redirect(request, "/store/")


@router.post("/sign-out")
async def sign_out(request: Request, session: Anyone, form: Form) -> Response:
    remember(request, replace(fresh(), language=session.language))
    return redirect(request, "/store/sign-in")


@router.get("/language/{language}")
async def choose_language(
    request: Request, language: str, session: Anyone, back: str = "/store/"
) -> Response:
    """The device keeps the chosen language; `back` stays inside the console."""
    if language in LANGUAGES:
        remember(request, with_language(session, language))
    return redirect(request, back if back.startswith("/store/") and "//" not in back else "/store/")
