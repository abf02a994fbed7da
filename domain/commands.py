"""What stores, customers and support ask of an order (the payloads of its updates)."""

import re
from enum import StrEnum

from pydantic import Field, model_validator

from domain.contract import Contract, PlainLine
from domain.notifications import NotificationKind
from domain.policy import ChoiceOption
from domain.values import Actor, Address, ArrivalStage, PickedLine, PickupPlace, Reason, ShortLine, StoreId


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


class ProofKind(StrEnum):
    """How the retailer wants a handover proven, beyond the pickup code the customer always gives."""

    CODE = "code"  # the pickup code alone
    ID_CHECK = "id_check"  # an identity document was looked at: its type is noted, never its number
    SIGNATURE = "signature"  # the customer signed on the tablet


class IdType(StrEnum):
    ID_CARD = "id_card"
    PASSPORT = "passport"
    DRIVING_LICENCE = "driving_licence"
    RESIDENCE_PERMIT = "residence_permit"


SIGNATURE_MAX = 60_000  # characters: a few strokes as an SVG path, or a small PNG as a data URL
_SVG_PATH = re.compile(r"^[MLml0-9 .,-]+$")
_PNG_DATA_URL = re.compile(r"^data:image/png;base64,[A-Za-z0-9+/]+=*$")


class HandoverProof(Contract):
    """What was checked at handover, kept with the order and shown to support. An ID check records the
    document's type only (a closed list: no number can be written down)."""

    kind: ProofKind = ProofKind.CODE
    id_type: IdType | None = None
    signature: str | None = Field(
        default=None, max_length=SIGNATURE_MAX, description="SVG path data (M/L commands) or a PNG data URL"
    )

    @model_validator(mode="after")
    def _complete(self) -> "HandoverProof":
        if (self.kind is ProofKind.ID_CHECK) != (self.id_type is not None):
            raise ValueError("an ID check notes the document's type, and only an ID check does")
        if (self.kind is ProofKind.SIGNATURE) != (self.signature is not None):
            raise ValueError("a signature proof carries the signature, and only it does")
        if self.signature is not None and not (
            _SVG_PATH.match(self.signature) or _PNG_DATA_URL.match(self.signature)
        ):
            raise ValueError("a signature is SVG path data (M and L commands) or a PNG data URL")
        return self


class Collection(Contract):
    pickup_code: str = Field(pattern=r"^[0-9]{6}$")
    actor: Actor
    lines: list[PickedLine] | None = Field(
        default=None,
        description="what the customer takes, when not everything: the rest is released and refunded",
    )
    proof: HandoverProof | None = Field(
        default=None,
        description="what was checked beyond the code, as the retailer asks (kept with the order)",
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


CUSTOMER = "customer"  # the actor of what the customer does on their own page


class CustomerCheckIn(Contract):
    """ "I'm on my way" or "I'm here", in store or at the curb (with the car, and the bay once there)."""

    stage: ArrivalStage
    place: PickupPlace = PickupPlace.IN_STORE
    car: PlainLine | None = Field(default=None, max_length=80, examples=["red Clio, AB-123-CD"])
    bay: PlainLine | None = Field(default=None, max_length=10, examples=["3"])
    actor: Actor = CUSTOMER

    @model_validator(mode="after")
    def _curbside_needs_the_car(self) -> "CustomerCheckIn":
        if self.place is PickupPlace.CURBSIDE and not self.car:
            raise ValueError("curbside pickup needs a description of the car")
        if self.place is PickupPlace.CURBSIDE and self.stage is ArrivalStage.HERE and not self.bay:
            raise ValueError("say which bay the car is in")
        return self


class CollectorNaming(Contract):
    """Someone else collects the order: the store sees their name at handover (None: the customer)."""

    name: PlainLine | None = Field(default=None, min_length=1, max_length=100)
    actor: Actor = CUSTOMER
