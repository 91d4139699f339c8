"""Async client for Together's v1 dedicated-endpoints API (the one in the official OpenAPI spec)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
from httpx_sse import SSEError, aconnect_sse
from pydantic import BaseModel, ValidationError

from tui import __version__
from tui.api import errors
from tui.api.http import (
    IDEMPOTENT_METHODS,
    RETRY_STATUSES,
    BearerAuth,
    RetryPolicy,
    SecretLike,
    Sleep,
    default_sleep,
    error_from_response,
    error_from_transport,
    request_id_of,
)
from tui.api.together.models import (
    AvailabilityZones,
    ChatCompletionChunk,
    ChatCompletionResponse,
    CreateEndpointRequest,
    DedicatedEndpoint,
    EndpointList,
    HardwareList,
    HardwareWithStatus,
    ListEndpoint,
    ModelInfo,
    UpdateEndpointRequest,
    dump_request,
)
from tui.keys.urls import DEFAULT_BASE_URL, check_base_url_safe, trust_env_for

# The official SDK's defaults: 60 s overall, 5 s to connect.
DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=5.0)

M = TypeVar("M", bound=BaseModel)


class TogetherClient:
    """One ``httpx.AsyncClient`` per client; methods return wire models or raise ``tui.api.errors``."""

    def __init__(
        self,
        api_key: str | SecretLike,
        base_url: str = DEFAULT_BASE_URL,
        *,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Sleep = default_sleep,
    ) -> None:
        # Raises InsecureBaseURLError (a ValueError): a key never goes out in clear text.
        check_base_url_safe(base_url)
        self.base_url = base_url.rstrip("/")
        self._retry = retry or RetryPolicy()
        self._sleep = sleep
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            auth=BearerAuth(api_key),
            timeout=timeout,
            transport=transport,
            # HTTP_PROXY must not see the key sent in clear text to a loopback simulator.
            trust_env=trust_env_for(base_url),
            headers={"User-Agent": f"together-tui/{__version__}", "Accept": "application/json"},
        )

    def __repr__(self) -> str:
        return f"TogetherClient(base_url={self.base_url!r})"

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> TogetherClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    # Endpoints

    async def list_endpoints(
        self, *, type: str | None = None, mine: bool | None = None, usage_type: str | None = None
    ) -> list[ListEndpoint]:
        params: dict[str, str] = {}
        if type is not None:
            params["type"] = type
        if mine is not None:
            params["mine"] = "true" if mine else "false"
        if usage_type is not None:
            params["usage_type"] = usage_type
        response = await self._request("GET", "/endpoints", params=params)
        return self._parse(response, EndpointList).data

    async def get_endpoint(self, endpoint_id: str) -> DedicatedEndpoint:
        response = await self._request("GET", f"/endpoints/{_segment(endpoint_id)}")
        return self._parse(response, DedicatedEndpoint)

    async def create_endpoint(self, request: CreateEndpointRequest) -> DedicatedEndpoint:
        # Never retried: if the first POST reached the service, a second one bills a second endpoint.
        response = await self._request("POST", "/endpoints", json_body=dump_request(request), retry=False)
        return self._parse(response, DedicatedEndpoint)

    async def update_endpoint(self, endpoint_id: str, request: UpdateEndpointRequest) -> DedicatedEndpoint:
        body = dump_request(request)
        response = await self._request("PATCH", f"/endpoints/{_segment(endpoint_id)}", json_body=body)
        return self._parse(response, DedicatedEndpoint)

    async def start_endpoint(self, endpoint_id: str) -> DedicatedEndpoint:
        return await self.update_endpoint(endpoint_id, UpdateEndpointRequest(state="STARTED"))

    async def stop_endpoint(self, endpoint_id: str) -> DedicatedEndpoint:
        return await self.update_endpoint(endpoint_id, UpdateEndpointRequest(state="STOPPED"))

    async def delete_endpoint(self, endpoint_id: str) -> None:
        await self._request("DELETE", f"/endpoints/{_segment(endpoint_id)}", headers={"Accept": "*/*"})

    # Catalogue

    async def list_hardware(self, model: str | None = None) -> list[HardwareWithStatus]:
        params = {"model": model} if model else {}
        response = await self._request("GET", "/hardware", params=params)
        return self._parse(response, HardwareList).data

    async def list_availability_zones(self) -> list[str]:
        response = await self._request("GET", "/clusters/availability-zones")
        return self._parse(response, AvailabilityZones).avzones

    async def list_models(self, *, dedicated: bool | None = None) -> list[ModelInfo]:
        params = {"dedicated": "true" if dedicated else "false"} if dedicated is not None else {}
        response = await self._request("GET", "/models", params=params)
        payload = self._json(response)
        # Unlike OpenAI's, Together's /models is a bare array.
        if isinstance(payload, dict) and isinstance(payload.get("data"), list):
            payload = payload["data"]
        if not isinstance(payload, list):
            raise self._invalid(response, "expected a JSON array of models")
        return [self._validate(response, ModelInfo, item) for item in payload]

    # Chat

    async def chat_completion(self, body: dict[str, Any]) -> ChatCompletionResponse:
        # Not retried: a retried completion may be billed twice; the user retries the turn instead.
        response = await self._request(
            "POST", "/chat/completions", json_body={**body, "stream": False}, retry=False
        )
        return self._parse(response, ChatCompletionResponse)

    async def stream_chat_completion(self, body: dict[str, Any]) -> AsyncIterator[ChatCompletionChunk]:
        """Yield chunks as they arrive; raise StreamError / StreamTruncatedError after what arrived."""
        received = 0
        url = self.base_url + "/chat/completions"
        try:
            async with aconnect_sse(
                self._http,
                "POST",
                "/chat/completions",
                json={**body, "stream": True},
                headers={"Accept": "text/event-stream"},
            ) as source:
                response = source.response
                if response.status_code >= 400:
                    await response.aread()
                    raise error_from_response(response)
                async for event in source.aiter_sse():
                    # The official SDK ignores named events; Together sends only unnamed ``data:`` lines.
                    if event.event not in ("", "message"):
                        continue
                    data = event.data.strip()
                    if not data:
                        continue
                    if data.startswith("[DONE]"):
                        return
                    try:
                        payload = json.loads(data)
                    except ValueError:
                        raise self._invalid(response, "malformed JSON in the stream") from None
                    if isinstance(payload, dict) and payload.get("error") is not None:
                        raise _stream_error(payload, response)
                    chunk = self._validate(response, ChatCompletionChunk, payload)
                    received += 1
                    yield chunk
                raise errors.StreamTruncatedError(
                    "The stream ended before the answer was complete (no [DONE])",
                    chunks_received=received,
                    status=response.status_code,
                    request_id=request_id_of(response),
                )
        except SSEError as exc:
            raise errors.InvalidResponseError(f"Not an event stream: {exc}") from None
        except httpx.TransportError as exc:
            if received and not isinstance(exc, httpx.TimeoutException):
                raise errors.StreamTruncatedError(
                    f"The connection broke mid-answer ({type(exc).__name__})", chunks_received=received
                ) from None
            raise error_from_transport(exc, url) from None

    # Plumbing

    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        json_body: Any = None,
        headers: dict[str, str] | None = None,
        retry: bool | None = None,
    ) -> httpx.Response:
        may_retry = method in IDEMPOTENT_METHODS if retry is None else retry
        attempt = 0
        while True:
            try:
                response = await self._http.request(
                    method, path, params=params, json=json_body, headers=headers
                )
            except httpx.TransportError as exc:
                error = error_from_transport(exc, self.base_url + path)
                delay = self._retry.delay(attempt, None) if may_retry else None
                if delay is None:
                    raise error from None
            else:
                if response.status_code < 400:
                    return response
                error = error_from_response(response)
                retryable = may_retry and response.status_code in RETRY_STATUSES
                delay = self._retry.delay(attempt, response) if retryable else None
                if delay is None:
                    raise error
            await self._sleep(delay)
            attempt += 1

    def _json(self, response: httpx.Response) -> Any:
        try:
            return json.loads(response.content)
        except ValueError:
            raise self._invalid(response, "the body is not valid JSON") from None

    def _parse(self, response: httpx.Response, model: type[M]) -> M:
        return self._validate(response, model, self._json(response))

    def _validate(self, response: httpx.Response, model: type[M], payload: Any) -> M:
        try:
            return model.model_validate(payload)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"]) or "body"
            raise self._invalid(
                response, f"unexpected {model.__name__} ({where}: {first['msg']})"
            ) from None

    @staticmethod
    def _invalid(response: httpx.Response, detail: str) -> errors.InvalidResponseError:
        path = response.request.url.path if response.request else ""
        return errors.InvalidResponseError(
            f"{path}: {detail}", status=response.status_code, request_id=request_id_of(response)
        )


def _segment(value: str) -> str:
    """Endpoint ids go into a path; never let one smuggle in ``/`` or ``..``."""
    return quote(value, safe="")


def _stream_error(payload: dict[str, Any], response: httpx.Response) -> errors.StreamError:
    detail = payload["error"]
    if isinstance(detail, dict):
        message = detail.get("message") or "An error occurred during streaming"
        return errors.StreamError(
            str(message),
            status=response.status_code,
            code=detail.get("code") if isinstance(detail.get("code"), str) else None,
            error_type=detail.get("type") if isinstance(detail.get("type"), str) else None,
            request_id=request_id_of(response, payload),
        )
    return errors.StreamError(str(detail) or "An error occurred during streaming")
