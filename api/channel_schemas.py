"""HTTP contracts of the channel catalogue (api/schemas.py holds the others)."""

from pydantic import BaseModel, Field

from domain.values import Sku


class VariantMappingBody(BaseModel):
    sku: Sku
    account: str = Field(
        default="",
        max_length=120,
        pattern=r"^[A-Za-z0-9._-]*$",
        description="the shop (e.g. my-shop.myshopify.com); empty: every account of the channel",
    )


class VariantMappingPublic(VariantMappingBody):
    channel: str
    variant_id: str
