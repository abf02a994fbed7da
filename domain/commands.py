"""What stores, customers and support ask of an order (the payloads of its updates)."""

from pydantic import Field

from domain.notifications import NotificationKind
from domain.policy import ChoiceOption
from domain.values import Actor, Address, Contract, PickedLine, Reason, ShortLine, StoreId


class ShortPick(Contract):
    """The store could not pick everything: per line, how many units are missing and why."""

    lines: list[ShortLine] = Field(min_length=1)
    actor: Actor


class StoreRejection(Contract):
    reason: Reason
    actor: Actor


class CustomerChoice(Contract):
    option: ChoiceOption
    store_id: StoreId | None = Field(default=None, description="for other_store: one of the offered stores")
    delivery_address: Address | None = Field(default=None, description="for home_delivery")
    actor: Actor = "customer"


class PickReport(Contract):
    lines: list[PickedLine] = Field(min_length=1)
    actor: Actor


class ReadyReport(Contract):
    staging_location: str = Field(min_length=1, max_length=60, examples=["shelf B3"])
    actor: Actor


class StoreAcceptance(Contract):
    actor: Actor


class Collection(Contract):
    pickup_code: str = Field(pattern=r"^[0-9]{6}$")
    actor: Actor
    lines: list[PickedLine] | None = Field(
        default=None,
        description="what the customer takes, when not everything: the rest is released and refunded",
    )


class Cancellation(Contract):
    reason: Reason
    actor: Actor = "support"


class ResendRequest(Contract):
    kind: NotificationKind
    actor: Actor = "support"


class SupportAction(Contract):
    actor: Actor = "support"
    reason: Reason = "checked with the customer"
