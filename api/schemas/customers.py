"""HTTP contracts of customers' data: erasure and key rewrapping."""

from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field

from domain.contract import storable_text

# ---- customers ------------------------------------------------------------------------------------


class ErasureBody(BaseModel):
    email: Annotated[str, AfterValidator(storable_text)] = Field(
        min_length=3, max_length=254, description="the email the customer ordered with"
    )


class ErasurePublic(BaseModel):
    orders: list[str]
    dead_letters: list[int] = []
    message: str = "personal data erased from orders, messages, dead letters and workflow histories"


class RewrapPublic(BaseModel):
    rewrapped: int = Field(description="customer keys rewrapped under the active master key")
