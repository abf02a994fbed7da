"""Erasure of a customer's personal data (GDPR), a support and ops action; customer keys rewrapped after
a master key rotation (ops)."""

from fastapi import APIRouter, Depends

from api.access import authorize
from api.deps import ClientDep, CustomerKeysDep, EngineDep
from api.schemas import ErasureBody, ErasurePublic, RewrapPublic
from services.customers import erase_customer, rewrap_keys

router = APIRouter(prefix="/v1/customers", tags=["customers"], dependencies=[Depends(authorize)])


@router.post("/erasure", response_model=ErasurePublic)
async def erase(body: ErasureBody, engine: EngineDep, keys: CustomerKeysDep) -> ErasurePublic:
    """Destroy the customer's key (their data in every workflow history becomes unreadable) and redact
    the orders' read model, messages and the dead letters naming them. Refused while an order of
    theirs is still running."""
    erased = await erase_customer(engine, keys, body.email)
    return ErasurePublic(orders=erased.orders, dead_letters=erased.dead_letters)


@router.post("/keys/rewrap", response_model=RewrapPublic)
async def rewrap(client: ClientDep) -> RewrapPublic:
    """Rewrap every customer key under the active master key (the active OMS_PAYLOAD_KEY_ID), so the
    previous one can be retired: see docs/security.md."""
    codec = client.data_converter.payload_codec
    return RewrapPublic(rewrapped=await rewrap_keys(getattr(codec, "customer_keys", None)))
