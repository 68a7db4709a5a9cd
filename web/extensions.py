"""The running app's parts, as the request handlers reach them (what create_app put in
app.extensions)."""
from __future__ import annotations

from flask import current_app

from queueing.printjobs import PrintJobs
from queueing.service import QueueService


def queue_service() -> QueueService:
    return current_app.extensions["queue"]


def printjobs() -> PrintJobs:
    return current_app.extensions["printjobs"]
