"""How often a tracking link may act: at most `limit` actions (check-in, naming who collects, a choice,
a cancellation) per order in any `window`. Kept in memory per API process: with N processes behind a
load balancer an order gets up to N × limit; enough to stop a script hammering one order's workflow."""

import time
from collections import deque
from collections.abc import Callable


class ActionLimit:
    def __init__(
        self, limit: int = 10, window: float = 600.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit, self.window, self._clock = limit, window, clock
        self._seen: dict[str, deque[float]] = {}

    def allow(self, order_id: str) -> bool:
        """Count one action on the order; False (and not counted) once it has had its share."""
        now = self._clock()
        recent = self._seen.setdefault(order_id, deque())
        while recent and recent[0] <= now - self.window:
            recent.popleft()
        if len(recent) >= self.limit:
            return False
        recent.append(now)
        if len(self._seen) > 10_000:  # forget quiet orders so memory stays bounded
            self._seen = {k: v for k, v in self._seen.items() if v and v[-1] > now - self.window}
        return True
