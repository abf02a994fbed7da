"""Replenishment alerts: a store is told once when free stock of a SKU comes down to its safety stock."""

import logging

from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.db import inventory, orders, outbox
from adapters.db.inventory import Alert
from adapters.messaging.render import default_renderer
from domain.access import Grant, Role
from domain.stock import StockLevel
from services.errors import Forbidden

log = logging.getLogger("oms.notifications")
KIND = "replenishment_alert"


async def review_alert(conn: AsyncConnection, level: StockLevel, *, alert_open: bool = True) -> Alert | None:
    """Raise an alert when free stock reaches the safety stock (once per crossing) and tell the store;
    clear it once free stock is above (`alert_open`: whether one may be open, as the locked row said).
    The alert raised now, if any."""
    if not level.needs_replenishment:
        if alert_open:
            await inventory.clear_alert(conn, level.store_id, level.sku)
        return None
    alert = await inventory.open_alert(conn, level)
    if alert is not None:
        await _tell_store(conn, alert)
    return alert


async def _tell_store(conn: AsyncConnection, alert: Alert) -> None:
    """The store hears of it through the notification outbox (the embedded notifier: outbox and log)."""
    store = await orders.get_store(conn, alert.store_id)
    if store is None or not store.email:
        log.warning("store %s has no email; alert %d is shown in the API only", alert.store_id, alert.id)
        return
    email = default_renderer().replenishment_alert(
        alert.sku, on_hand=alert.on_hand, reserved=alert.reserved, safety_stock=alert.safety_stock
    )
    await outbox.record_logged(
        conn,
        outbox.Event(f"store-{alert.store_id}", KIND, alert.id),
        "email",
        store.email,
        subject=email.subject,
        body=email.body,
    )
    log.info("email to %s [%s #%d]: %s below safety stock", store.email, KIND, alert.id, alert.sku)


async def alerts(
    conn: AsyncConnection, caller: Grant, store_id: str | None, *, open_only: bool = True
) -> list[Alert]:
    """Alerts newest first, of one store or all, open ones only unless told otherwise; a store's key
    sees its own store's only."""
    if caller.role is Role.STORE:
        if store_id not in (None, caller.store_id):
            raise Forbidden("this key belongs to another store")
        store_id = caller.store_id
    return await inventory.alerts(conn, store_id, open_only=open_only)
