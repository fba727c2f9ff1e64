"""Typed errors that carry their HTTP meaning; the API layer turns them into JSON bodies."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError


class DomainError(Exception):
    """Base error: an HTTP status, a stable machine-readable code and a human message."""

    status_code = 400
    code = "bad_request"

    def __init__(self, message: str, *, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def headers(self) -> dict[str, str]:
        """HTTP headers the answer carries besides the JSON body."""
        return {}

    def to_body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details is not None:
            error["details"] = self.details
        return {"error": error}


class NotAuthenticated(DomainError):
    status_code = 401
    code = "not_authenticated"


class AccountDeactivated(NotAuthenticated):
    """The credentials or the session are right, but an admin deactivated the account."""

    code = "account_deactivated"


class Forbidden(DomainError):
    status_code = 403
    code = "forbidden"


class NotFound(DomainError):
    status_code = 404
    code = "not_found"


class Conflict(DomainError):
    status_code = 409
    code = "conflict"


class PayloadTooLarge(DomainError):
    status_code = 413
    code = "payload_too_large"


class InvalidInput(DomainError):
    status_code = 422
    code = "invalid_input"

    @classmethod
    def of(cls, message: str, exc: ValidationError, *, whole: str = "body") -> InvalidInput:
        """``message``, with one ``{field, message}`` detail per error pydantic found (an error
        of no one field names the ``whole`` input)."""
        details = [
            {"field": ".".join(str(p) for p in err["loc"]) or whole, "message": err["msg"]}
            for err in exc.errors(include_url=False)
        ]
        return cls(message, details=details)


class InvalidBeacon(InvalidInput):
    """A malformed beacon: a missing parameter, an unknown event, a bad time or error code."""

    code = "invalid_beacon"


class InvalidSignature(Forbidden):
    """A beacon whose signature is missing or does not match its parameters."""

    code = "invalid_signature"


class BeaconExpired(DomainError):
    """A correctly signed beacon fired after the accepted window."""

    status_code = 410
    code = "beacon_expired"


class TooManyAttempts(DomainError):
    status_code = 429
    code = "too_many_attempts"

    def __init__(self, message: str, *, retry_after_seconds: int) -> None:
        super().__init__(message, details={"retry_after_seconds": retry_after_seconds})
        self.retry_after_seconds = retry_after_seconds

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after_seconds)}


class Unavailable(DomainError):
    status_code = 503
    code = "unavailable"


class UpstreamFailed(DomainError):
    """A service we call for the user (the operator's webhook) failed or refused."""

    status_code = 502
    code = "upstream_failed"


class MethodNotAllowed(DomainError):
    status_code = 405
    code = "method_not_allowed"
