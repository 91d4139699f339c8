# mypy: ignore-errors
# (typed against the together 3.1.1 SDK in its own environment; the project venv holds 2.x.)
"""Run inside the together==3.1.1 environment: the official SDK and CLI against a running simulator.

    python together3_contract.py ROOT_URL API_KEY

Every response is parsed with the SDK's own pydantic types and must leave no field unknown. Prints one
JSON object: {"checks": [...], "problems": [...]}; the test asserts there are no problems.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import together  # type: ignore[import-not-found]
from pydantic import BaseModel
from together.types import Endpoint, EndpointDeployment  # type: ignore[import-not-found]

ROOT, KEY = sys.argv[1], sys.argv[2]
problems: list[str] = []
checks: list[str] = []


def unknown_fields(value: Any, path: str = "$") -> list[str]:
    if isinstance(value, BaseModel):
        found = [f"{path}.{name}" for name in (value.model_extra or {})]
        for name in type(value).model_fields:
            found += unknown_fields(getattr(value, name), f"{path}.{name}")
        return found
    if isinstance(value, list | tuple):
        return [p for i, item in enumerate(value) for p in unknown_fields(item, f"{path}[{i}]")]
    if isinstance(value, dict):
        return [p for key, item in value.items() for p in unknown_fields(item, f"{path}.{key}")]
    return []


def strict(label: str, value: Any) -> Any:
    extras = unknown_fields(value)
    if extras:
        problems.append(f"{label}: unknown fields {extras[:5]}")
    checks.append(label)
    return value


def cli(*args: str) -> Any:
    command = [str(Path(sys.executable).with_name("together")), *args, "--json"]
    done = subprocess.run(command, capture_output=True, text=True, env=cli_env, timeout=120)
    if done.returncode != 0:
        problems.append(
            f"together {' '.join(args)}: exit {done.returncode}: {done.stderr[-800:] or done.stdout[-800:]}"
        )
        return None
    checks.append(f"cli {args[0]} {args[1]}")
    return json.loads(done.stdout)


client = together.Together(api_key=KEY, base_url=ROOT, max_retries=0, _strict_response_validation=True)
who = strict("whoami", client.whoami())
project = who.project.id
client = together.Together(
    api_key=KEY, base_url=ROOT, max_retries=0, project_id=project, _strict_response_validation=True
)
cli_env = {
    **os.environ,
    "TOGETHER_API_KEY": KEY,
    "TOGETHER_BASE_URL": ROOT,
    "TOGETHER_PROJECT_ID": project,
    "TOGETHER_TELEMETRY_DISABLED": "1",
    "NO_COLOR": "1",
    "COLUMNS": "200",
}

strict("projects.list", list(client.projects.list()))
strict("hardware.list", client.endpoints.hardware.list())
supported = strict("models.list_supported", client.models.list_supported(search="openai/gpt-oss-20b"))
profile = supported.data[0].deployment_profiles[0]
endpoints = strict("endpoints.list (every page, limit 2)", list(client.endpoints.list(limit=2)))
if len(endpoints) < 4:
    problems.append(f"expected the demo endpoints across pages, got {len(endpoints)}")
for endpoint in endpoints:
    strict(f"endpoints.retrieve {endpoint.name}", client.endpoints.retrieve(endpoint.id))
    for deployment in client.endpoints.deployments.list(endpoint.id):
        strict(f"deployments.list/{endpoint.name}", deployment)
        strict("deployments.retrieve", client.endpoints.deployments.retrieve(deployment.id, endpoint_id=endpoint.id))
    strict(f"events {endpoint.name}", list(client.endpoints.list_events(endpoint.id, limit=5)))
    strict(f"analytics {endpoint.name}", client.endpoints.analytics(endpoint.id))

# The CLI, end to end: deploy, list, get, scale, stop (0/0), start, events, smart delete.
config_id = profile.config.rsplit("/", 1)[-1]
deployed = cli(
    "endpoints",
    "deploy",
    "openai/gpt-oss-20b",
    "--endpoint",
    "contract-ep",
    "--config",
    config_id,
    "--min-replicas",
    "1",
    "--max-replicas",
    "2",
    "--deployment-name",
    "contract-dep",
)
if deployed:
    endpoint_id = strict("cli deploy endpoint", Endpoint.model_validate(deployed["endpoint"])).id
    deployment = strict("cli deploy deployment", EndpointDeployment.model_validate(deployed["deployment"]))
    listed = cli("endpoints", "ls")
    if listed is not None and endpoint_id not in json.dumps(listed):
        problems.append("cli ls does not show the new endpoint")
    got = cli("endpoints", "get", endpoint_id)
    if got is not None:
        # The CLI adds its own sections (ab, shadows, rollout) beside the endpoint's fields.
        view = {key: value for key, value in got.items() if key not in ("ab", "shadows", "rollout")}
        strict("cli get", Endpoint.model_validate(view))
    for low, high in (("2", "3"), ("0", "0"), ("1", "1")):
        cli("endpoints", "update", deployment.id, "--min-replicas", low, "--max-replicas", high)
        now = client.endpoints.deployments.retrieve(deployment.id, endpoint_id=endpoint_id)
        strict(f"after update {low}/{high}", now)
        if (now.autoscaling.min_replicas, now.autoscaling.max_replicas) != (int(low), int(high)):
            problems.append(f"update {low}/{high} left {now.autoscaling}")
        expected = "DEPLOYMENT_STATE_STOPPED" if high == "0" else "DEPLOYMENT_STATE_READY"
        if now.status.state != expected:
            problems.append(f"update {low}/{high}: state {now.status.state}, expected {expected}")
    events = cli("endpoints", "events", endpoint_id)
    if events is not None:
        types = {e["type"] for e in events.get("data", [])}
        if not {"deployment.created", "deployment.scaled"} <= types:
            problems.append(f"cli events lacks the deployment's story: {sorted(types)}")
    cli("endpoints", "rm", endpoint_id, "--force")
    remaining = [e.id for e in client.endpoints.list()]
    if endpoint_id in remaining:
        problems.append("rm --force left the endpoint")

print(json.dumps({"checks": checks, "problems": problems}))
