"""Rate limits per kiosk, per address and per account, with the limits library's moving window."""
from __future__ import annotations

import math
import time

import limits
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from queueing.model import QueueError


class TooMany(QueueError):
    """Past a rate limit; retry_after is the seconds until the window lets one through (Retry-After)."""

    status, code = 429, "rate_limited"

    def __init__(self, message: str, retry_after: int | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class RateLimits:
    """Named limits such as visits_per_kiosk = "20/minute"; an empty string turns one off."""

    def __init__(self, rates: dict[str, str]):
        self._items = {name: limits.parse(rate) for name, rate in rates.items() if rate}
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    def hit(self, name: str, key: str, message: str) -> None:
        """Count one use of key under the named limit; raise TooMany past it. message may
        say "{wait}", which becomes how long to wait, in words ("sekitar 40 detik")."""
        item = self._items.get(name)
        if item is not None and not self._limiter.hit(item, name, key):
            self._refuse(item, name, key, message)

    def check(self, name: str, key: str, message: str) -> None:
        """Raise TooMany when key has no use left under the named limit; count nothing."""
        item = self._items.get(name)
        if item is not None and not self._limiter.test(item, name, key):
            self._refuse(item, name, key, message)

    def count(self, name: str, key: str) -> None:
        """Count one use of key under the named limit, without refusing anything."""
        item = self._items.get(name)
        if item is not None:
            self._limiter.hit(item, name, key)

    def _refuse(self, item, name: str, key: str, message: str):
        seconds = self._retry_after(item, name, key)
        raise TooMany(message.replace("{wait}", wait_words(seconds)), seconds)

    def _retry_after(self, item, name: str, key: str) -> int:
        # The moving window frees a use when its oldest counted use leaves the window.
        reset = self._limiter.get_window_stats(item, name, key).reset_time
        return max(1, math.ceil(reset - time.time()))


def wait_words(seconds: int) -> str:
    """How long to wait, as a visitor reads it: "sekitar 40 detik", "sekitar 3 menit"."""
    if seconds < 60:
        return f"sekitar {seconds} detik"
    return f"sekitar {math.ceil(seconds / 60)} menit"
