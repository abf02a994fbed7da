"""Failures that retries never heal fail an activity for good (non-retryable), under a stable type, so
the workflow decides at once (it parks the order) instead of retrying: a payment conflict (capture after
void, void after capture, a refund beyond what is held), an entry the payments ledger cannot hold, data
the database refuses (out of range, a constraint)."""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import DataError, IntegrityError
from temporalio.exceptions import ApplicationError

from adapters.db import payments

CONFLICT, UNRECORDABLE, REFUSED = "PaymentConflict", "PaymentUnrecordable", "DataRefused"


@contextmanager
def failing_for_good() -> Iterator[None]:
    """Raise the deterministic failures of the block as non-retryable application errors."""
    try:
        yield
    except payments.PaymentConflict as error:
        raise ApplicationError(str(error), type=CONFLICT, non_retryable=True) from error
    except payments.PaymentUnrecordable as error:
        message, *details = error.args
        raise ApplicationError(message, *details, type=UNRECORDABLE, non_retryable=True) from error
    except (DataError, IntegrityError) as error:  # the same data is refused the same way every time
        message = f"the database refused the data: {type(error.orig).__name__}"
        raise ApplicationError(message, str(error.orig), type=REFUSED, non_retryable=True) from error
