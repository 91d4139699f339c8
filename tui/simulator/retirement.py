"""Together as it is today (together-v2-api.md §0, §0.1): v1 retired for create and restart, v2 chat.

* `POST /v1/endpoints`, and `PATCH state=STARTED` on a v1 endpoint that is not running, answer 403
  `endpoints_v1_create_access_disabled` in the usual `{"error": ...}` envelope. The exact message,
  `type` and `param` are UNVERIFIED; the wording follows the migration guide.
* Chat to a dedicated v1 endpoint that is not running answers 400 `dedicated_endpoint_not_running`
  with the message seen in real traffic.
* Chat with a v2 name (`<slug>/<endpoint>` or `<slug>/<endpoint>/<deployment>`) is routed by the
  traffic split; with nothing routable it answers 400 `endpoint_not_configured` (a ready deployment is
  not in the split) or 400 `endpoint_not_ready` (nothing is running). Bodies UNVERIFIED.
* The current inference engine's stream shape is served for every model except the two below, which
  stream the older shape (UNVERIFIED which models; real traffic shows both kinds).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tui.simulator.catalogue import Model
from tui.simulator.v2_catalogue import model_for
from tui.simulator.v2_world import DeploymentRecord, ServedRequest
from tui.simulator.wire import ApiError

if TYPE_CHECKING:
    from tui.simulator.simulator import Simulator

V1_RETIRED_CODE = "endpoints_v1_create_access_disabled"
OLDER_ENGINE_MODELS = frozenset({"mistralai/Mixtral-8x7B-Instruct-v0.1", "meta-llama/Llama-3.3-70B-Instruct-Turbo"})


def v1_retired(action: str) -> ApiError:
    return ApiError(
        403,
        f"{action} Dedicated Endpoints v1 is no longer supported. This is not a permissions problem: your models, "
        "hardware and API key still work. Deploy the model as a new v2 endpoint instead "
        "(https://docs.together.ai/docs/dedicated-endpoints/migrate-from-v1).",
        code=V1_RETIRED_CODE,
    )


def dedicated_not_running(name: str) -> ApiError:
    return ApiError(
        400,
        f"The dedicated endpoint for {name} is not running. Please visit https://api.together.ai/models to start "
        "the endpoint.",
        code="dedicated_endpoint_not_running",
    )


def uses_current_engine(sim: Simulator, model: Model) -> bool:
    return not sim.config.legacy_v1 and model.id not in OLDER_ENGINE_MODELS


def resolve_v2_chat(sim: Simulator, name: str, now: float, sticky_key: str) -> tuple[Model, DeploymentRecord] | None:
    """The model and deployment a v2 inference name reaches, or None when `name` is not a v2 name."""
    world = sim.v2
    with world.lock:
        try:
            routed = world.route(name, now, sticky_key)
        except LookupError as exc:
            code, message = exc.args
            raise ApiError(400, message, code=code, param="model") from None
        if routed is None:
            return None
        _, deployment = routed
        model = model_for(deployment.profile.model.id)
        if model is None:  # every profile is built from a catalogue model
            raise ApiError(500)
        return model, deployment


def record_chat(
    sim: Simulator, deployment: DeploymentRecord, *, now: float, prompt_tokens: int, completion_tokens: int
) -> None:
    """Count one served request towards the deployment's analytics (latency from the configured rate)."""
    tps = sim.config.tokens_per_second or 50.0
    ttft = 120.0 + (prompt_tokens % 50)
    served = ServedRequest(now, 200, prompt_tokens, completion_tokens, ttft, ttft + completion_tokens / tps * 1000)
    with sim.v2.lock:
        sim.v2.record_served(deployment, served)
