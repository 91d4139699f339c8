"""Async client for Nebius Token Factory dedicated endpoints: five control routes and regional chat hosts.

Control plane: ``https://api.tokenfactory.nebius.com/v0/dedicated_endpoints`` (no ``/v1``), Bearer key.
Chat: OpenAI-compatible on the endpoint region's host (nebius-api.md §B2, §B5), spoken by the Together
client (the same wire), one session per host.

Errors: Nebius answers FastAPI bodies, ``422 {"detail": [{"loc", "msg", "type"}]}`` and ``{"detail":
"..."}`` (§B6); the shared error mapping (``tui.api.error_mapping``) reads them for every session.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

import httpx

from tui.api.http import READ_DEADLINE, ApiSession, RetryPolicy, SecretLike, Sleep, default_sleep
from tui.api.nebius.wire import (
    CreateEndpointRequest,
    InvalidShape,
    UpdateEndpointRequest,
    dump_request,
    items,
)
from tui.api.together.client import TogetherClient
from tui.keys.secret import ApiKey

DEFAULT_BASE_URL = "https://api.tokenfactory.nebius.com"
#: eu-north1's inference host, which also "routes globally": the fallback for a region of unknown host.
GLOBAL_INFERENCE_URL = "https://api.tokenfactory.nebius.com/v1"
_REGION = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_PATH = "/v0/dedicated_endpoints"


def chat_base_url(region: str | None, override: str | None = None) -> str:
    """The OpenAI-compatible base (ending in ``/v1``) for an endpoint in ``region``.

    eu-north1 is ``api.tokenfactory.nebius.com`` (documented), eu-west1 and us-central1 are
    ``api.tokenfactory.<region>.nebius.com`` (documented); other regions follow that pattern (UNVERIFIED).
    ``override`` (a simulator, a proxy) replaces every region's host.
    """
    if override:
        base = override.rstrip("/")
        return base if base.endswith("/v1") else base + "/v1"
    if not region or region == "eu-north1" or not _REGION.match(region):
        return GLOBAL_INFERENCE_URL
    return f"https://api.tokenfactory.{region}.nebius.com/v1"


def _segment(value: str) -> str:
    """Ids go into a path; never let one smuggle in ``/`` or ``..``."""
    return quote(value, safe="")


class NebiusClient:
    """Methods return the decoded JSON (read tolerantly by the adapter) or raise ``tui.api.errors``."""

    def __init__(
        self,
        api_key: str | SecretLike,
        base_url: str = DEFAULT_BASE_URL,
        *,
        inference_url: str | None = None,
        project_id: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        retry: RetryPolicy | None = None,
        sleep: Sleep = default_sleep,
        read_deadline: float = READ_DEADLINE,
    ) -> None:
        self._key = ApiKey(api_key) if isinstance(api_key, str) and api_key else api_key
        self._transport = transport
        self._retry = retry
        self._sleep = sleep
        # A base given with /v1 (the habit from OpenAI-style settings) still reaches /v0.
        self.session = ApiSession(
            self._key, base_url.rstrip("/").removesuffix("/v1"), transport=transport, retry=retry, sleep=sleep,
            read_deadline=read_deadline,
        )
        self.base_url = self.session.base_url
        self.inference_url = inference_url
        self._params = {"ai_project_id": project_id} if project_id else {}
        self._chat: dict[str, TogetherClient] = {}

    def __repr__(self) -> str:
        return f"NebiusClient(base_url={self.base_url!r})"

    async def aclose(self) -> None:
        for client in self._chat.values():
            await client.aclose()
        self._chat.clear()
        await self.session.aclose()

    # Control plane

    async def list_templates(self) -> list[Any]:
        response = await self.session.request("GET", f"{_PATH}/templates", params=self._params)
        return self._items(response, "data", "templates")

    async def list_endpoints(self) -> list[Any]:
        response = await self.session.request("GET", _PATH, params=self._params)
        return self._items(response, "data", "endpoints")

    async def create_endpoint(self, request: CreateEndpointRequest) -> Any:
        # Never retried: a POST that reached the service and is sent again bills a second endpoint.
        response = await self.session.request(
            "POST", _PATH, params=self._params, json_body=dump_request(request), retry=False
        )
        return self.session.json(response)

    async def update_endpoint(self, endpoint_id: str, request: UpdateEndpointRequest) -> Any:
        """The PATCH answer's body, or None when it has none (the caller then reads the list)."""
        response = await self.session.request(
            "PATCH", f"{_PATH}/{_segment(endpoint_id)}", params=self._params, json_body=dump_request(request)
        )
        return self.session.json(response) if response.content.strip() else None

    async def delete_endpoint(self, endpoint_id: str) -> None:
        # 200 {} or 204 (UNVERIFIED which): the body is never read.
        await self.session.request(
            "DELETE", f"{_PATH}/{_segment(endpoint_id)}", params=self._params, headers={"Accept": "*/*"}
        )

    # Data plane

    def chat_client(self, region: str | None) -> TogetherClient:
        base = chat_base_url(region, self.inference_url)
        if base not in self._chat:
            session = ApiSession(self._key, base, transport=self._transport, retry=self._retry, sleep=self._sleep)
            self._chat[base] = TogetherClient(self._key, base, session=session)
        return self._chat[base]

    def _items(self, response: httpx.Response, *keys: str) -> list[Any]:
        try:
            return items(self.session.json(response), *keys)
        except InvalidShape as exc:
            raise self.session.invalid(response, str(exc)) from None
