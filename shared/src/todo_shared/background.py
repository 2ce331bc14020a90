"""Helpers for the services' background loops (denylist sync, outbox relay, event consumer, mail senders)."""

from __future__ import annotations

import asyncio

__all__ = ["reraise_cancellation"]


def reraise_cancellation(exc: BaseException | None = None) -> None:
    """Raise ``CancelledError`` if this task was cancelled and the cancellation got lost on the way.

    redis-py can swallow a cancellation that lands inside a command (seen with redis 8.1 on Python 3.11): the
    command then returns, or raises its own error (``exc``), and a loop that goes on would never stop, hanging the
    app's shutdown. Loops call this after every step.
    """
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError from exc
