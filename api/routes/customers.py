"""Erasure of a customer's personal data (GDPR), a support and ops action."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import AfterValidator, BaseModel, Field

from adapters.customer_keys import CustomerKeyStore, customer_ref
from adapters.db import erasure
from api.access import authorize
from api.deps import EngineDep
from api.errors import ApiError
from domain.status import TERMINAL, OrderStatus
from domain.values import storable_text

router = APIRouter(prefix="/v1/customers", tags=["customers"], dependencies=[Depends(authorize)])


class ErasureRequest(BaseModel):
    email: Annotated[str, AfterValidator(storable_text)] = Field(
        min_length=3, max_length=254, description="the email the customer ordered with"
    )


class ErasureDone(BaseModel):
    orders: list[str]
    message: str = "personal data erased from orders, messages and workflow histories"


@router.post("/erasure", response_model=ErasureDone)
async def erase(body: ErasureRequest, request: Request, engine: EngineDep) -> ErasureDone:
    """Destroy the customer's key (their data in every workflow history becomes unreadable) and redact
    the orders' read model and messages. Refused while an order of theirs is still running."""
    async with engine.begin() as conn:
        placed = await erasure.orders_of(conn, body.email)
        running = [order_id for order_id, status in placed if OrderStatus(status) not in TERMINAL]
        if running:
            raise ApiError(409, "orders_in_progress", "the customer has orders still running", orders=running)
        await erasure.redact(conn, [order_id for order_id, _ in placed])
    codec = request.app.state.temporal.data_converter.payload_codec
    keys = getattr(codec, "customer_keys", None) or CustomerKeyStore(engine)
    await keys.destroy(customer_ref(body.email))
    return ErasureDone(orders=[order_id for order_id, _ in placed])
