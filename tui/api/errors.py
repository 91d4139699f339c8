"""The one error hierarchy every provider raises, so screens never look at HTTP details.

Messages are the API's own words where it gave any (Together's ``{"error": {"message": ...}}`` body),
so the user reads what the service said, plus a request id to quote to support.
"""

from __future__ import annotations


class APIError(Exception):
    """Base class: anything that went wrong talking to a provider."""

    #: A short phrase naming the class of failure, for status bars ("rate limited").
    kind = "API error"

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        error_type: str | None = None,
        param: str | None = None,
        request_id: str | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.error_type = error_type
        #: The service's own name of the field it refused (e.g. ``autoscaling.min_replicas``), as sent.
        self.param = param
        self.request_id = request_id
        #: The same field in domain words (``min_replicas``), set by the provider's adapter; forms read this.
        self.field = field

    def __str__(self) -> str:
        # A 2xx status in front would read like an error code ("200 invalid response").
        prefix = f"{self.status} " if self.status and self.status >= 400 else ""
        return f"{prefix}{self.kind}: {self.message}"

    @property
    def retryable(self) -> bool:
        """Whether trying the same request again later may succeed."""
        return False


class AuthenticationError(APIError):
    """401 or 403: the key is missing, wrong, revoked, or lacks permission."""

    kind = "authentication failed"


class V1RetiredError(APIError):
    """403 ``endpoints_v1_create_access_disabled``: Together's v1 API no longer creates or restarts endpoints.

    Not an AuthenticationError: the key works (list, update, stop and delete still do); the way forward is a
    v2 deployment, so screens must never read this as "key refused".
    """

    kind = "v1 retired"

    #: What the user reads, whatever the service said (its words read like a permissions problem).
    guidance = "Together's v1 API no longer creates or restarts endpoints: redeploy on v2"

    def __init__(self, service_message: str | None = None, **kwargs: object) -> None:
        super().__init__(self.guidance, **kwargs)  # type: ignore[arg-type]
        #: The service's own (cleaned) words, for a details view or a log.
        self.service_message = service_message


class NotFoundError(APIError):
    kind = "not found"


class BadRequestError(APIError):
    """400/422: the service refused the request as invalid; its message says why."""

    kind = "request refused"


class EndpointNotRunningError(BadRequestError):
    """Nothing is running to answer (Together: 400 ``dedicated_endpoint_not_running`` or
    ``model_not_available``; each adapter decides which of its answers mean this)."""

    kind = "endpoint not running"


class PaymentRequiredError(APIError):
    """402: spending limit reached or credits exhausted."""

    kind = "payment required"


class ConflictError(APIError):
    kind = "conflict"


class RateLimitError(APIError):
    kind = "rate limited"

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: object) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        #: Seconds the service asked us to wait, when it said.
        self.retry_after = retry_after

    @property
    def retryable(self) -> bool:
        return True


class ServerError(APIError):
    """5xx: the service failed; usually passing."""

    kind = "server error"

    @property
    def retryable(self) -> bool:
        return True


class APITimeoutError(APIError):
    kind = "timed out"

    @property
    def retryable(self) -> bool:
        return True


class ConnectionFailedError(APIError):
    """No HTTP answer at all: DNS, refused, reset, TLS."""

    kind = "connection failed"

    @property
    def retryable(self) -> bool:
        return True


class InvalidResponseError(APIError):
    """The service answered, but not with what the API promises (malformed JSON, wrong shape)."""

    kind = "invalid response"


class ResponseTooLargeError(InvalidResponseError):
    """A body or an event past the size cap: reading on would hold unbounded data in memory."""

    kind = "response too large"


class StreamError(APIError):
    """A streamed response carried an ``error`` event after it had started."""

    kind = "stream error"


class StreamTruncatedError(APIError):
    """A stream ended (or broke) before ``data: [DONE]``; what arrived before stays valid."""

    kind = "stream cut"

    def __init__(self, message: str, *, chunks_received: int = 0, **kwargs: object) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.chunks_received = chunks_received


