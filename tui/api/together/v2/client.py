"""Async client for Together's v2 dedicated model inference API (``/v2/projects/{p}/endpoints/...``).

It shares the v1 client's ``ApiSession`` (one key, one set of limits): v2 paths carry their own version,
so they are sent as absolute URLs under the management root, the session's base URL without its ``/v1``.
Chat goes to the inference host (``https://api-inference.together.ai`` unless overridden), whose chat API
is the OpenAI-compatible one the v1 client already speaks.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel

from tui.api import errors
from tui.api.http import ApiSession
from tui.api.together.errors import translate
from tui.api.together.v2.pages import ListReader
from tui.api.together.v2.wire import (
    DeploymentCreate,
    DeploymentUpdate,
    DeploymentV2,
    EndpointCreate,
    EndpointEvent,
    EndpointUpdate,
    EndpointV2,
    InstanceType,
    Page,
    SupportedModel,
    Whoami,
    update_mask,
)

if TYPE_CHECKING:
    from tui.api.together.v2.analytics_wire import AnalyticsReport

DEFAULT_INFERENCE_URL = "https://api-inference.together.ai"
PROJECT_ENV = "TOGETHER_PROJECT_ID"
#: Items asked for per page of the catalogue (supported models, instance types: tens of items).
PAGE_SIZE = 100
#: Per page of endpoints and deployments, what every poll lists. The deployments list documents 500 as its
#: maximum; the endpoints list documents none, and AIP-style lists coerce a larger ``limit`` down
#: (UNVERIFIED for endpoints). Fewer pages, fewer round trips per poll: 1,000 endpoints in 2, not 10.
RESOURCE_PAGE_SIZE = 500

STALE_MESSAGE = "It changed since you loaded it: reload and try again."
# 409s that are not a stale etag: ALREADY_EXISTS (6) and FAILED_PRECONDITION (9), by number or by name.
_NOT_STALE_CODES = frozenset({"6", "9", "ALREADY_EXISTS", "FAILED_PRECONDITION"})

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class Project:
    id: str
    #: The DNS-friendly prefix of inference names (``<slug>/<endpoint>``); None when the id was given.
    slug: str | None = None


def management_root(base_url: str) -> str:
    """``https://api.together.ai/v1`` (today's default and setting) -> ``https://api.together.ai``."""
    root = base_url.rstrip("/")
    return root.removesuffix("/v1")


def _segment(value: str) -> str:
    """Ids go into a path; never let one smuggle in ``/`` or ``..``."""
    return quote(value, safe="")


class TogetherV2Client:
    """Methods return wire models (display-safe) or raise ``tui.api.errors``."""

    def __init__(
        self,
        session: ApiSession,
        *,
        project_id: str | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self.session = session
        self.root = management_root(session.base_url)
        given = project_id or (environ if environ is not None else os.environ).get(PROJECT_ENV) or None
        self._project: Project | None = Project(given) if given else None
        self._lists = ListReader(session, self._get)

    def __repr__(self) -> str:
        return f"TogetherV2Client(root={self.root!r})"

    # Project

    @property
    def known_project(self) -> Project | None:
        """The project once given or discovered, without asking."""
        return self._project

    async def project(self) -> Project:
        """The explicit or ``TOGETHER_PROJECT_ID`` project, else the key's own from ``/v3/whoami`` (cached)."""
        if self._project is None:
            response = await self._request("GET", "/v3/whoami")
            whoami = self.session.parse(response, Whoami)
            if whoami.project is None or not whoami.project.id:
                raise errors.InvalidResponseError(
                    f"This key ({whoami.type or 'unknown type'}) belongs to no project: set {PROJECT_ENV}."
                )
            self._project = Project(whoami.project.id, whoami.project.slug or None)
        return self._project

    async def _endpoints_path(self, endpoint_id: str | None = None) -> str:
        path = f"/v2/projects/{_segment((await self.project()).id)}/endpoints"
        return path if endpoint_id is None else f"{path}/{_segment(endpoint_id)}"

    async def _deployments_path(self, endpoint_id: str, deployment_id: str | None = None) -> str:
        path = f"{await self._endpoints_path(endpoint_id)}/deployments"
        return path if deployment_id is None else f"{path}/{_segment(deployment_id)}"

    # Endpoints

    async def list_endpoints(self) -> list[EndpointV2]:
        # Read every poll, mostly unchanged: items are reused from the previous read when their text is.
        path = await self._endpoints_path()
        return await self._all_pages(path, EndpointV2, page_size=RESOURCE_PAGE_SIZE, reuse=True)

    async def get_endpoint(self, endpoint_id: str) -> EndpointV2:
        return self.session.parse(await self._request("GET", await self._endpoints_path(endpoint_id)), EndpointV2)

    async def create_endpoint(self, request: EndpointCreate) -> EndpointV2:
        # Never retried: a POST that reached the service and is sent again makes a second resource.
        response = await self._request("POST", await self._endpoints_path(), json_body=request.body(), retry=False)
        return self.session.parse(response, EndpointV2)

    async def update_endpoint(self, endpoint_id: str, request: EndpointUpdate) -> EndpointV2:
        path = await self._endpoints_path(endpoint_id)
        response = await self._patch(path, request)
        return self.session.parse(response, EndpointV2)

    async def delete_endpoint(self, endpoint_id: str, *, etag: str | None = None) -> None:
        await self._delete(await self._endpoints_path(endpoint_id), etag)

    # Deployments

    async def list_deployments(self, endpoint_id: str) -> list[DeploymentV2]:
        path = await self._deployments_path(endpoint_id)
        return await self._all_pages(path, DeploymentV2, page_size=RESOURCE_PAGE_SIZE)

    async def get_deployment(self, endpoint_id: str, deployment_id: str) -> DeploymentV2:
        response = await self._request("GET", await self._deployments_path(endpoint_id, deployment_id))
        return self.session.parse(response, DeploymentV2)

    async def create_deployment(
        self, endpoint_id: str, request: DeploymentCreate, *, validate_only: bool = False
    ) -> DeploymentV2:
        params = {"validateOnly": "true"} if validate_only else None
        path = await self._deployments_path(endpoint_id)
        response = await self._request("POST", path, params=params, json_body=request.body(), retry=False)
        return self.session.parse(response, DeploymentV2)

    async def update_deployment(self, endpoint_id: str, deployment_id: str, request: DeploymentUpdate) -> DeploymentV2:
        response = await self._patch(await self._deployments_path(endpoint_id, deployment_id), request)
        return self.session.parse(response, DeploymentV2)

    async def delete_deployment(self, endpoint_id: str, deployment_id: str, *, etag: str | None = None) -> None:
        await self._delete(await self._deployments_path(endpoint_id, deployment_id), etag)

    # Catalogue

    async def list_supported_models(self, *, search: str | None = None) -> list[SupportedModel]:
        params = {"product": "PRODUCT_DEDICATED", **({"search": search} if search else {})}
        return await self._all_pages("/v2/supported-models", SupportedModel, params)

    async def list_instance_types(self) -> list[InstanceType]:
        return await self._all_pages("/v2/public/inference-instance-types", InstanceType)

    # Events and analytics

    async def list_events(
        self,
        endpoint_id: str,
        *,
        after: str | None = None,
        limit: int | None = None,
        since: datetime | None = None,
        min_level: str | None = None,
        deployment_ids: Sequence[str] = (),
    ) -> Page[EndpointEvent]:
        """One page, newest first; pass its ``next_cursor`` as ``after`` for the next."""
        params: dict[str, str] = {}
        if after:
            params["after"] = after
        if limit is not None:
            params["limit"] = str(limit)
        if since is not None:
            params["since"] = since.isoformat().replace("+00:00", "Z")
        if min_level:
            params["minLevel"] = min_level
        if deployment_ids:
            params["deploymentIds"] = ",".join(deployment_ids)
        response = await self._request("GET", f"{await self._endpoints_path(endpoint_id)}/events", params=params)
        return self.session.parse(response, Page[EndpointEvent])

    async def analytics(
        self,
        endpoint_id: str,
        *,
        start: datetime | None = None,
        end: datetime | None = None,
        granularity: str | None = None,
        deployment_id: str | None = None,
        include_time_series: bool = False,
    ) -> AnalyticsReport:
        """The endpoint's (or one deployment's) figures over [start, end); the series only when asked."""
        params: dict[str, str] = {}
        if start is not None:
            params["startTime"] = start.isoformat().replace("+00:00", "Z")
        if end is not None:
            params["endTime"] = end.isoformat().replace("+00:00", "Z")
        if granularity:
            params["granularity"] = granularity
        if deployment_id:
            params["deploymentId"] = deployment_id
        if include_time_series:
            params["includeTimeSeries"] = "true"
        # Its wire models (and their validators) come with the first metrics asked for, not with the first frame.
        from tui.api.together.v2.analytics_wire import AnalyticsReport

        path = f"{await self._endpoints_path(endpoint_id)}/analytics"
        return self.session.parse(await self._request("GET", path, params=params), AnalyticsReport)

    # Plumbing

    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
        retry: bool | None = None,
    ) -> httpx.Response:
        try:
            return await self.session.request(
                method, self.root + path, params=params, json_body=json_body, retry=retry
            )
        except errors.APIError as exc:
            # Together's codes and params in the app's words (fields, "not running"), as v1 does.
            raise translate(exc) from None

    async def _patch(self, path: str, request: EndpointUpdate | DeploymentUpdate) -> httpx.Response:
        mask = update_mask(request)
        if not mask:
            raise ValueError("nothing to update: set at least one field")
        try:
            # Not retried: with an etag a replay fails as stale; without one it would apply twice.
            return await self._request(
                "PATCH", path, params={"updateMask": mask}, json_body=request.body(), retry=False
            )
        except errors.ConflictError as exc:
            raise _stale(exc) if request.etag else exc from None

    async def _delete(self, path: str, etag: str | None) -> None:
        try:
            await self._request("DELETE", path, params={"etag": etag} if etag else None)
        except errors.ConflictError as exc:
            raise _stale(exc) if etag else exc from None

    async def _all_pages(
        self,
        path: str,
        model: type[M],
        params: Mapping[str, str] | None = None,
        *,
        page_size: int | None = None,
        reuse: bool = False,
    ) -> list[M]:
        """Every item, following ``next_cursor`` (``pages.ListReader``: each page once, in loop-sized pieces)."""
        return await self._lists.all_pages(
            path, model, params or {}, page_size=page_size or PAGE_SIZE, reuse=reuse
        )

    async def _get(self, method: str, path: str, params: Mapping[str, str]) -> httpx.Response:
        return await self._request(method, path, params=params)


def _stale(exc: errors.ConflictError) -> errors.ConflictError:
    """A 409 on a write that carried an etag is (unless it says otherwise) the etag gone stale."""
    if exc.code in _NOT_STALE_CODES or exc.error_type in _NOT_STALE_CODES:
        return exc
    return errors.ConflictError(
        STALE_MESSAGE, status=exc.status, code=exc.code, error_type=exc.error_type, request_id=exc.request_id
    )
