"""A large v2 project for benchmarks: ``count`` endpoints with ``deployments`` deployments each.

The demo's hand-made project (``v2_seed``) has four endpoints; a large account needs the same shapes in
the thousands. Each endpoint gets deployments on different certified profiles, most running and some
stopped (scaled to 0/0), all created long enough ago that every transition is over at any speed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tui.simulator.v1_seed import ADJECTIVES, NOUNS
from tui.simulator.v2_catalogue import PROFILES

if TYPE_CHECKING:
    from tui.simulator.v2_world import V2World

_DAY = 86400.0
#: One in this many deployments is stopped, so a large project has both phases.
_STOPPED_EVERY = 5


def seed_many(world: V2World, now: float, count: int, deployments: int = 3) -> None:
    profiles = [profile for choices in PROFILES.values() for profile in choices]
    with world.lock:
        for index in range(count):
            created = now - (1 + index % 90) * _DAY
            name = f"{ADJECTIVES[index % len(ADJECTIVES)]}-{NOUNS[index // len(ADJECTIVES) % len(NOUNS)]}-{index}"
            endpoint = world.create_endpoint(name, "VISIBILITY_PRIVATE", created)
            for number in range(deployments):
                profile = profiles[(index + number * 7) % len(profiles)]
                stopped = (index * deployments + number) % _STOPPED_EVERY == 0
                bounds = (0, 0) if stopped else (1, 1 + number % 3)
                world.create_deployment(
                    endpoint,
                    short_name=f"d{number}-{profile.instance.name}"[:40],
                    profile=profile,
                    autoscaling={"minReplicas": bounds[0], "maxReplicas": bounds[1], "scaleDownWindow": "300s"},
                    inactive_timeout=None,
                    max_concurrent=None,
                    placement=None,
                    now=created,
                )
