"""The v2 smart delete, in the order the service allows (reference together-v2-api.md §A4 "Delete"):
scale to 0/0, wait until STOPPED (bounded), leave the traffic split, delete the deployments.

A deployment is deleted only once it is STOPPED (the service refuses it earlier), and nothing is deleted
when one does not stop in time, so a failed delete never leaves an endpoint routing to a half-deleted set.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from tui.api import errors
from tui.api.together.v2.client import TogetherV2Client
from tui.api.together.v2.wire import (
    AutoscalingRequest,
    DeploymentUpdate,
    DeploymentV2,
    EndpointUpdate,
    EndpointV2,
    TrafficSplitRequest,
)

#: Told each step of a deploy or a delete, as a sentence.
Progress = Callable[[str], object]
STOPPED = "DEPLOYMENT_STATE_STOPPED"
FAILED = "DEPLOYMENT_STATE_FAILED"


async def set_split(client: TogetherV2Client, endpoint: EndpointV2, weights: Mapping[str, float | None]) -> None:
    """Replace the endpoint's split, refused if it changed since ``endpoint`` was read."""
    split = [TrafficSplitRequest(deployment_id=d, weight=w or 0.0) for d, w in weights.items()]
    request = EndpointUpdate(traffic_split=split, **({"etag": endpoint.etag} if endpoint.etag else {}))
    await client.update_endpoint(endpoint.id, request)


class Teardown:
    def __init__(
        self,
        client: TogetherV2Client,
        *,
        sleep: Callable[[float], Awaitable[None]],
        poll_interval: float,
        stop_timeout: float,
    ) -> None:
        self.client = client
        self._sleep = sleep
        self._poll_interval = poll_interval
        self._max_polls = max(1, round(stop_timeout / poll_interval))

    async def delete_deployments(self, endpoint_id: str, doomed: set[str], progress: Progress) -> list[str]:
        """Stop, wait for, unroute and delete the ``doomed`` deployments; the ids deleted."""
        current = [d for d in await self.client.list_deployments(endpoint_id) if d.id in doomed]
        for index, deployment in enumerate(current):
            if deployment.status.state != STOPPED:
                progress(f"Stopping {deployment.name} (scaling to 0/0)")
                # What the service answers is where the wait starts (it may have stopped already).
                current[index] = await self.client.update_deployment(
                    endpoint_id,
                    deployment.id,
                    DeploymentUpdate(autoscaling=AutoscalingRequest(min_replicas=0, max_replicas=0)),
                )
        stopped = [await self.until_stopped(endpoint_id, d, progress) for d in current]
        endpoint = await self.client.get_endpoint(endpoint_id)
        weights = {e.deployment_id: e.weight for e in endpoint.traffic_split if e.deployment_id not in doomed}
        if len(weights) != len(endpoint.traffic_split):
            progress(f"Removing {len(endpoint.traffic_split) - len(weights)} deployment(s) from the traffic split")
            await set_split(self.client, endpoint, weights)
        for deployment in stopped:
            progress(f"Deleting {deployment.name}")
            await self.client.delete_deployment(endpoint_id, deployment.id, etag=deployment.etag)
        return [d.id for d in stopped]

    async def until_stopped(self, endpoint_id: str, deployment: DeploymentV2, progress: Progress) -> DeploymentV2:
        for poll in range(self._max_polls + 1):
            if deployment.status.state == STOPPED:
                progress(f"{deployment.name} stopped")
                return deployment
            if deployment.status.state == FAILED:
                raise errors.APIError(
                    f"{deployment.name} failed while stopping: {deployment.status.message or 'no reason given'}"
                )
            if poll == self._max_polls:
                break
            await self._sleep(self._poll_interval)
            deployment = await self.client.get_deployment(endpoint_id, deployment.id)
        raise errors.APITimeoutError(
            f"{deployment.name} is still {deployment.status.state} after "
            f"{self._max_polls * self._poll_interval:g} s; nothing was deleted: try again later."
        )
