"""Several server processes on one database ([server] workers > 1, SPEC "Capacity").

The database's events table is the one ordered record of changes. Each process announces to its
own sockets every version in order: its own changes after they commit, and the others' as it
catches up, which it does at the start of each of its transactions (queueing.events.EventLog.
catch_up, so theirs go out before its own) and whenever the doorbell rings. The doorbell is a
Redis channel on which a process, once it has committed a change, says its version; the others
then read what they have not announced from the database. A lost ring (Redis restarting) only
delays: the background loop catches up every 2 s anyway, and nothing is ever announced out of
order or twice. Messages without a version (print progress, notices) go through Flask-SocketIO's
own Redis message queue, to whichever process holds the socket.

The work that must run once (the print process, closing the day, the calendar's marks, missed
bookings) runs in the process that holds the leader lock, a file lock beside the database: when
that process dies the lock is free and another takes it within a poll.
"""
from __future__ import annotations

import fcntl
import logging
import os
import threading
import time
from pathlib import Path
from typing import Callable

log = logging.getLogger(__name__)

RETRY_SECONDS = (0.5, 1, 2, 5)  # the listener's waits between attempts to reach Redis


def channel_name(database: Path) -> str:
    """The doorbell's channel: one per database, so two offices on one Redis never mix."""
    return f"antrian:versions:{os.path.realpath(database)}"


class Doorbell:
    """Ring with a version this process committed; listen for the others' rings."""

    def __init__(self, url: str, channel: str):
        import redis  # only a multi-process installation needs it

        self.channel = channel
        self.client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self._failing = False

    def ring(self, version: int) -> None:
        """Say that version is committed; a failure is logged once until it works again."""
        try:
            self.client.publish(self.channel, str(version))
            if self._failing:
                log.info("the doorbell works again")
            self._failing = False
        except Exception as e:  # noqa: BLE001 - Redis down: the others catch up by polling
            if not self._failing:
                log.warning("the doorbell could not ring (%s); the other processes catch up every 2 s", e)
            self._failing = True

    def listen(self, heard: Callable[[int], None]) -> threading.Thread:
        """Call heard(version) for each ring, from a thread that reconnects for as long as the process lives."""
        thread = threading.Thread(target=self._listen, args=(heard,), name="doorbell", daemon=True)
        thread.start()
        return thread

    def _listen(self, heard: Callable[[int], None]) -> None:
        attempt = 0
        while True:
            try:
                pubsub = self.client.pubsub(ignore_subscribe_messages=True)
                pubsub.subscribe(self.channel)
                attempt = 0
                heard(0)  # rings may have been missed while away: catch up once now
                for message in pubsub.listen():
                    if message.get("type") == "message":
                        heard(int(message["data"]))
            except Exception as e:  # noqa: BLE001 - reconnect, with a growing pause
                wait = RETRY_SECONDS[min(attempt, len(RETRY_SECONDS) - 1)]
                if attempt == 0:
                    log.warning("the doorbell's listener lost Redis (%s); retrying", e)
                attempt += 1
                time.sleep(wait)


class LeaderLock:
    """A file lock beside the database: whoever holds it does the work that must run once."""

    def __init__(self, database: Path):
        self.path = Path(f"{database}.leader")
        self._file = None

    def held(self) -> bool:
        """Whether this process holds the lock, taking it if it is free."""
        if self._file is not None:
            return True
        handle = open(self.path, "a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._file = handle  # held until this process ends
        log.info("this process (%d) now runs the work that runs once", os.getpid())
        return True
