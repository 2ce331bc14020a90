"""Better Auth's protocol under ``/api/auth``, on the same users and sessions as ``auth.routes``.

Statuses, bodies, cookies, headers and error codes follow WIRE.md and WIRE-ACCOUNT.md (better-auth 1.7.25 as
observed on the wire), except where the README lists a deliberate difference. Errors Better Auth defines carry
its UPPER_SNAKE code; the rest (429, 503) keep the contract's codes. Modules by role: ``wire`` (shapes),
``body`` (reading a body as zod does), ``session`` (who is calling, cookies, the origin rule), and the routes by
area: ``sign_in``, ``profile``, ``email_links``, ``sessions``. The rules themselves are in ``auth.service`` and
``auth.accounts``.
"""

from __future__ import annotations

from fastapi import APIRouter

from auth.better_auth import email_links, profile, sessions, sign_in
from auth.better_auth.wire import BetterAuthError

__all__ = ["BetterAuthError", "routers"]

# Each carries the full prefix and goes into the app as it is: FastAPI keeps an included router's routes as they
# were declared, and the request metrics label a request with its route's own path.
routers: tuple[APIRouter, ...] = (sign_in.router, email_links.router, profile.router, sessions.router)
