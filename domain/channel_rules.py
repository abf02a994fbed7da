"""What a channel must send, and what the OMS repairs or defaults, per channel and per account.

Configured with OMS_CHANNEL_RULES (JSON, docs/channels.md); the same rules apply when a dead letter is
replayed, read from the settings of the day. A configured entry replaces the built-in one whole."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

ProductRef = Literal["sku", "variant", "barcode"]


class ChannelRules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    require: Literal["email_or_phone", "email", "phone"] = Field(
        default="email_or_phone", description="the contact an order must carry"
    )
    unreadable_phone: Literal["keep", "refuse"] = Field(
        default="keep", description="a phone no country's plan can read: kept as given (no SMS), or refused"
    )
    default_country: str | None = Field(
        default=None,
        pattern=r"^[A-Z]{2}$",
        description="how to read a phone without prefix when the pickup store has no country",
    )
    default_name: str | None = Field(
        default=None, max_length=200, description="the customer's name when the channel sends none"
    )
    default_locale: str = Field(default="en", pattern=r"^[a-z]{2}(-[A-Z]{2})?$")
    gift_cards: Literal["skip", "refuse"] = Field(
        default="skip", description="a gift card line has nothing to pick: left out of the order, or refused"
    )
    free_lines: Literal["keep", "skip"] = Field(default="keep", description="a line with a zero price")
    products: list[ProductRef] = Field(
        default=["sku", "variant", "barcode"],
        min_length=1,
        description="how a line names its product, tried in this order",
    )
    money: Literal["shop", "presentment"] = Field(
        default="shop", description="Shopify: the shop's currency, or the one the customer paid in"
    )


BUILT_IN: dict[str, ChannelRules] = {
    # Our own JSON documents E.164: a phone it cannot read is the integrator's bug, refused at once.
    "canonical": ChannelRules(unreadable_phone="refuse"),
    "shopify": ChannelRules(default_name="Shopify customer"),
}


def rules_for(configured: dict[str, ChannelRules], channel: str, account: str | None) -> ChannelRules:
    """The rules of `channel:account`, else of `channel` (configured, then built in), else the defaults."""
    keys = ([f"{channel}:{account}"] if account else []) + [channel]
    for table in (configured, BUILT_IN):
        for key in keys:
            if key in table:
                return table[key]
    return ChannelRules()
