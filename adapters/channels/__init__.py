"""Channel adapters: each turns one sales channel's payload into our one order model.

Adding a channel is one small module with a `ChannelAdapter` and a line in `ADAPTERS`."""

from adapters.channels.base import (
    ChannelAdapter,
    ChannelContext,
    FieldError,
    PayloadRejected,
    SignatureRejected,
)

__all__ = [
    "ChannelAdapter",
    "ChannelContext",
    "FieldError",
    "PayloadRejected",
    "SignatureRejected",
    "adapters",
]


def adapters() -> dict[str, ChannelAdapter]:
    from adapters.channels.shopify import ShopifyAdapter

    return {"shopify": ShopifyAdapter()}
