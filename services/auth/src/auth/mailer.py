"""Email off the request path: a bounded in-process queue, a few senders, retries with exponential backoff.

A request only *submits* a job (never waits, never fails because of mail). A job composes its message in the
background (database work included: issuing the emailed token) and delivers it over SMTP with aiosmtplib;
a failed attempt is retried later, and after the last one the email is given up. Every outcome is counted
(``todo_emails_total``) and failures are logged. The queue is in memory: a crash loses what was waiting (the
user asks again); a clean shutdown first delivers what is queued, for a few seconds.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

import aiosmtplib

from todo_shared.background import reraise_cancellation
from todo_shared.metrics import EMAIL_QUEUE_DEPTH, EMAIL_SEND_FAILURES, EMAILS

__all__ = ["Composer", "Mailer", "SmtpTransport"]

log = logging.getLogger("auth.mailer")

# Builds the message when its turn comes; ``None`` means there is nothing to send (e.g. an unknown address).
Composer = Callable[[], Awaitable[EmailMessage | None]]

_DEFAULT_PORTS = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}


class SmtpTransport:
    """Deliver messages to the server named by ``SMTP_URL``, with its credentials and TLS mode."""

    def __init__(self, url: str, *, timeout_seconds: float) -> None:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        self._hostname = parts.hostname or "localhost"
        self._port = parts.port or _DEFAULT_PORTS[scheme]
        self._username = unquote(parts.username) if parts.username else None
        self._password = unquote(parts.password) if parts.password else None
        self._use_tls = scheme == "smtps"
        # smtp://: STARTTLS when the server offers it (None); smtp+starttls://: required; smtps://: TLS from the start.
        self._start_tls: bool | None = True if scheme == "smtp+starttls" else (False if self._use_tls else None)
        self._timeout = timeout_seconds

    async def send(self, message: EmailMessage) -> None:
        """Hand one message to the server; raise whatever aiosmtplib raised."""
        await aiosmtplib.send(
            message,
            hostname=self._hostname,
            port=self._port,
            username=self._username,
            password=self._password,
            use_tls=self._use_tls,
            start_tls=self._start_tls,
            timeout=self._timeout,
        )


@dataclass(slots=True)
class _Job:
    kind: str
    compose: Composer
    message: EmailMessage | None = None
    failures: int = 0


class Mailer:
    """Queue email jobs and deliver them with retries; ``start`` and ``stop`` belong to the app's lifespan."""

    def __init__(
        self,
        transport: SmtpTransport,
        *,
        queue_size: int,
        max_attempts: int,
        retry_base_seconds: float,
        workers: int,
    ) -> None:
        self._transport = transport
        self._queue: asyncio.Queue[_Job] = asyncio.Queue(maxsize=queue_size)
        self._max_attempts = max_attempts
        self._retry_base = retry_base_seconds
        self._workers = workers
        self._tasks: set[asyncio.Task[None]] = set()
        self._waiting_retries = 0

    def submit(self, kind: str, compose: Composer) -> None:
        """Queue an email; never blocks and never raises (a full queue drops it, logged and counted)."""
        try:
            self._queue.put_nowait(_Job(kind, compose))
        except asyncio.QueueFull:
            EMAILS.labels(kind, "dropped").inc()
            log.error("mail queue full (%d): a %s email was dropped", self._queue.maxsize, kind)
        self._gauge()

    def start(self) -> None:
        """Start the senders."""
        for n in range(self._workers):
            self._spawn(self._work(), f"mail-sender-{n}")

    async def stop(self, *, drain_seconds: float) -> None:
        """Deliver what is queued for up to ``drain_seconds``, then stop (retries still waiting are given up)."""
        try:
            await asyncio.wait_for(self._queue.join(), timeout=drain_seconds)
        except TimeoutError:
            log.warning("mail queue not drained at shutdown: %d emails not sent", self._queue.qsize())
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def _spawn(self, coro: Awaitable[None], name: str) -> None:
        task = asyncio.ensure_future(coro)
        task.set_name(name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _gauge(self) -> None:
        EMAIL_QUEUE_DEPTH.set(self._queue.qsize() + self._waiting_retries)

    async def _work(self) -> None:
        while True:
            job = await self._queue.get()
            try:
                await self._attempt(job)
            finally:
                self._queue.task_done()
                self._gauge()
            reraise_cancellation()

    async def _attempt(self, job: _Job) -> None:
        try:
            if job.message is None:
                job.message = await job.compose()
                if job.message is None:
                    EMAILS.labels(job.kind, "skipped").inc()
                    return
            await self._transport.send(job.message)
        # A sender must outlive any one email's failure, whatever it is (SMTP, DNS, TLS, the database while
        # composing): it is counted, logged, and retried.
        except Exception as exc:
            reraise_cancellation(exc)
            self._failed(job, exc)
            return
        EMAILS.labels(job.kind, "sent").inc()
        log.info("%s email sent", job.kind)

    def _failed(self, job: _Job, exc: Exception) -> None:
        job.failures += 1
        EMAIL_SEND_FAILURES.labels(job.kind, type(exc).__name__).inc()
        if job.failures >= self._max_attempts:
            EMAILS.labels(job.kind, "gave_up").inc()
            log.error("%s email given up after %d attempts: %s: %s", job.kind, job.failures, type(exc).__name__, exc)
            return
        delay = self._retry_base * 2 ** (job.failures - 1)
        log.warning(
            "%s email attempt %d failed (%s: %s), retrying in %.0f s",
            job.kind,
            job.failures,
            type(exc).__name__,
            exc,
            delay,
        )
        self._spawn(self._retry_later(job, delay), f"mail-retry-{job.kind}")

    async def _retry_later(self, job: _Job, delay: float) -> None:
        self._waiting_retries += 1
        try:
            await asyncio.sleep(delay)
        finally:
            self._waiting_retries -= 1
        try:
            self._queue.put_nowait(job)
        except asyncio.QueueFull:
            EMAILS.labels(job.kind, "dropped").inc()
            log.error("mail queue full (%d): a %s email retry was dropped", self._queue.maxsize, job.kind)
        self._gauge()
