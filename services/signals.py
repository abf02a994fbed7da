"""Telling order workflows what happened to their stock (the `stock_at_risk` signal)."""

import logging
from collections.abc import Callable
from typing import Protocol

from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from domain import ids
from domain.values import StockAtRisk

log = logging.getLogger("oms.inventory")


class StockSignals(Protocol):
    """Where at-risk orders are told (Temporal in production, a list in unit tests)."""

    async def stock_at_risk(self, order_id: str, risk: StockAtRisk) -> None: ...


class OrderSignals:
    """Signals order workflows through a Temporal client. An activity passes `activity.client`: its
    client is known only while it runs, and is asked for only when there is an order to tell."""

    def __init__(self, client: Client | Callable[[], Client]) -> None:
        self._client = client

    async def stock_at_risk(self, order_id: str, risk: StockAtRisk) -> None:
        client = self._client if isinstance(self._client, Client) else self._client()
        try:
            await client.get_workflow_handle(order_id).signal(ids.SIGNAL_STOCK_AT_RISK, risk)
        except RPCError as error:
            if error.status != RPCStatusCode.NOT_FOUND:
                raise
            log.info("order %s has ended; nothing to signal", order_id)
