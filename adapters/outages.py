"""Which failures mean "a server is unavailable" (retry later) rather than "a bug": PostgreSQL that
cannot be reached or is shutting down, Temporal that cannot be reached or did not answer in time."""

from sqlalchemy import exc
from temporalio.service import RPCError, RPCStatusCode

UNREACHABLE_SQLSTATES = ("08", "57P01", "57P02", "57P03", "53300")
"""Connection exceptions, administrator / crash shutdown, server starting up, too many connections."""

TEMPORAL_UNAVAILABLE = (RPCStatusCode.UNAVAILABLE, RPCStatusCode.DEADLINE_EXCEEDED)
TRANSPORT_ERRORS = ("transport error", "tcp connect error", "h2 protocol error")


def database_unavailable(error: BaseException) -> bool:
    """PostgreSQL cannot be reached, refused the connection, or the pool had none free in time."""
    if isinstance(error, exc.TimeoutError):  # the pool's wait for a connection
        return True
    if not isinstance(error, exc.OperationalError | exc.InterfaceError):
        return False
    if error.connection_invalidated:
        return True
    sqlstate = getattr(error.orig, "sqlstate", None)
    # A failed connect carries no SQLSTATE (the server never answered).
    return sqlstate is None or sqlstate.startswith(UNREACHABLE_SQLSTATES)


def temporal_unavailable(error: BaseException) -> bool:
    """Temporal cannot be reached or did not answer in time."""
    if isinstance(error, RPCError):  # a connection dropped mid-call comes as UNKNOWN "transport error"
        return error.status in TEMPORAL_UNAVAILABLE or (
            error.status is RPCStatusCode.UNKNOWN and error.message.startswith(TRANSPORT_ERRORS)
        )
    # A lazy client that has never reached its server raises this on each call (SDK quirk: no type).
    return isinstance(error, RuntimeError) and str(error).startswith("Failed client connect")


def first_line(error: BaseException, limit: int = 200) -> str:
    """An error's message in one log-friendly line (psycopg's span several)."""
    text = str(getattr(error, "orig", None) or error).strip().splitlines()
    return (text[0] if text else type(error).__name__)[:limit]
