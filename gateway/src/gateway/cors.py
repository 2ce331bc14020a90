"""CORS at the gateway: Starlette's middleware, with its answers to preflights in the contract's shape.

Starlette answers a refused preflight with a plain-text 400 and an accepted one with a plain-text "OK"; here
the refusal is the error envelope and the acceptance an empty 204 (any 2xx passes a browser's preflight).
"""

from __future__ import annotations

from asgi_correlation_id import correlation_id
from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response

from todo_shared.handlers import render_error
from todo_shared.request_id import HEADER, is_sane_request_id, new_request_id

__all__ = ["EnvelopeCORSMiddleware"]


class EnvelopeCORSMiddleware(CORSMiddleware):
    """``CORSMiddleware`` whose preflight answers are a 204 or the 400 envelope, with the request id."""

    def preflight_response(self, request_headers: Headers) -> Response:
        answer = super().preflight_response(request_headers)
        rid = request_headers.get(HEADER, "")
        if not is_sane_request_id(rid):
            rid = new_request_id()
        headers = {k: v for k, v in answer.headers.items() if k.startswith("access-control-") or k == "vary"}
        headers[HEADER] = rid
        if answer.status_code == 200:
            return Response(status_code=204, headers=headers)
        # Starlette names what failed: "Disallowed CORS origin, method".
        failed = bytes(answer.body).decode().removeprefix("Disallowed CORS ")
        detail = f"Cross-origin request refused: {failed} not allowed"
        token = correlation_id.set(rid)
        try:
            return render_error(400, "cors_refused", detail, headers=headers)
        finally:
            correlation_id.reset(token)
