"""The access log without customers' tracking tokens: a link's path is all it takes to follow an order,
and access logs are kept, shipped and read far more widely than the orders themselves."""

import logging

from domain.personal import mask_tracking

ACCESS_LOGGER = "uvicorn.access"


class TrackingTokenMask(logging.Filter):
    """Masks `/v1/track/...` and `/track/...` paths in a record's message and arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = mask_tracking(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(mask_tracking(arg) if isinstance(arg, str) else arg for arg in record.args)
        return True


def mask_tracking_tokens(logger_name: str = ACCESS_LOGGER) -> None:
    """Install the mask on the access logger, once; uvicorn's own logging set-up keeps it."""
    logger = logging.getLogger(logger_name)
    if not any(isinstance(existing, TrackingTokenMask) for existing in logger.filters):
        logger.addFilter(TrackingTokenMask())
