"""The one way out to the live channel (Socket.IO), for everything but the queue's own events.

The queue service hands its versioned events (queueing.events.Event) to the same publisher
itself, after each commit; the pages' handlers and the background work hand it one of these
messages with publish(). display/live.py builds the publisher and decides who hears what, so
no surface imports the Socket.IO module to be heard.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app


@dataclass(frozen=True)
class NoticesChanged:
    """The running text or a service's notice changed: every screen shows the new ones."""
    notices: dict


@dataclass(frozen=True)
class PrintProgress:
    """A print job moved (queued, printed, failed): its kiosk and the staff hear of it."""
    job: dict


@dataclass(frozen=True)
class SessionEnded:
    """A console logged out: its sockets stop hearing what is for staff only."""
    session_id: int


@dataclass(frozen=True)
class KiosksRevoked:
    """Kiosk devices were revoked: their open sockets are closed now."""


def publish(message) -> None:
    """Hand a message to the running app's live channel."""
    current_app.extensions["publish"](message)
