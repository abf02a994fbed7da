"""Erasure of a customer's personal data (GDPR), a support and ops action."""

from fastapi import APIRouter, Depends

from api.access import authorize
from api.deps import CustomerKeysDep, EngineDep
from api.schemas import ErasureBody, ErasurePublic
from services.customers import erase_customer

router = APIRouter(prefix="/v1/customers", tags=["customers"], dependencies=[Depends(authorize)])


@router.post("/erasure", response_model=ErasurePublic)
async def erase(body: ErasureBody, engine: EngineDep, keys: CustomerKeysDep) -> ErasurePublic:
    """Destroy the customer's key (their data in every workflow history becomes unreadable) and redact
    the orders' read model and messages. Refused while an order of theirs is still running."""
    return ErasurePublic(orders=await erase_customer(engine, keys, body.email))
