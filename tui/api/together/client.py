"""Async client for Together's v1 dedicated-endpoints API (the one in the official OpenAPI spec)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, TypeAdapter, ValidationError

from tui.api import errors, json_items
from tui.api.http import (
    ACTION_DEADLINE,
    DEFAULT_TIMEOUT,
    READ_DEADLINE,
    STREAM_IDLE_TIMEOUT,
    ApiSession,
    RetryPolicy,
    SecretLike,
    Sleep,
    default_sleep,
)
from tui.api.pacing import Pacer
from tui.api.slices import slice_adapter
from tui.api.sse import ServerSentEvent
from tui.api.together import errors as together_errors
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
from tui.api.urls import TOGETHER_BASE_URL as DEFAULT_BASE_URL

M = TypeVar("M", bound=BaseModel)

#: List items validated in one call (one call cannot be interrupted: a few hundred microseconds each). Between
#: calls, and between items decoded, the loop gets a turn whenever the piece has had its budget (``Pacer``).
PARSE_SLICE = 25


#: What ``GET /hardware?model=`` says of a model no dedicated hardware serves (reference §0.1).
NO_CONFIGURATIONS = "No GPU configurations found"

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
        read_deadline: float = READ_DEADLINE,
        action_deadline: float = ACTION_DEADLINE,
        stream_idle_timeout: float = STREAM_IDLE_TIMEOUT,
        session: ApiSession | None = None,
    ) -> None:
        # Raises InsecureBaseURLError (a ValueError) before anything is sent: a key never goes out in clear text.
        self._session = session or ApiSession(
            api_key,
            base_url,
            timeout=timeout,
            retry=retry,
            transport=transport,
            sleep=sleep,
            read_deadline=read_deadline,
            action_deadline=action_deadline,
            stream_idle_timeout=stream_idle_timeout,
        )
        self.base_url = self._session.base_url
        #: A list's query -> {item JSON text: its model}, from the last complete read of it (``_parse_list``).
        self._known: dict[str, dict[str, Any]] = {}

    @property
    def session(self) -> ApiSession:
        """The HTTP session, for another client of the same account (the v2 API) to share."""
        return self._session

    def __repr__(self) -> str:
        return f"TogetherClient(base_url={self.base_url!r})"

    async def aclose(self) -> None:
        await self._session.aclose()

    async def __aenter__(self) -> TogetherClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def check_access(self) -> None:
        """One cheap authenticated request (the caller's dedicated endpoints: small, unlike /models).

        Not retried: a key check should answer at once; a 5xx says "try later", not "wait here".
        """
        await self._request("GET", "/endpoints", params={"type": "dedicated"}, retry=False)

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
        # Polled every few seconds and mostly as it was: items sent exactly as last time are the same models.
        return await self._parse_list(response, ListEndpoint, EndpointList,
                                      reuse="&".join(f"{k}={v}" for k, v in sorted(params.items())))

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
        try:
            response = await self._request("GET", "/hardware", params=params)
        except errors.APIError as exc:
            # For a model with no dedicated configuration the API answers an error, not an empty list.
            if model and exc.status in (400, 404) and NO_CONFIGURATIONS in exc.message:
                return []
            raise
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
        events = self._session.stream_events("POST", "/chat/completions", json_body={**body, "stream": True})
        try:
            async for event in events:
                # The official SDK ignores named events; Together sends only unnamed ``data:`` lines.
                if event.event != "message":
                    continue
                data = event.data.strip()
                if not data:
                    continue
                if data.startswith("[DONE]"):
                    return
                chunk = self._chunk(event, data)
                received += 1
                yield chunk
        except errors.StreamTruncatedError as exc:
            raise errors.StreamTruncatedError(
                exc.message, chunks_received=received, request_id=exc.request_id, status=exc.status
            ) from None
        except errors.StreamError:
            raise
        except errors.APIError as exc:
            # An HTTP error before the first event (a stopped endpoint's 400): in Together's words.
            raise together_errors.translate(exc) from None
        finally:
            await events.aclose()
        raise errors.StreamTruncatedError(
            "The stream ended before the answer was complete (no [DONE])", chunks_received=received
        )

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
        try:
            return await self._session.request(
                method, path, params=params, json_body=json_body, headers=headers, retry=retry
            )
        except errors.APIError as exc:
            raise together_errors.translate(exc) from None

    async def _parse_list(self, response: httpx.Response, model: type[M], container: type[BaseModel], *,
                          reuse: str | None = None) -> list[M]:
        """The ``data`` items of a list body, decoded one by one and validated ``PARSE_SLICE`` at a time, the
        loop given a turn whenever a piece had its budget; an error names the container and the item
        (``EndpointList (data.3.id: ...)``), as validating the whole body at once would.

        With ``reuse`` (which list this is), an item whose JSON text is exactly the one the last read of the
        same list had is the model made then, not validated again (a steady poll of 5,000 endpoints is then
        mostly one string lookup per item); only the last complete read of each list is kept.
        """
        items: list[M] = []
        pending: list[Any] = []
        texts: list[str] = []
        places: list[int] = []
        known: dict[str, Any] = self._known.get(reuse, {}) if reuse is not None else {}
        fresh: dict[str, Any] = {}
        adapter = slice_adapter(model)
        pacer = Pacer()

        def validate() -> None:
            for place, text, item in zip(places, texts, self._validate_slice(
                    response, adapter, pending, places, container), strict=True):
                items[place] = item
                fresh[text] = item
            pending.clear()
            texts.clear()
            places.clear()

        try:
            for text, payload in json_items.list_entries(json_items.decode_text(self.session.body(response)), "data"):
                item = known.get(text)
                if item is not None:
                    items.append(item)
                    fresh[text] = item
                else:
                    places.append(len(items))
                    items.append(None)  # type: ignore[arg-type]  # validated below, before anyone sees it
                    texts.append(text)
                    pending.append(payload)
                    if len(pending) == PARSE_SLICE:
                        validate()
                await pacer.pause()
            validate()
        except json_items.NotAList as exc:
            shape = "not a JSON object" if exc.where == "body" else "not a list"
            raise self._invalid(response, f"unexpected {container.__name__} ({exc.where}: {shape})") from None
        except (ValueError, RecursionError):
            raise self._invalid(response, "the body is not valid JSON") from None
        if reuse is not None:
            self._known[reuse] = fresh
        return items

    def _validate_slice(
        self, response: httpx.Response, adapter: TypeAdapter[list[M]], payloads: list[Any], places: list[int],
        container: type[BaseModel],
    ) -> list[M]:
        if not payloads:
            return []
        try:
            return adapter.validate_python(payloads)
        except ValidationError as exc:
            first = exc.errors()[0]
            index, *within = first["loc"] or (0,)
            where = ".".join(str(part) for part in ("data", places[int(index)], *within))
            detail = f"unexpected {container.__name__} ({where}: {first['msg']})"
            raise self._invalid(response, detail) from None

    def _json(self, response: httpx.Response) -> Any:
        return self._session.json(response)

    def _parse(self, response: httpx.Response, model: type[M]) -> M:
        return self._session.parse(response, model)

    def _validate(self, response: httpx.Response, model: type[M], payload: Any) -> M:
        return self._session.validate(response, model, payload)

    def _invalid(self, response: httpx.Response, detail: str) -> errors.InvalidResponseError:
        return self._session.invalid(response, detail)

    def _chunk(self, event: ServerSentEvent, data: str) -> ChatCompletionChunk:
        """One event's chunk. Decoded and validated in one pass (half the CPU of ``json.loads`` and then
        validating: a fast stream sends thousands a second); anything unusual (an error event, a body that
        is no chunk, malformed JSON) takes the slow path, which says what is wrong."""
        try:
            chunk = ChatCompletionChunk.model_validate_json(data)
        except ValidationError:
            chunk = None
        if chunk is not None and (chunk.model_extra or {}).get("error") is None:
            return chunk
        try:
            payload = json.loads(data)
        except (ValueError, RecursionError):
            raise self._session.stream_invalid(event, "malformed JSON in the stream") from None
        if isinstance(payload, dict) and payload.get("error") is not None:
            raise self._stream_error(payload)
        return self._validate_chunk(event, payload)

    def _validate_chunk(self, event: ServerSentEvent, payload: Any) -> ChatCompletionChunk:
        try:
            return ChatCompletionChunk.model_validate(payload)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"]) or "body"
            raise self._session.stream_invalid(event, f"unexpected chunk ({where}: {first['msg']})") from None

    def _stream_error(self, payload: dict[str, Any]) -> errors.StreamError:
        detail = payload["error"]
        safe = self._session.safe_message
        request_id = payload.get("id") if isinstance(payload.get("id"), str) else None
        if isinstance(detail, dict):
            message = detail.get("message") or "An error occurred during streaming"
            code, error_type = detail.get("code"), detail.get("type")
            return errors.StreamError(
                safe(str(message)),
                code=safe(code) if isinstance(code, str) else None,
                error_type=safe(error_type) if isinstance(error_type, str) else None,
                request_id=safe(request_id) if request_id else None,
            )
        return errors.StreamError(safe(str(detail)) or "An error occurred during streaming")


def _segment(value: str) -> str:
    """Endpoint ids go into a path; never let one smuggle in ``/`` or ``..``."""
    return quote(value, safe="")
