"""What goes on the wire: request ids, Together-shaped error bodies, JSON with injected faults."""

from __future__ import annotations

import json
import random
import string
from typing import Any

from starlette.responses import Response

JSON_MEDIA_TYPE = "application/json"
_ALNUM = string.ascii_letters + string.digits

INVALID_API_KEY_MESSAGE = (
    "Invalid API key provided. You can find your API key at https://api.together.ai/settings/api-keys."
)

# Type strings follow the OpenAI convention Together copies; only `invalid_request_error` is
# confirmed by a captured body (see together-api.md §7), the rest are UNVERIFIED.
_TYPE_BY_STATUS = {
    400: "invalid_request_error",
    401: "invalid_request_error",
    402: "invalid_request_error",
    403: "invalid_request_error",
    404: "invalid_request_error",
    405: "invalid_request_error",
    422: "invalid_request_error",
    429: "rate_limit_error",
}

_DEFAULT_MESSAGES = {
    400: ("Bad request", None),
    401: (INVALID_API_KEY_MESSAGE, "invalid_api_key"),
    402: ("Credit limit exceeded. Please add credits to your account to continue.", "credit_limit"),
    403: ("You do not have permission to access this resource.", None),
    404: ("Not found", None),
    408: ("Request timed out", None),
    409: ("Conflict", None),
    429: ("Rate limit exceeded. Please retry after the time given in the Retry-After header.", "rate_limit_exceeded"),
    500: ("Internal server error", None),
    502: ("Bad gateway", None),
    503: ("The server is overloaded or not ready yet.", "engine_overloaded"),
    504: ("Request timed out", "timeout"),
}


class RequestIds:
    """Ids in Together's shape (`oyGk652-2kFHot-a333e6076c7fc6ca`), from a seeded RNG."""

    def __init__(self, seed: int) -> None:
        self._rng = random.Random(f"ids:{seed}")

    def next(self) -> str:
        rng = self._rng
        first = "".join(rng.choice(_ALNUM) for _ in range(7))
        second = "".join(rng.choice(_ALNUM) for _ in range(6))
        return f"{first}-{second}-{rng.getrandbits(64):016x}"


class ApiError(Exception):
    """Raised by route code; rendered as a Together error body by the dispatcher."""

    def __init__(
        self,
        status: int,
        message: str | None = None,
        *,
        code: str | None = None,
        param: str | None = None,
        type_: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        default_message, default_code = _DEFAULT_MESSAGES.get(status, ("Error", None))
        super().__init__(message or default_message)
        self.status = status
        self.message = message or default_message
        self.code = code if code is not None or message is not None else default_code
        self.param = param
        self.type = type_ or _TYPE_BY_STATUS.get(status, "server_error")
        self.headers = headers or {}

    def error_object(self) -> dict[str, Any]:
        return {"message": self.message, "type": self.type, "param": self.param, "code": self.code}

    def body(self, request_id: str) -> dict[str, Any]:
        return {"id": request_id, "error": self.error_object()}


def add_extra_fields(value: Any) -> Any:
    """Every object gains fields no client knows, as a newer API release would add."""
    if isinstance(value, dict):
        out = {key: add_extra_fields(item) for key, item in value.items()}
        out["x_sim_extra"] = {"note": "unknown field injected by the simulator", "level": 1}
        out["x_sim_flag"] = True
        return out
    if isinstance(value, list):
        return [add_extra_fields(item) for item in value]
    return value


def dumps(payload: Any) -> bytes:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def malform(body: bytes) -> bytes:
    """Cut a JSON document short so that it no longer parses."""
    return body[: max(1, len(body) // 2)] if len(body) > 1 else b"{"


def json_response(
    payload: Any,
    status: int = 200,
    headers: dict[str, str] | None = None,
    *,
    extra_fields: bool = False,
    malformed: bool = False,
) -> Response:
    if extra_fields:
        payload = add_extra_fields(payload)
    body = dumps(payload)
    if malformed:
        body = malform(body)
    return Response(body, status_code=status, headers=headers, media_type=JSON_MEDIA_TYPE)


# google.rpc.Code for the HTTP statuses the v2 routes answer (grpc-gateway's mapping).
_RPC_CODES = {400: 3, 401: 16, 403: 7, 404: 5, 409: 10, 412: 9, 429: 8, 500: 13, 503: 14}
_RPC_NAMES = {3: "INVALID_ARGUMENT", 16: "UNAUTHENTICATED", 7: "PERMISSION_DENIED", 5: "NOT_FOUND",
              10: "ABORTED", 9: "FAILED_PRECONDITION", 8: "RESOURCE_EXHAUSTED", 13: "INTERNAL", 14: "UNAVAILABLE"}


class RpcError(ApiError):
    """A v2 management error in the RPC envelope `{"code", "message", "details"}` (reference §A10).

    Which v2 routes use this envelope rather than `{"error": ...}` is UNVERIFIED; the simulator uses
    it for every v2 management route so that clients are exercised on both.
    """

    def __init__(self, status: int, message: str, *, rpc_code: int | None = None, reason: str | None = None) -> None:
        super().__init__(status, message)
        self.rpc_code = rpc_code if rpc_code is not None else _RPC_CODES.get(status, 2)
        self.reason = reason or _RPC_NAMES.get(self.rpc_code, "UNKNOWN")

    def body(self, request_id: str) -> dict[str, Any]:
        return {
            "code": self.rpc_code,
            "message": self.message,
            "details": [
                {
                    "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                    "reason": self.reason,
                    "domain": "api.together.ai",
                    "metadata": {"requestId": request_id},
                }
            ],
        }
