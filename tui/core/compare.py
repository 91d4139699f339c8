"""One prompt to two targets, as the side-by-side chat works it out: which targets there are, the pair it
starts with, what an answer cost, and the Markdown an export writes.

A dedicated endpoint or deployment is billed by the hour, not by the answer: its "cost" is its $/hour
while it runs. A serverless model has per-token prices: an answer's $ is its tokens at those prices.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from tui.api.domain import Endpoint, ModelOption
from tui.core.chat import ChatTarget, Turn, TurnState, figures_line
from tui.core.format import format_money


def targets(endpoints: Iterable[Endpoint], models: Sequence[ModelOption] = ()) -> list[ChatTarget]:
    """Every endpoint (routed by its split), each of its deployments pinned, then the serverless chat models."""
    found: list[ChatTarget] = []
    for endpoint in sorted(endpoints, key=lambda e: e.title.lower()):
        if not endpoint.dedicated:
            continue
        found.append(ChatTarget.for_endpoint(endpoint))
        found.extend(ChatTarget.for_deployment(endpoint, d) for d in endpoint.deployments)
    found.extend(ChatTarget.for_model(m) for m in models if m.is_chat)
    return found


def first_pair(
    choices: Sequence[ChatTarget], endpoint_id: str | None, deployment_id: str | None = None
) -> tuple[ChatTarget | None, ChatTarget | None]:
    """A: the endpoint (or the deployment) asked for; B: another deployment of it, else the next target."""
    if not choices:
        return None, None
    a = next(
        (t for t in choices if t.endpoint_id == endpoint_id and t.deployment_id == deployment_id),
        choices[0],
    )
    siblings = [t for t in choices if t.endpoint_id == a.endpoint_id and t.deployment_id and t.key != a.key]
    if a.deployment_id is None and len(siblings) > 1:
        # The endpoint routed by its split against its candidate: the deployment with the least weight.
        siblings = siblings[-1:]
    b = siblings[0] if siblings else next_target(choices, a, skip=a)
    return a, b


def next_target(
    choices: Sequence[ChatTarget], current: ChatTarget | None, *, skip: ChatTarget | None
) -> ChatTarget | None:
    keys = [t.key for t in choices]
    start = keys.index(current.key) if current is not None and current.key in keys else -1
    for step in range(1, len(choices) + 1):
        candidate = choices[(start + step) % len(choices)]
        if skip is None or candidate.key != skip.key:
            return candidate
    return None


@dataclass(frozen=True, slots=True)
class Price:
    """What answers from a target cost: per token (serverless) or per hour (dedicated)."""

    input_per_m: float | None = None
    output_per_m: float | None = None
    per_hour: float | None = None

    def answer_cost(self, turn: Turn) -> str:
        metrics = turn.metrics
        if self.per_hour is not None:
            return f"billed by the hour, {format_money(self.per_hour)}/h"
        if metrics is None or self.output_per_m is None:
            return "$ unknown"
        prompt = metrics.prompt_tokens
        if prompt is None or self.input_per_m is None:
            return f"≥ {format_money(metrics.completion_tokens * self.output_per_m / 1e6, cents=True)} (output only)"
        dollars = prompt * self.input_per_m / 1e6 + metrics.completion_tokens * self.output_per_m / 1e6
        return f"{_small_money(dollars)} for this answer"


def _small_money(dollars: float) -> str:
    return f"${dollars:.5f}" if dollars < 0.01 else format_money(dollars, cents=True)


def price_of(target: ChatTarget, endpoints: Mapping[str, Endpoint], models: Mapping[str, ModelOption]) -> Price:
    if target.endpoint_id is None:
        model = models.get(target.model)
        return Price(model.input_price_per_m, model.output_price_per_m) if model else Price()
    endpoint = endpoints.get(target.endpoint_id)
    if endpoint is None:
        return Price()
    if target.deployment_id:
        deployment = next((d for d in endpoint.deployments if d.id == target.deployment_id), None)
        return Price(per_hour=deployment.dollars_per_hour if deployment else None)
    known = [d.dollars_per_hour for d in endpoint.deployments]
    if known and all(v is not None for v in known):
        return Price(per_hour=sum(v for v in known if v is not None))
    return Price()


def markdown(rounds: Sequence[tuple[Turn, Turn]]) -> str:
    """Both sides of every prompt, each answer with its figures, as an export keeps them."""
    lines = ["# Side-by-side chat", ""]
    for a, b in rounds:
        lines += ["## Prompt", "", a.prompt, ""]
        for side, turn in (("A", a), ("B", b)):
            lines += [f"### {side}: {turn.target.label} (`{turn.target.model}`)", ""]
            lines.append(turn.content if turn.has_answer else f"_{_state_words(turn)}_")
            if turn.metrics is not None:
                lines += ["", f"_{figures_line(turn.metrics)}_"]
            lines.append("")
    return "\n".join(lines)


def _state_words(turn: Turn) -> str:
    if turn.advice is not None:
        return f"{turn.advice.title}: {turn.advice.detail}"
    return {TurnState.NEEDS_START: "not running: nothing was sent"}.get(turn.state, str(turn.state))
