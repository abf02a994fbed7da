"""Stock rules: what a store can promise, and what a basket lacks there."""

from collections.abc import Mapping

from pydantic import BaseModel

from domain.models import MissingLine, OrderLine


class StockLevel(BaseModel):
    store_id: str
    sku: str
    on_hand: int
    reserved: int

    @property
    def available(self) -> int:
        """What can still be promised: on hand less what is reserved, never below zero."""
        return max(self.on_hand - self.reserved, 0)


def shortages(lines: list[OrderLine], available: Mapping[str, int]) -> list[MissingLine]:
    """The lines a store cannot fill in full; an unknown SKU counts as zero available."""
    return [
        MissingLine(sku=line.sku, requested=line.quantity, available=available.get(line.sku, 0))
        for line in lines
        if available.get(line.sku, 0) < line.quantity
    ]
