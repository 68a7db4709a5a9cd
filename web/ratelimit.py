"""Rate limits per kiosk and per address, with the limits library's moving window."""
from __future__ import annotations

import limits
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from queueing.model import QueueError


class TooMany(QueueError):
    status, code = 429, "rate_limited"


class RateLimits:
    """Named limits such as visits_per_kiosk = "20/minute"; an empty string turns one off."""

    def __init__(self, rates: dict[str, str]):
        self._items = {name: limits.parse(rate) for name, rate in rates.items() if rate}
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    def hit(self, name: str, key: str, message: str) -> None:
        """Count one use of key under the named limit; raise TooMany past it."""
        item = self._items.get(name)
        if item is not None and not self._limiter.hit(item, name, key):
            raise TooMany(message)
