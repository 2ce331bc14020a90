"""Errors every service raises; one handler renders them all as the contract's JSON envelope.

AppError                  status, code, detail, headers
 ├── BadRequest           400
 ├── Unauthorized         401  (adds ``WWW-Authenticate: Bearer``)
 ├── Forbidden            403
 ├── NotFound             404
 ├── PayloadTooLarge      413
 ├── TooManyRequests      429  (adds ``Retry-After``)
 ├── ServiceUnavailable   503
 └── BadGateway           502
      └── GatewayTimeout  504
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = [
    "AppError",
    "BadGateway",
    "BadRequest",
    "Forbidden",
    "GatewayTimeout",
    "NotFound",
    "PayloadTooLarge",
    "ServiceUnavailable",
    "TooManyRequests",
    "Unauthorized",
]


class AppError(Exception):
    """An error with a status, a stable snake_case code and one human-readable sentence."""

    status_code = 500
    code = "internal_error"
    detail = "Internal server error"

    def __init__(
        self,
        detail: str | None = None,
        *,
        code: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.detail = detail or type(self).detail
        self.code = code or type(self).code
        self.headers: dict[str, str] = dict(headers or {})
        super().__init__(self.detail)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status_code={self.status_code}, code={self.code!r}, detail={self.detail!r})"


class BadRequest(AppError):
    status_code = 400
    code = "bad_request"
    detail = "Bad request"


class Unauthorized(AppError):
    status_code = 401
    code = "not_authenticated"
    detail = "Not authenticated"

    def __init__(self, detail: str | None = None, *, code: str | None = None) -> None:
        super().__init__(detail, code=code, headers={"WWW-Authenticate": "Bearer"})


class Forbidden(AppError):
    status_code = 403
    code = "forbidden"
    detail = "Access denied to this resource"


class NotFound(AppError):
    status_code = 404
    code = "not_found"
    detail = "Not found"


class PayloadTooLarge(AppError):
    status_code = 413
    code = "payload_too_large"
    detail = "Request body is too large"


class TooManyRequests(AppError):
    status_code = 429
    code = "rate_limited"
    detail = "Too many requests, try again later"

    def __init__(self, retry_after: int, detail: str | None = None) -> None:
        super().__init__(detail, headers={"Retry-After": str(max(1, retry_after))})


class ServiceUnavailable(AppError):
    status_code = 503
    code = "service_unavailable"
    detail = "Service temporarily unavailable"


class BadGateway(AppError):
    status_code = 502
    code = "bad_gateway"
    detail = "Upstream service unavailable"


class GatewayTimeout(BadGateway):
    status_code = 504
    code = "gateway_timeout"
    detail = "Upstream service timed out"
