"""The demo project's v2 endpoints, built by replaying their history through the world's own writes.

* `support-bot`: two gpt-oss-20b deployments (H100 and H200) behind a 90/10 traffic split, READY;
* `llama-staging`: Llama 3.3 70B, stopped (scaled to 0/0) a day after it was deployed;
* `gpt-oss-120b-batch`: on 8x B200, which has no capacity: DEGRADED;
* `qwen-eval`: deployed seconds ago, so still provisioning (at a finite speed).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tui.simulator.v2_catalogue import INSTANCE_TYPES_BY_NAME, PROFILES, Profile

if TYPE_CHECKING:
    from tui.simulator.v2_world import V2World

_DAY = 86400.0


def _profile(model: str, instance: str | None = None) -> Profile:
    profiles = PROFILES[model]
    if instance is None:
        return profiles[0]
    wanted = INSTANCE_TYPES_BY_NAME[instance]
    return next(p for p in profiles if p.instance == wanted)


def _bounds(minimum: int, maximum: int) -> dict[str, object]:
    return {"minReplicas": minimum, "maxReplicas": maximum, "scaleDownWindow": "300s"}


def seed_demo_account(world: V2World, now: float) -> None:
    support = world.create_endpoint("support-bot", "VISIBILITY_PRIVATE", now - 30 * _DAY)
    primary = world.create_deployment(
        support,
        short_name="gpt-oss-20b-h100",
        profile=_profile("openai/gpt-oss-20b", "1xnvidia-h100-80gb"),
        autoscaling=_bounds(1, 3),
        inactive_timeout=None,
        max_concurrent="8",
        placement=None,
        now=now - 30 * _DAY,
    )
    canary = world.create_deployment(
        support,
        short_name="gpt-oss-20b-h200",
        profile=_profile("openai/gpt-oss-20b", "1xnvidia-h200-141gb"),
        autoscaling=_bounds(1, 1),
        inactive_timeout=60,
        max_concurrent=None,
        placement=None,
        now=now - 2 * _DAY,
    )
    support.traffic_split = [
        {"deploymentId": primary.id, "weight": 0.9},
        {"deploymentId": canary.id, "weight": 0.1},
    ]
    world.touch_endpoint(support, now - 2 * _DAY + 600, ["trafficSplit"])

    staging = world.create_endpoint("llama-staging", "VISIBILITY_INTERNAL", now - 12 * _DAY)
    llama = world.create_deployment(
        staging,
        short_name="llama-3-3-70b",
        profile=_profile("meta-llama/Llama-3.3-70B-Instruct-Turbo"),
        autoscaling=_bounds(1, 2),
        inactive_timeout=None,
        max_concurrent=None,
        placement=None,
        now=now - 12 * _DAY,
    )
    world.update_deployment(staging, llama, {"autoscaling": _bounds(0, 0)}, now - 11 * _DAY)

    batch = world.create_endpoint("gpt-oss-120b-batch", "VISIBILITY_PRIVATE", now - 3 * _DAY)
    world.create_deployment(
        batch,
        short_name="gpt-oss-120b-b200x8",
        profile=_profile("openai/gpt-oss-120b", "8xnvidia-b200-180gb"),
        autoscaling=_bounds(2, 2),
        inactive_timeout=None,
        max_concurrent=None,
        placement=None,
        now=now - 3 * _DAY,
    )

    evaluation = world.create_endpoint("qwen-eval", "VISIBILITY_PRIVATE", now - 15)
    world.create_deployment(
        evaluation,
        short_name="qwen-7b",
        profile=_profile("Qwen/Qwen2.5-7B-Instruct-Turbo"),
        autoscaling=_bounds(1, 1),
        inactive_timeout=30,
        max_concurrent=None,
        placement=None,
        now=now - 15,
    )
